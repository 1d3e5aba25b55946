// algorithms/fewshot/batch_norm: training-mode batch norm whose bits do not
// depend on LibTorch's thread count, checked against the definition computed
// by hand and on 1, 2 and 3 threads.

#include <cmath>
#include <functional>
#include <vector>

#include <ATen/ATen.h>
#include <ATen/Parallel.h>
#include <gtest/gtest.h>
#include <torch/autograd.h>

#include "algorithms/fewshot/batch_norm.h"
#include "tests/test_util.h"

namespace metarl::algorithms::fewshot {
namespace {

using metarl::testing::SameBits;

// y[n, c, i] = γ_c (x[n, c, i] − μ_c) / sqrt(σ²_c + 1e-5) + β_c with μ_c, σ²_c
// the mean and biased variance of channel c over n and the spatial positions i.
TEST(TrainingBatchNorm, EqualsTheDefinitionWithAndWithoutSpatialPositions) {
  at::manual_seed(7);
  for (const std::vector<int64_t>& shape : {std::vector<int64_t>{6, 3, 1, 1}, std::vector<int64_t>{5, 3, 2, 3}}) {
    const at::Tensor x = at::randn(shape, at::kDouble);
    const at::Tensor gamma = at::rand({3}, at::kDouble) + 0.5, beta = at::randn({3}, at::kDouble);
    const at::Tensor y = TrainingBatchNorm(x, gamma, beta);
    ASSERT_EQ(y.sizes(), x.sizes());
    const int64_t n = shape[0], positions = shape[2] * shape[3];
    const at::Tensor xf = x.reshape({n, 3, positions}).contiguous();
    const at::Tensor yf = y.reshape({n, 3, positions}).contiguous();
    for (int64_t c = 0; c < 3; ++c) {
      double sum = 0.0, square = 0.0;
      for (int64_t i = 0; i < n; ++i) {
        for (int64_t p = 0; p < positions; ++p) sum += xf[i][c][p].item<double>();
      }
      const double mean = sum / static_cast<double>(n * positions);
      for (int64_t i = 0; i < n; ++i) {
        for (int64_t p = 0; p < positions; ++p) square += std::pow(xf[i][c][p].item<double>() - mean, 2);
      }
      const double inv = 1.0 / std::sqrt(square / static_cast<double>(n * positions) + 1e-5);
      for (int64_t i = 0; i < n; ++i) {
        for (int64_t p = 0; p < positions; ++p) {
          const double expected = gamma[c].item<double>() * (xf[i][c][p].item<double>() - mean) * inv +
                                  beta[c].item<double>();
          EXPECT_NEAR(yf[i][c][p].item<double>(), expected, 1e-12) << "shape " << shape[2] << "x" << shape[3];
        }
      }
    }
  }
}

// Outputs and gradients (first and second order, the incoming gradient
// strided as autograd hands it on through views) on 1, 2 and 3 threads, at
// sizes where LibTorch's own kernel for N×C×1×1 inputs gives other bits.
TEST(TrainingBatchNorm, SameBitsOnOneTwoAndThreeThreads) {
  at::manual_seed(8);
  for (const std::vector<int64_t>& shape : {std::vector<int64_t>{120, 68, 1, 1}, std::vector<int64_t>{60, 68, 3, 3}}) {
    const at::Tensor x0 = at::randn(shape), g0 = at::rand({68}) + 0.5, b0 = at::randn({68});
    const at::Tensor weights = at::randn({shape[1], shape[0], shape[2], shape[3]});  // read transposed: strided
    std::vector<std::vector<at::Tensor>> runs;
    const int before = at::get_num_threads();
    for (int t : {1, 2, 3}) {
      at::set_num_threads(t);
      const at::Tensor x = x0.clone().requires_grad_(true), g = g0.clone().requires_grad_(true);
      const at::Tensor y = TrainingBatchNorm(x, g, b0);
      const at::Tensor loss = (y * y * weights.transpose(0, 1)).sum(at::IntArrayRef{1, 2, 3}).square().sum();
      const auto first = torch::autograd::grad({loss}, {x, g}, {}, /*retain_graph=*/true, /*create_graph=*/true);
      const at::Tensor second = torch::autograd::grad({first[1].square().sum()}, {x})[0];
      runs.push_back({y.detach(), first[0].detach(), first[1].detach(), second});
    }
    at::set_num_threads(before);
    for (int t : {1, 2}) {
      for (std::size_t i = 0; i < runs[0].size(); ++i) {
        EXPECT_TRUE(SameBits(runs[0][i], runs[t][i])) << "output " << i << ", shape " << shape[2] << "x" << shape[3]
                                                       << ", threads 1 vs " << t + 1;
      }
    }
  }
}

}  // namespace
}  // namespace metarl::algorithms::fewshot
