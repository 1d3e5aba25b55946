#include "runners/trial_runner.h"

#include <algorithm>
#include <cmath>
#include <stdexcept>

#include <ATen/ATen.h>

#include "core/device.h"
#include "core/error.h"
#include "core/rng.h"

namespace metarl::runners {

int64_t TrialBatch::total_steps() const {
  int64_t total = 0;
  for (int len : lengths) total += len;
  return total;
}

std::vector<double> TrialBatch::MeanEpisodeReturns() const {
  std::vector<double> mean(episodes_per_trial, 0.0);
  for (const auto& trial : episode_returns) {
    for (int e = 0; e < episodes_per_trial; ++e) mean[e] += trial[e] / static_cast<double>(episode_returns.size());
  }
  return mean;
}

TrialRunner::TrialRunner(const envs::TaskDistribution& distribution, VectorRunnerOptions options)
    : distribution_(distribution), spec_(distribution.spec()), pool_((options.Validate(), options.threads)) {}

TrialBatch TrialRunner::Sample(const std::vector<envs::Task>& tasks, int episodes_per_trial,
                               policies::RecurrentPolicy& policy, std::uint64_t seed,
                               std::uint64_t first_stream) {
  METARL_REQUIRE(!tasks.empty(), "rollout needs at least one task");
  METARL_REQUIRE(episodes_per_trial >= 1, "episodes per trial = ", episodes_per_trial, ": expected >= 1");
  METARL_REQUIRE(policy.obs_dim() == spec_.obs_dim && policy.act_dim() == spec_.act_dim &&
                     policy.discrete() == (spec_.num_actions > 0),
                 "recurrent policy (obs_dim ", policy.obs_dim(), ", act_dim ", policy.act_dim(),
                 policy.discrete() ? ", discrete" : ", continuous", ") does not fit env ", distribution_.name(),
                 " (obs_dim ", spec_.obs_dim, ", act_dim ", spec_.act_dim,
                 spec_.num_actions > 0 ? ", discrete)" : ", continuous)");
  for (const auto& task : tasks) distribution_.ValidateTask(task);

  const int64_t B = static_cast<int64_t>(tasks.size());
  const int64_t T = static_cast<int64_t>(episodes_per_trial) * spec_.horizon;
  const int64_t O = spec_.obs_dim, A = spec_.act_dim, I = policy.input_dim();
  while (static_cast<int64_t>(envs_.size()) < B) envs_.push_back(distribution_.MakeEnv());

  TrialBatch batch;
  batch.tasks = tasks;
  batch.episodes_per_trial = episodes_per_trial;
  batch.inputs = at::zeros({T, B, I}, at::kFloat);
  batch.actions = at::zeros({T, B, A}, at::kFloat);
  batch.rewards = at::zeros({T, B}, at::kFloat);
  batch.masks = at::zeros({T, B}, at::kFloat);
  batch.lengths.assign(B, 0);
  batch.unstable.assign(B, 0);
  batch.episode_returns.assign(B, std::vector<double>(episodes_per_trial, 0.0));

  std::vector<float> obs(B * O, 0.0f), clipped(B * A, 0.0f), prev_reward(B, 0.0f);
  std::vector<std::uint8_t> prev_done(B, 0), active(B, 1);
  std::vector<int> episode(B, 0);
  std::vector<Rng> rngs(B);
  const auto params = policy.parameters_list();
  at::Tensor x = HostBuffer({B, I}, params[0].device());
  float* x_data = x.data_ptr<float>();
  float* in_hist = batch.inputs.data_ptr<float>();
  float* act_hist = batch.actions.data_ptr<float>();
  float* rew = batch.rewards.data_ptr<float>();
  float* mask = batch.masks.data_ptr<float>();

  pool_.ParallelFor(B, [&](int64_t begin, int64_t end) {
    for (int64_t b = begin; b < end; ++b) {
      rngs[b].Seed(StreamSeed(seed, {first_stream + static_cast<std::uint64_t>(b)}));
      envs_[b]->ResetTask(tasks[b]);
      envs_[b]->Reset(rngs[b], Span<float>(obs.data() + b * O, O));
    }
  });

  at::Tensor h = at::zeros({B, policy.hidden_size()}, params[0].options().requires_grad(false));
  for (int64_t t = 0; t < T; ++t) {
    pool_.ParallelFor(B, [&](int64_t begin, int64_t end) {
      for (int64_t b = begin; b < end; ++b) {
        float* row = x_data + b * I;
        if (!active[b]) {
          std::fill(row, row + I, 0.0f);
          continue;
        }
        policy.WriteInput(obs.data() + b * O, t == 0, clipped.data() + b * A, prev_reward[b], prev_done[b] != 0, row);
        std::copy(row, row + I, in_hist + (t * B + b) * I);
      }
    });
    policies::RecurrentPolicy::ActResult step = policy.Act(x, h);
    h = step.hidden;
    bool any_active = false;
    pool_.ParallelFor(B, [&](int64_t begin, int64_t end) {
      for (int64_t b = begin; b < end; ++b) {
        if (!active[b]) continue;
        float* a = act_hist + (t * B + b) * A;
        step.sampler->Sample(b, rngs[b], a);
        for (int64_t i = 0; i < A; ++i) {
          if (!std::isfinite(a[i])) {
            throw std::runtime_error(Cat("the policy produced a non-finite action (NaN/Inf: ", a[i], ") for trial ",
                                         b, " at step ", t, "; its parameters have diverged"));
          }
          clipped[b * A + i] = std::clamp(a[i], spec_.act_low[i], spec_.act_high[i]);
        }
        const envs::StepResult r = envs_[b]->Step(Span<const float>(a, A), Span<float>(obs.data() + b * O, O));
        rew[t * B + b] = static_cast<float>(r.reward);
        mask[t * B + b] = 1.0f;
        batch.episode_returns[b][episode[b]] += r.reward;
        prev_reward[b] = static_cast<float>(r.reward);
        prev_done[b] = 0;
        batch.unstable[b] += r.unstable ? 1 : 0;
        if (r.terminated || r.truncated) {
          if (++episode[b] == episodes_per_trial) {
            active[b] = 0;
            batch.lengths[b] = static_cast<int>(t + 1);
          } else {
            envs_[b]->Reset(rngs[b], Span<float>(obs.data() + b * O, O));
            prev_done[b] = 1;
          }
        }
      }
    });
    for (int64_t b = 0; b < B && !any_active; ++b) any_active = active[b] != 0;
    if (!any_active) break;
  }
  return batch;
}

}  // namespace metarl::runners
