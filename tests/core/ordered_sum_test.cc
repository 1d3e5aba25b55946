// core/ordered_sum: sums to one value whose bits do not depend on LibTorch's
// thread count, with gradients of any order.

#include <functional>
#include <vector>

#include <ATen/ATen.h>
#include <ATen/Parallel.h>
#include <gtest/gtest.h>
#include <torch/autograd.h>

#include "core/ordered_sum.h"
#include "tests/test_util.h"

namespace metarl {
namespace {

using testing::SameBits;

// f() evaluated on 1, 2 and 3 intra-op threads; the thread count restored.
std::vector<std::vector<at::Tensor>> OnThreads(const std::function<std::vector<at::Tensor>()>& f) {
  const int before = at::get_num_threads();
  std::vector<std::vector<at::Tensor>> out;
  for (int t : {1, 2, 3}) {
    at::set_num_threads(t);
    out.push_back(f());
  }
  at::set_num_threads(before);
  return out;
}

TEST(OrderedSum, EqualsTheClosedFormAtEverySizeAroundTheBlocks) {
  // 1 + 2 + … + n = n(n + 1)/2, exact in double for these n.
  for (int64_t n : {int64_t{1}, int64_t{7}, kOrderedSumBlock - 1, kOrderedSumBlock, kOrderedSumBlock + 1, 3 * kOrderedSumBlock + 5,
                    int64_t{40000}, int64_t{70000}}) {
    const at::Tensor x = at::arange(1, n + 1, at::kDouble).view({-1, 1});
    const at::Tensor s = OrderedSum(x);
    EXPECT_EQ(s.dim(), 0);
    EXPECT_EQ(s.item<double>(), static_cast<double>(n) * static_cast<double>(n + 1) / 2.0) << n;
  }
  // Beyond kOrderedSumBlock² elements the block sums are summed in blocks again.
  const int64_t big = kOrderedSumBlock * kOrderedSumBlock + 3;
  EXPECT_EQ(OrderedSum(at::ones({big}, at::kDouble)).item<double>(), static_cast<double>(big));
}

TEST(OrderedSum, SameBitsOnOneTwoAndThreeThreadsWhereTheLibTorchSumDiffers) {
  at::manual_seed(3);
  const at::Tensor x = at::randn({50000});
  const auto plain = OnThreads([&] { return std::vector<at::Tensor>{x.sum()}; });
  // The reason for this file: LibTorch's own sum of 50 000 floats changes with
  // the thread count (measured); if it ever stops doing so this line says so.
  EXPECT_FALSE(SameBits(plain[0][0], plain[1][0]) && SameBits(plain[0][0], plain[2][0]));
  const auto ordered = OnThreads([&] { return std::vector<at::Tensor>{OrderedSum(x)}; });
  EXPECT_TRUE(SameBits(ordered[0][0], ordered[1][0]));
  EXPECT_TRUE(SameBits(ordered[0][0], ordered[2][0]));
  EXPECT_NEAR(ordered[0][0].item<double>(), x.to(at::kDouble).sum().item<double>(), 1e-2);
}

// d/ds Σ (x·s)² = 2s Σ x², d/dx = 2s² x; d/db Σ (x + b)² = 2 Σ (x + b).
// Second order: d/ds of the s-gradient = 2 Σ x². All in double, compared
// with those closed forms, and the gradients' bits on 1, 2 and 3 threads.
TEST(OrderedSum, ScalarMultiplyAndAddHaveClosedFormGradientsOfFirstAndSecondOrder) {
  at::manual_seed(4);
  const at::Tensor x0 = at::randn({300, 150}, at::kDouble);  // 45 000 elements: above LibTorch's grain
  const double sum_x2 = (x0 * x0).sum().item<double>();
  const auto runs = OnThreads([&] {
    const at::Tensor x = x0.clone().requires_grad_(true);
    const at::Tensor s = at::full({1}, 0.7, at::kDouble).requires_grad_(true);
    const at::Tensor b = at::full({1}, -0.3, at::kDouble).requires_grad_(true);
    const at::Tensor y = MulByScalar(x, s);
    EXPECT_EQ(y.sizes(), x.sizes());
    const auto g = torch::autograd::grad({OrderedSum(y * y)}, {s, x}, {}, /*retain_graph=*/true, /*create_graph=*/true);
    const at::Tensor gss = torch::autograd::grad({g[0].sum()}, {s})[0];
    const at::Tensor gb = torch::autograd::grad({OrderedSum(AddScalar(x, b).pow(2))}, {b})[0];
    return std::vector<at::Tensor>{g[0].detach(), g[1].detach(), gss, gb};
  });
  const auto& r = runs[0];
  EXPECT_EQ(r[0].sizes(), at::IntArrayRef({1}));
  EXPECT_NEAR(r[0].item<double>(), 2.0 * 0.7 * sum_x2, 1e-9 * sum_x2);
  EXPECT_TRUE(at::allclose(r[1], 2.0 * 0.49 * x0, 1e-12, 1e-12));
  EXPECT_NEAR(r[2].item<double>(), 2.0 * sum_x2, 1e-9 * sum_x2);
  const double expected_gb = 2.0 * (x0.sum().item<double>() - 0.3 * static_cast<double>(x0.numel()));
  EXPECT_NEAR(r[3].item<double>(), expected_gb, 1e-9 * static_cast<double>(x0.numel()));
  for (int t : {1, 2}) {
    for (std::size_t i = 0; i < r.size(); ++i) EXPECT_TRUE(SameBits(r[i], runs[t][i])) << "output " << i;
  }
}

// Per-dimension scale s [D] over x [M, D]: d/ds_j Σ (x s)² = 2 s_j Σ_i x_ij²,
// d/dx = 2 s² ⊙ x, and d/ds_j of Σ_k (the s-gradient)_k = 2 Σ_i x_ij²; closed
// forms in double, and the same bits on 1, 2 and 3 threads. Rows longer than
// a block (M = 9 000) take the blocked path.
TEST(OrderedSum, PerDimensionMultiplyHasClosedFormGradientsOfFirstAndSecondOrder) {
  at::manual_seed(5);
  for (int64_t m : {int64_t{300}, int64_t{9000}}) {
    const at::Tensor x0 = at::randn({m, 7}, at::kDouble);
    const at::Tensor s0 = at::linspace(0.2, 1.4, 7, at::kDouble);
    const at::Tensor col_x2 = (x0 * x0).sum(0);  // [7]
    const auto runs = OnThreads([&] {
      const at::Tensor x = x0.clone().requires_grad_(true);
      const at::Tensor s = s0.clone().requires_grad_(true);
      const at::Tensor y = MulByLastDim(x, s);
      const auto g = torch::autograd::grad({OrderedSum(y * y)}, {s, x}, {}, true, true);
      const at::Tensor gss = torch::autograd::grad({g[0].sum()}, {s})[0];
      return std::vector<at::Tensor>{g[0].detach(), g[1].detach(), gss};
    });
    const auto& r = runs[0];
    EXPECT_TRUE(at::allclose(r[0], 2.0 * s0 * col_x2, 1e-10, 1e-9)) << m;
    EXPECT_TRUE(at::allclose(r[1], 2.0 * s0 * s0 * x0, 1e-12, 1e-12)) << m;
    EXPECT_TRUE(at::allclose(r[2], 2.0 * col_x2, 1e-10, 1e-9)) << m;
    for (int t : {1, 2}) {
      for (std::size_t i = 0; i < r.size(); ++i) EXPECT_TRUE(SameBits(r[i], runs[t][i])) << m << " output " << i;
    }
  }
  EXPECT_THROW(MulByLastDim(at::ones({4, 3}), at::ones({4})), std::runtime_error);
}

TEST(OrderedSum, ScalarOperandsMustHaveOneElement) {
  const at::Tensor x = at::ones({3});
  EXPECT_THROW(MulByScalar(x, at::ones({2})), std::runtime_error);
  EXPECT_THROW(AddScalar(x, at::ones({2})), std::runtime_error);
}

}  // namespace
}  // namespace metarl
