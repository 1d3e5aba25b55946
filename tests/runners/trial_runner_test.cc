// RL² rollouts: trials are bit-identical for any thread count; the hidden
// state starts at zero at the trial start and is carried across the episode
// boundaries inside a trial (never reset there); the recorded inputs carry
// the previous action, reward and done flag.

#include "runners/trial_runner.h"

#include <ATen/ATen.h>
#include <gtest/gtest.h>
#include <torch/autograd.h>

#include "core/threads.h"
#include "tests/test_util.h"

namespace metarl::runners {
namespace {

constexpr int kHorizon = 6, kEpisodes = 3;

policies::RecurrentPolicyOptions Options(double init_std) {
  policies::RecurrentPolicyOptions o;
  o.hidden_size = 8;
  o.init_std = init_std;
  return o;
}

TrialBatch SampleTrials(const envs::TaskDistribution& dist, policies::RecurrentPolicy& policy, int threads, int trials = 5) {
  Rng rng(3);
  const auto tasks = dist.Sample(trials, rng);
  VectorRunnerOptions options;
  options.threads = threads;
  TrialRunner runner(dist, options);
  return runner.Sample(tasks, kEpisodes, policy, /*seed=*/42);
}

TEST(TrialRunner, TrialsAreBitIdenticalForAnyThreadCount) {
  SetMathThreads(1);
  for (const auto& [env, kwargs] : std::vector<std::pair<std::string, std::string>>{
           {"Navigation2D", "{horizon: 6}"}, {"HalfCheetahVel", "{horizon: 6}"}, {"Bandit", "{arms: 4}"}}) {
    SCOPED_TRACE(env);
    const auto dist = testing::MakeDist(env, kwargs);
    Rng rng(1);
    policies::RecurrentPolicy policy(dist->spec().obs_dim, dist->spec().act_dim, dist->spec().num_actions,
                                     Options(1.0), rng);
    const TrialBatch a = SampleTrials(*dist, policy, 1), b = SampleTrials(*dist, policy, 3);
    EXPECT_TRUE(at::equal(a.inputs, b.inputs));
    EXPECT_TRUE(at::equal(a.actions, b.actions));
    EXPECT_TRUE(at::equal(a.rewards, b.rewards));
    EXPECT_TRUE(at::equal(a.masks, b.masks));
    EXPECT_EQ(a.lengths, b.lengths);
    EXPECT_EQ(a.episode_returns, b.episode_returns);
    EXPECT_EQ(a.horizon(), kEpisodes * dist->spec().horizon);
  }
}

TEST(TrialRunner, HiddenStateIsCarriedAcrossEpisodesAndResetOnlyAtTheTrialStart) {
  SetMathThreads(1);
  const auto dist = testing::MakeDist("Navigation2D", "{horizon: 6}");
  Rng rng(2);
  // A near-deterministic policy: each sampled action is its mean to ~1e-6,
  // so the actions reveal the hidden state the runner used.
  policies::RecurrentPolicy policy(2, 2, 0, Options(1e-6), rng);
  const TrialBatch trials = SampleTrials(*dist, policy, 2);
  const int64_t T = trials.horizon(), B = trials.size();
  ASSERT_EQ(T, kEpisodes * kHorizon);
  torch::NoGradGuard no_grad;
  const policies::Params all = policy.parameters_list();
  const policies::Params p(all.begin(), all.end() - 1);  // the GRU's (log_std last)
  policies::GruCore core({policy.input_dim(), policy.hidden_size(), 2}, rng);  // for its functional forward
  auto means = [&](const at::Tensor& resets) {
    const at::Tensor hidden = core.Unroll(trials.inputs, at::zeros({B, policy.hidden_size()}), resets, p);
    return core.Heads(hidden, p).policy;
  };
  // Resets only at t = 0 (the trial start) reproduce every sampled action.
  at::Tensor trial_resets = at::zeros({T, B});
  trial_resets[0].fill_(1.0);
  const at::Tensor carried = means(trial_resets);
  for (int64_t b = 0; b < B; ++b) {
    ASSERT_EQ(trials.lengths[b], T) << "navigation episodes of 6 steps never reach the goal here";
    EXPECT_LT((carried.select(1, b) - trials.actions.select(1, b)).abs().max().item<double>(), 1e-4);
  }
  // Resetting at each episode start as well would give other actions from the
  // second episode on: the runner did not reset there.
  at::Tensor episode_resets = at::zeros({T, B});
  for (int e = 0; e < kEpisodes; ++e) episode_resets[e * kHorizon].fill_(1.0);
  const at::Tensor reset_each = means(episode_resets);
  EXPECT_TRUE(at::allclose(reset_each.narrow(0, 0, kHorizon), carried.narrow(0, 0, kHorizon)));
  EXPECT_GT((reset_each.narrow(0, kHorizon, T - kHorizon) - trials.actions.narrow(0, kHorizon, T - kHorizon))
                .abs()
                .max()
                .item<double>(),
            1e-3);
  // Inputs: done = 1 exactly at the first step of episodes 2 … E; the
  // previous reward is the last step's reward; all zero at t = 0.
  const int64_t I = policy.input_dim();
  for (int64_t b = 0; b < B; ++b) {
    EXPECT_TRUE(at::equal(trials.inputs[0][b].narrow(0, 2, I - 2), at::zeros({I - 2})));
    for (int64_t t = 1; t < T; ++t) {
      EXPECT_EQ(trials.inputs[t][b][I - 1].item<float>(), t % kHorizon == 0 ? 1.0f : 0.0f) << "t=" << t;
      EXPECT_EQ(trials.inputs[t][b][I - 2].item<float>(), trials.rewards[t - 1][b].item<float>()) << "t=" << t;
    }
  }
  // Episode returns add up the per-step rewards.
  for (int64_t b = 0; b < B; ++b) {
    for (int e = 0; e < kEpisodes; ++e) {
      EXPECT_NEAR(trials.episode_returns[b][e], trials.rewards.narrow(0, e * kHorizon, kHorizon).select(1, b).sum().item<double>(),
                  1e-5);
    }
  }
}

}  // namespace
}  // namespace metarl::runners
