// The RL² policy: its input layout, the gradient of log-probabilities and
// values through the recurrent unroll against central differences (both
// distributions), truncated BPTT changing gradients but not values, and the
// categorical sampler's frequencies.

#include "policies/recurrent_policy.h"

#include <ATen/ATen.h>
#include <gtest/gtest.h>
#include <torch/autograd.h>

#include "algorithms/common/flat_params.h"
#include "policies/categorical.h"
#include "tests/algorithms/meta_fixtures.h"

namespace metarl::policies {
namespace {

using algorithms::Flatten;
using algorithms::testing::FiniteDifferenceGradient;
using algorithms::testing::RelativeError;

RecurrentPolicyOptions Tiny() {
  RecurrentPolicyOptions o;
  o.hidden_size = 4;
  o.init_std = 0.7;
  return o;
}

TEST(RecurrentPolicy, InputIsObservationPreviousActionRewardAndDone) {
  Rng rng(1);
  const RecurrentPolicy gaussian(3, 2, 0, Tiny(), rng);
  ASSERT_EQ(gaussian.input_dim(), 3 + 2 + 2);
  const float obs[3] = {1, 2, 3}, action[2] = {-0.5f, 0.25f};
  float x[7];
  gaussian.WriteInput(obs, /*first=*/false, action, 1.5f, /*prev_done=*/true, x);
  EXPECT_EQ(std::vector<float>(x, x + 7), (std::vector<float>{1, 2, 3, -0.5f, 0.25f, 1.5f, 1.0f}));
  gaussian.WriteInput(obs, /*first=*/true, action, 1.5f, true, x);
  EXPECT_EQ(std::vector<float>(x, x + 7), (std::vector<float>{1, 2, 3, 0, 0, 0, 0}));

  const RecurrentPolicy categorical(1, 1, 4, Tiny(), rng);
  ASSERT_EQ(categorical.input_dim(), 1 + 4 + 2);
  const float zero[1] = {0}, arm[1] = {2};
  categorical.WriteInput(zero, false, arm, 1.0f, false, x);
  EXPECT_EQ(std::vector<float>(x, x + 7), (std::vector<float>{0, 0, 0, 1, 0, 1, 0}));
  EXPECT_EQ(categorical.ParameterNames().size(), categorical.parameters_list().size());
  EXPECT_EQ(gaussian.ParameterNames().back(), "log_std");
}

// Double-precision copies of the parameters with non-zero biases, leaves that require grad.
Params DoubleParams(const RecurrentPolicy& policy) {
  Params out;
  at::manual_seed(7);
  for (const auto& p : policy.parameters_list()) {
    out.push_back((p.detach().to(at::kDouble) + 0.1 * at::randn(p.sizes(), at::kDouble)).requires_grad_(true));
  }
  return out;
}

TEST(RecurrentPolicy, GradientThroughTheUnrollMatchesFiniteDifferences) {
  constexpr int64_t T = 6, B = 2;
  for (const int64_t num_actions : {0, 3}) {
    SCOPED_TRACE(num_actions == 0 ? "gaussian" : "categorical");
    Rng rng(2);
    const int64_t act_dim = num_actions > 0 ? 1 : 2;
    const RecurrentPolicy policy(2, act_dim, num_actions, Tiny(), rng);
    const Params p = DoubleParams(policy);
    const at::Tensor x = at::randn({T, B, policy.input_dim()}, at::kDouble);
    const at::Tensor actions = num_actions > 0 ? at::randint(num_actions, {T, B, 1}, at::kLong).to(at::kDouble)
                                               : at::randn({T, B, act_dim}, at::kDouble);
    const at::Tensor w = at::randn({3, T, B}, at::kDouble);
    auto loss = [&](const Params& params) {
      const RecurrentEvaluation e = policy.Evaluate(x, actions, 0, params);
      return (e.log_probs * w[0]).sum() + (e.values * w[1]).sum() + (e.entropy * w[2]).sum();
    };
    const at::Tensor analytic = Flatten(torch::autograd::grad({loss(p)}, p));
    const at::Tensor numeric =
        FiniteDifferenceGradient([&](const Params& q) { return loss(q).item<double>(); }, p, 1e-6);
    EXPECT_GT(analytic.norm().item<double>(), 1e-3);
    EXPECT_LT(RelativeError(analytic, numeric), 1e-7);
  }
}

TEST(RecurrentPolicy, TruncatedBackpropagationChangesGradientsNotValues) {
  constexpr int64_t T = 8, B = 3;
  Rng rng(3);
  const RecurrentPolicy policy(2, 2, 0, Tiny(), rng);
  const Params p = DoubleParams(policy);
  const at::Tensor x = at::randn({T, B, policy.input_dim()}, at::kDouble);
  const at::Tensor actions = at::randn({T, B, 2}, at::kDouble);
  const RecurrentEvaluation full = policy.Evaluate(x, actions, 0, p);
  const RecurrentEvaluation chunked = policy.Evaluate(x, actions, 3, p);
  EXPECT_TRUE(at::equal(full.log_probs, chunked.log_probs));
  EXPECT_TRUE(at::equal(full.values, chunked.values));
  // The last step's gradient w.r.t. w_hh: truncation at step 6 drops the
  // paths through steps 0 … 5.
  const at::Tensor g_full = torch::autograd::grad({full.values[T - 1].sum()}, {p[1]})[0];
  const at::Tensor g_chunk = torch::autograd::grad({chunked.values[T - 1].sum()}, {p[1]})[0];
  EXPECT_GT((g_full - g_chunk).abs().max().item<double>(), 1e-6);
  // With a chunk as long as the trial, nothing is truncated.
  const RecurrentEvaluation whole = policy.Evaluate(x, actions, T, p);
  const at::Tensor g_whole = torch::autograd::grad({whole.values[T - 1].sum()}, {p[1]})[0];
  EXPECT_TRUE(at::allclose(g_full, g_whole, 1e-12, 1e-14));
}

TEST(CategoricalRowSampler, DrawsEachIndexWithItsProbability) {
  // Row 1 gives two indices a (numerically) zero probability.
  const at::Tensor logits = at::cat({at::log(at::tensor({0.1, 0.2, 0.3, 0.4}, at::kDouble)),
                                     at::tensor({0.0, -1e30, 0.0, -1e30}, at::kDouble)})
                                .view({2, 4});
  CategoricalRowSampler sampler(logits);
  constexpr int kDraws = 200000;
  const double expected[2][4] = {{0.1, 0.2, 0.3, 0.4}, {0.5, 0.0, 0.5, 0.0}};
  for (int64_t row = 0; row < 2; ++row) {
    Rng rng(11 + row);
    std::vector<int> counts(4, 0);
    for (int i = 0; i < kDraws; ++i) {
      float a = -1.0f;
      sampler.Sample(row, rng, &a);
      ASSERT_GE(a, 0.0f);
      ASSERT_LT(a, 4.0f);
      ++counts[static_cast<int>(a)];
    }
    for (int k = 0; k < 4; ++k) {
      const double p = expected[row][k], sd = std::sqrt(p * (1 - p) / kDraws);
      EXPECT_NEAR(counts[k] / static_cast<double>(kDraws), p, 5 * sd + 1e-12) << "row " << row << " index " << k;
    }
  }
  // Log-probabilities and entropy by hand.
  const at::Tensor lp = CategoricalLogProb(logits, at::tensor({3.0, 2.0}, at::kDouble).view({2, 1}));
  EXPECT_NEAR(lp[0].item<double>(), std::log(0.4 / 1.0), 1e-12);
  EXPECT_NEAR(lp[1].item<double>(), std::log(0.5), 1e-12);
  EXPECT_NEAR(CategoricalEntropy(logits)[1].item<double>(), std::log(2.0), 1e-12);
}

}  // namespace
}  // namespace metarl::policies
