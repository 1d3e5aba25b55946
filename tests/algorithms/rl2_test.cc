// RL² learns to explore: on k = 5 armed Bernoulli bandits with n = 10 pulls
// per trial (means ~ U[0, 1]), a GRU policy trained with PPO over trials
// collects at least the mean total reward of Thompson sampling, implemented
// here. A memoryless policy cannot beat random play (5.0): each pull is its
// own episode, so the gain must come from the hidden state carried across
// the episodes of a trial.

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <map>
#include <utility>
#include <vector>

#include <gtest/gtest.h>

#include "runners/maml_setup.h"
#include "runners/rl2_setup.h"
#include "runners/rl2_trainer.h"

namespace metarl::runners {
namespace {

constexpr int kArms = 5, kPulls = 10;

// Gamma(a, 1) for integer a: a sum of a unit exponentials.
double GammaInt(int a, Rng& rng) {
  double x = 0.0;
  for (int i = 0; i < a; ++i) x -= std::log(1.0 - rng.Uniform());
  return x;
}

// Mean total reward per trial of Thompson sampling with Beta(1, 1) priors.
double ThompsonSampling(int trials, std::uint64_t seed) {
  Rng rng(seed);
  double total = 0.0;
  for (int trial = 0; trial < trials; ++trial) {
    double means[kArms];
    int wins[kArms] = {}, losses[kArms] = {};
    for (double& m : means) m = rng.Uniform();
    for (int pull = 0; pull < kPulls; ++pull) {
      int best = 0;
      double best_draw = -1.0;
      for (int k = 0; k < kArms; ++k) {
        const double x = GammaInt(wins[k] + 1, rng), y = GammaInt(losses[k] + 1, rng);
        const double draw = x / (x + y);
        if (draw > best_draw) best_draw = draw, best = k;
      }
      const bool win = rng.Bernoulli(means[best]);
      (win ? wins : losses)[best] += 1;
      total += win ? 1.0 : 0.0;
    }
  }
  return total / trials;
}

// The Bayes-optimal expected total reward over `pulls` pulls when every arm's
// mean is U[0, 1] (Beta(1, 1) priors), by dynamic programming over the
// posterior counts: an arm with s wins and f losses pays with probability
// (s + 1)/(s + f + 2). No policy can beat it in expectation. States are the
// sorted (wins, losses) pairs of the arms, so symmetric states share a value.
class BayesOptimalBandit {
 public:
  using State = std::vector<std::pair<int, int>>;
  double Value(State state, int pulls) {
    if (pulls == 0) return 0.0;
    std::sort(state.begin(), state.end());
    auto key = std::make_pair(state, pulls);
    if (auto it = memo_.find(key); it != memo_.end()) return it->second;
    double best = 0.0;
    for (std::size_t k = 0; k < state.size(); ++k) {
      const auto [s, f] = state[k];
      const double p = (s + 1.0) / (s + f + 2.0);
      State win = state, loss = state;
      win[k].first += 1;
      loss[k].second += 1;
      best = std::max(best, p * (1.0 + Value(win, pulls - 1)) + (1.0 - p) * Value(loss, pulls - 1));
    }
    memo_.emplace(std::move(key), best);
    return best;
  }

 private:
  std::map<std::pair<State, int>, double> memo_;
};

TEST(Rl2, BayesOptimalBanditValueMatchesHandCases) {
  BayesOptimalBandit dp;
  // One arm: nothing to choose, n pulls of a U[0, 1] coin pay n/2.
  EXPECT_NEAR(dp.Value({{0, 0}}, 7), 3.5, 1e-12);
  // Two arms, two pulls: 1/2 for the first; after a win stay (2/3), after a
  // loss switch (1/2): 1/2 + (1/2·2/3 + 1/2·1/2) = 13/12.
  EXPECT_NEAR(dp.Value({{0, 0}, {0, 0}}, 2), 13.0 / 12.0, 1e-12);
  // Five arms, ten pulls: between Thompson sampling (≈ 5.8) and the oracle (≈ 8.33).
  const double v = dp.Value(BayesOptimalBandit::State(kArms, {0, 0}), kPulls);
  EXPECT_GT(v, 6.5);
  EXPECT_LT(v, 6.8);
}

TEST(Rl2, BeatsThompsonSamplingOnFiveArmedBandits) {
  const double thompson = ThompsonSampling(40000, 3);
  // Sanity: Thompson sampling lies between random play (5.0) and the oracle (≈ 8.33 = n·E[max of 5 U(0,1)]).
  ASSERT_GT(thompson, 5.3);
  ASSERT_LT(thompson, 6.5);

  ConfigMap config = ConfigMap::FromFile(std::string(METARL_SOURCE_DIR) + "/configs/rl2/bandit-k5-n10.yaml",
                                         {"threads=2", "num-batches=120", "policy.hidden-size=32"});  // a smaller GRU: seconds
  Rl2Setup setup(config);
  for (int64_t i = 0; i < setup.options().num_batches; ++i) RunRl2Iteration(setup, i);

  Rng task_rng(StreamSeed(99, {kEvalTasks}));
  const auto tasks = setup.distribution().Sample(4000, task_rng);
  const TrialBatch trials = setup.runner().Sample(tasks, kPulls, setup.policy(), StreamSeed(99, {kEvalRollouts}));
  double rl2 = 0.0;
  for (double r : trials.MeanEpisodeReturns()) rl2 += r;
  // Standard errors: ≈ 0.03 (RL², 4000 trials) and ≈ 0.01 (Thompson, 40000).
  std::printf("mean total reward per trial: RL² %.3f, Thompson sampling %.3f\n", rl2, thompson);
  EXPECT_GE(rl2, thompson);
  // No policy beats the Bayes-optimal value (6.660) in expectation; above it by
  // more than 3 standard errors means the agent sees what it should not (an
  // arm's mean, a reward before it acts).
  BayesOptimalBandit dp;
  const double optimal = dp.Value(BayesOptimalBandit::State(kArms, {0, 0}), kPulls);
  std::printf("Bayes-optimal mean total reward per trial: %.4f\n", optimal);
  EXPECT_LE(rl2, optimal + 0.1);
}

}  // namespace
}  // namespace metarl::runners
