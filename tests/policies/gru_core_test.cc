// The RL² recurrent core: the GRU step against LibTorch's own GRU cell, the
// gradient through an unroll against central differences, and hidden-state
// resets exactly where the reset mask says.

#include "policies/gru_core.h"

#include <ATen/ATen.h>
#include <gtest/gtest.h>
#include <torch/autograd.h>

#include "algorithms/common/flat_params.h"
#include "tests/algorithms/meta_fixtures.h"

namespace metarl::policies {
namespace {

using algorithms::Flatten;
using algorithms::testing::FiniteDifferenceGradient;
using algorithms::testing::RelativeError;

constexpr int64_t kIn = 3, kHidden = 4, kOut = 2, kSteps = 5, kBatch = 2;

// Double-precision copies of the module's parameters with non-zero biases,
// as leaves that require grad.
Params DoubleParams(const GruCore& core) {
  Params out;
  at::manual_seed(5);
  for (const auto& p : core.parameters_list()) {
    out.push_back((p.detach().to(at::kDouble) + 0.1 * at::randn(p.sizes(), at::kDouble)).requires_grad_(true));
  }
  return out;
}

TEST(GruCore, StepIsLibTorchsGruCell) {
  Rng rng(1);
  GruCore core({kIn, kHidden, kOut}, rng);
  const Params p = DoubleParams(core);
  const at::Tensor x = at::randn({kBatch, kIn}, at::kDouble), h = at::randn({kBatch, kHidden}, at::kDouble);
  // at::gru_cell takes weights [3H, in] with the same gate order (r, z, n).
  const at::Tensor expected = at::gru_cell(x, h, p[0].t(), p[1].t(), p[2], p[3]);
  EXPECT_TRUE(at::allclose(core.Step(x, h, p), expected, 1e-12, 1e-12));
  EXPECT_EQ(core.ParameterNames().size(), core.parameters_list().size());
}

TEST(GruCore, UnrollGradientMatchesFiniteDifferences) {
  Rng rng(2);
  GruCore core({kIn, kHidden, kOut}, rng);
  const Params p = DoubleParams(core);
  const at::Tensor x = at::randn({kSteps, kBatch, kIn}, at::kDouble);
  const at::Tensor h0 = 0.5 * at::randn({kBatch, kHidden}, at::kDouble);
  at::Tensor resets = at::zeros({kSteps, kBatch}, at::kDouble);
  resets[3][0] = 1.0;  // a trial boundary inside the unroll for sequence 0
  const at::Tensor w_policy = at::randn({kSteps, kBatch, kOut}, at::kDouble);
  const at::Tensor w_value = at::randn({kSteps, kBatch}, at::kDouble);
  auto loss = [&](const Params& params) {
    const GruHeads heads = core.Heads(core.Unroll(x, h0, resets, params), params);
    return (heads.policy * w_policy).sum() + (heads.value * w_value).sum();
  };
  const at::Tensor analytic = Flatten(torch::autograd::grad({loss(p)}, p));
  const at::Tensor numeric =
      FiniteDifferenceGradient([&](const Params& q) { return loss(q).item<double>(); }, p, 1e-6);
  EXPECT_GT(analytic.norm().item<double>(), 1e-3);
  EXPECT_LT(RelativeError(analytic, numeric), 1e-7);
}

TEST(GruCore, StateIsResetExactlyWhereTheMaskSaysAndCarriedElsewhere) {
  Rng rng(3);
  GruCore core({kIn, kHidden, kOut}, rng);
  const Params p = core.parameters_list();
  torch::NoGradGuard no_grad;
  const at::Tensor x = at::randn({kSteps, 1, kIn});
  const at::Tensor zero = at::zeros({1, kHidden});
  at::Tensor resets = at::zeros({kSteps, 1});
  resets[0][0] = 1.0;
  resets[3][0] = 1.0;
  const at::Tensor joined = core.Unroll(x, at::ones({1, kHidden}), resets, p);
  // Two trials unrolled separately from a zero state give the same states.
  const at::Tensor first = core.Unroll(x.narrow(0, 0, 3), zero, at::zeros({3, 1}), p);
  const at::Tensor second = core.Unroll(x.narrow(0, 3, 2), zero, at::zeros({2, 1}), p);
  EXPECT_TRUE(at::equal(joined, at::cat({first, second})));
  // Without the boundary at step 3 the state is carried, and step 3 differs.
  resets[3][0] = 0.0;
  const at::Tensor carried = core.Unroll(x, at::ones({1, kHidden}), resets, p);
  EXPECT_TRUE(at::equal(carried.narrow(0, 0, 3), first));
  EXPECT_FALSE(at::allclose(carried[3], second[0]));
}

}  // namespace
}  // namespace metarl::policies
