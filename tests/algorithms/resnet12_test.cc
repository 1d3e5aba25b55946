// ResNet-12 (algorithms/fewshot/resnet12.h): its parameter count against the
// sum over its layers written out here (12.4 M for 64-160-320-640, the
// figure MetaOptNet and RFS quote), its features against the block's
// definition computed one task at a time with ungrouped convolutions and
// LibTorch's own batch norm, per-task parameters, and finite differences.

#include <cmath>
#include <vector>

#include <ATen/ATen.h>
#include <gtest/gtest.h>
#include <torch/autograd.h>

#include "algorithms/fewshot/resnet12.h"
#include "core/rng.h"
#include "tests/test_util.h"

namespace metarl::algorithms::fewshot {
namespace {

int64_t Count(const std::vector<std::vector<int64_t>>& shapes, std::size_t last) {
  int64_t n = 0;
  for (std::size_t i = 0; i < last; ++i) {
    int64_t k = 1;
    for (int64_t s : shapes[i]) k *= s;
    n += k;
  }
  return n;
}

TEST(ResNet12, ParameterCountAndFeatureShapeAreMetaOptNets) {
  const ResNet12 net({3, 84, 84}, 5, ResNet12Options{});
  // Per block (in → F): 3×3 convs in·F·9 + 2·F·F·9, shortcut in·F, four
  // batch norms 8·F: 76 160 + 564 480 + 2 357 760 + 9 425 920.
  EXPECT_EQ(Count(net.ParameterShapes(), static_cast<std::size_t>(net.num_body_params())), 12424320);
  EXPECT_EQ(net.feature_dim(), 640 * 5 * 5);  // 84 → 42 → 21 → 10 → 5
  ResNet12Options average;
  average.feature_pool = "average";
  EXPECT_EQ(ResNet12({3, 84, 84}, 5, average).feature_dim(), 640);
  EXPECT_EQ(net.ParameterNames()[9], "block0.shortcut.weight");
  EXPECT_EQ(net.ParameterNames()[47], "block3.shortcut_bn.bias");
  ResNet12Options bad;
  bad.channels = {64, 64};
  EXPECT_NE(testing::InvalidArgumentMessage([&] { ResNet12({3, 84, 84}, 5, bad); }).find("net.channels"),
            std::string::npos);
  EXPECT_NE(testing::InvalidArgumentMessage([&] { ResNet12({3, 8, 8}, 5, ResNet12Options{}); }).find("16×16"),
            std::string::npos);
}

// One task's features from the definition: per block, LeakyReLU(BN(conv))
// twice, BN(conv) once, plus BN(1×1 conv) of the block's input, LeakyReLU,
// 2×2 max-pool; batch norm in training mode (LibTorch's kernel, batch
// statistics).
// With `running` (16 mean/variance pairs), batch norm in evaluation mode
// with them instead.
at::Tensor Reference(const Params& body, const at::Tensor& x, double slope, bool average,
                     const Params& running = {}) {
  at::Tensor h = x;  // [N, C, H, W]
  int layer = 0;
  auto conv_bn = [&](const at::Tensor& in, const at::Tensor& w, const at::Tensor& g, const at::Tensor& b) {
    const at::Tensor c = at::conv2d(in, w, {}, 1, w.size(-1) / 2);
    const int l = layer++;
    if (!running.empty()) {
      return at::batch_norm(c, g, b, running[2 * l], running[2 * l + 1], /*training=*/false, 0.0, 1e-5, false);
    }
    return at::batch_norm(c, g, b, {}, {}, /*training=*/true, 0.0, 1e-5, false);
  };
  for (int b = 0; b < 4; ++b) {
    const auto p = [&](int i) { return body[static_cast<std::size_t>(12 * b + i)]; };
    at::Tensor y = at::leaky_relu(conv_bn(h, p(0), p(1), p(2)), slope);
    y = at::leaky_relu(conv_bn(y, p(3), p(4), p(5)), slope);
    y = conv_bn(y, p(6), p(7), p(8));
    h = at::max_pool2d(at::leaky_relu(y + conv_bn(h, p(9), p(10), p(11)), slope), {2, 2});
  }
  return average ? h.mean({2, 3}) : h.flatten(1);
}

TEST(ResNet12, FeaturesFollowTheBlockDefinitionTaskByTask) {
  for (const bool average : {false, true}) {
    ResNet12Options o;
    o.channels = {4, 6, 5, 3};
    o.feature_pool = average ? "average" : "flatten";
    const ResNet12 net({3, 32, 32}, 4, o);
    Rng rng(2);
    Params shared;
    for (const auto& t : net.Init(rng)) shared.push_back(t.to(at::kDouble));
    const Params body(shared.begin(), shared.begin() + net.num_body_params());
    at::manual_seed(3);
    const at::Tensor x = at::randn({2, 5, 3, 32, 32}, at::kDouble);
    // Shared parameters, and per-task ones (task 1 with perturbed weights).
    Params per_task;
    for (const auto& p : body) {
      const at::Tensor other = p + 0.1 * at::randn(p.sizes(), at::kDouble);
      per_task.push_back(at::stack({p, other}));
    }
    for (const bool stacked : {false, true}) {
      const at::Tensor f = net.Features(stacked ? per_task : body, x);
      ASSERT_EQ(f.sizes(), at::IntArrayRef({2, 5, net.feature_dim()}));
      for (int64_t t = 0; t < 2; ++t) {
        Params task;
        for (const auto& p : (stacked ? per_task : body)) task.push_back(stacked ? p[t] : p);
        const at::Tensor expected = Reference(task, x[t], o.leaky_slope, average);
        EXPECT_LT((f[t] - expected).abs().max().item<double>(), 1e-10)
            << (stacked ? "per-task" : "shared") << " task " << t << (average ? " average" : " flatten");
      }
    }
  }
}

// batch-norm: running (MetaOptNet's and RFS's evaluation): 16 running pairs
// named after their layers; features with given averages equal the
// definition in evaluation mode; a training pass reports each layer's batch
// moments, the first against the first convolution's output computed here.
TEST(ResNet12, RunningStatisticsFollowEvaluationMode) {
  ResNet12Options o;
  o.channels = {4, 6, 5, 3};
  o.batch_norm = "running";
  const ResNet12 net({3, 32, 32}, 4, o);
  const auto spec = net.RunningStatisticsSpec();
  ASSERT_EQ(spec.names.size(), 32u);
  EXPECT_EQ(spec.names[0], "block0.bn1.running_mean");
  EXPECT_EQ(spec.names[7], "block0.shortcut_bn.running_var");
  EXPECT_EQ(spec.init[31].sizes(), at::IntArrayRef({3}));
  Rng rng(8);
  Params params;
  for (const auto& t : net.Init(rng)) params.push_back(t.to(at::kDouble));
  const Params body(params.begin(), params.begin() + net.num_body_params());
  at::manual_seed(9);
  Params running;  // pairs in spec order: mean, var
  for (std::size_t i = 0; i < spec.init.size(); i += 2) {
    running.push_back(0.3 * at::randn(spec.init[i].sizes(), at::kDouble));
    running.push_back(0.5 + at::rand(spec.init[i].sizes(), at::kDouble));
  }
  const at::Tensor x = at::randn({2, 3, 3, 32, 32}, at::kDouble);
  FunctionalNet::NormPass eval;
  eval.running = &running;
  const at::Tensor f = net.FeaturesWithNorm(body, x, eval);
  for (int64_t t = 0; t < 2; ++t) {
    EXPECT_LT((f[t] - Reference(body, x[t], o.leaky_slope, false, running)).abs().max().item<double>(), 1e-10);
  }
  std::vector<FunctionalNet::ObservedStatistics> observed;
  FunctionalNet::NormPass train;
  train.observed = &observed;
  (void)net.FeaturesWithNorm(body, x, train);
  ASSERT_EQ(observed.size(), 16u);
  for (std::size_t l = 0; l < 16; ++l) EXPECT_EQ(observed[l].layer, static_cast<int64_t>(l));
  for (int64_t t = 0; t < 2; ++t) {
    const at::Tensor c = at::conv2d(x[t], body[0], {}, 1, 1);  // [3, 4, 32, 32]
    const at::Tensor mean = c.mean({0, 2, 3});
    const at::Tensor var = (c - mean.view({1, 4, 1, 1})).pow(2).sum({0, 2, 3}) / (3 * 32 * 32 - 1);
    EXPECT_LT((observed[0].stats[t][0] - mean).abs().max().item<double>(), 1e-12);
    EXPECT_LT((observed[0].stats[t][1] - var).abs().max().item<double>(), 1e-12);
  }
}

// d(Σ features · r)/dθ by autograd against central differences, for a few
// entries of the first and last blocks' tensors (double precision).
TEST(ResNet12, GradientsMatchFiniteDifferences) {
  ResNet12Options o;
  o.channels = {3, 3, 3, 3};
  const ResNet12 net({2, 16, 16}, 2, o);
  Rng rng(5);
  Params params;
  for (const auto& t : net.Init(rng)) params.push_back(t.to(at::kDouble).requires_grad_(true));
  const Params body(params.begin(), params.begin() + net.num_body_params());
  at::manual_seed(6);
  const at::Tensor x = at::randn({1, 4, 2, 16, 16}, at::kDouble);
  const at::Tensor r = at::randn({1, 4, net.feature_dim()}, at::kDouble);
  auto objective = [&] { return (net.Features(body, x) * r).sum(); };
  std::vector<at::Tensor> inputs(body.begin(), body.end());
  const auto grads = torch::autograd::grad({objective()}, inputs);
  for (const std::size_t i : {std::size_t{0}, std::size_t{1}, std::size_t{9}, std::size_t{44}, std::size_t{46}}) {
    for (const int64_t k : {int64_t{0}, int64_t{2}}) {
      torch::NoGradGuard no_grad;
      at::Tensor flat = body[i].view({-1});
      const double h = 1e-6, saved = flat[k].item<double>();
      flat[k] = saved + h;
      const double up = objective().item<double>();
      flat[k] = saved - h;
      const double down = objective().item<double>();
      flat[k] = saved;
      const double fd = (up - down) / (2 * h), ad = grads[i].view({-1})[k].item<double>();
      EXPECT_NEAR(ad, fd, 1e-5 * std::max(1.0, std::abs(fd))) << net.ParameterNames()[i] << "[" << k << "]";
    }
  }
}

}  // namespace
}  // namespace metarl::algorithms::fewshot
