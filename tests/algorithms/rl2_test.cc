// RL² learns to explore: on k = 5 armed Bernoulli bandits with n = 10 pulls
// per trial (means ~ U[0, 1]), a GRU policy trained with PPO over trials
// collects at least the mean total reward of Thompson sampling, implemented
// here. A memoryless policy cannot beat random play (5.0): each pull is its
// own episode, so the gain must come from the hidden state carried across
// the episodes of a trial.

#include <cmath>
#include <cstdio>

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

TEST(Rl2, BeatsThompsonSamplingOnFiveArmedBandits) {
  const double thompson = ThompsonSampling(40000, 3);
  // Sanity: Thompson sampling lies between random play (5.0) and the oracle (≈ 8.33 = n·E[max of 5 U(0,1)]).
  ASSERT_GT(thompson, 5.3);
  ASSERT_LT(thompson, 6.5);

  ConfigMap config = ConfigMap::FromFile(std::string(METARL_SOURCE_DIR) + "/configs/rl2/bandit-k5-n10.yaml",
                                         {"threads=2", "num-batches=120"});
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
}

}  // namespace
}  // namespace metarl::runners
