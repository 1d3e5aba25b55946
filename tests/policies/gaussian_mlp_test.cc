#include "policies/gaussian_mlp.h"

#include <cmath>

#include <ATen/ATen.h>
#include <gtest/gtest.h>
#include <torch/autograd.h>

namespace metarl::policies {
namespace {

GaussianMlpOptions Small(const std::string& nonlinearity = "tanh") {
  GaussianMlpOptions o;
  o.hidden_sizes = {5, 4};
  o.nonlinearity = nonlinearity;
  o.init_std = 0.7;
  return o;
}

Params ToDouble(const Params& p) {
  Params out;
  for (const auto& t : p) out.push_back(t.detach().to(at::kDouble).clone().requires_grad_(true));
  return out;
}

TEST(DiagGaussian, LogProbEntropyAndKlMatchClosedForms) {
  const at::Tensor mean = at::tensor({0.5, -1.0}, at::kDouble).view({1, 2});
  const at::Tensor log_std = at::tensor({std::log(2.0), std::log(0.5)}, at::kDouble);
  DiagGaussian d(mean, log_std);
  const at::Tensor x = at::tensor({1.5, -1.25}, at::kDouble).view({1, 2});
  // log N(1.5 | 0.5, 4) + log N(-1.25 | -1, 0.25)
  const double lp = (-0.5 * 0.25 - std::log(2.0) - 0.5 * std::log(2 * M_PI)) +
                    (-0.5 * 0.25 - std::log(0.5) - 0.5 * std::log(2 * M_PI));
  EXPECT_NEAR(d.LogProb(x).item<double>(), lp, 1e-12);
  const double h = 2 * 0.5 * (1 + std::log(2 * M_PI)) + std::log(2.0) + std::log(0.5);
  EXPECT_NEAR(d.Entropy().item<double>(), h, 1e-12);
  EXPECT_NEAR(d.Kl(d).item<double>(), 0.0, 1e-12);
  DiagGaussian q(at::tensor({0.0, 0.0}, at::kDouble).view({1, 2}), at::zeros({2}, at::kDouble));
  // KL(p||q) per dim: log(σq/σp) + (σp² + (μp-μq)²)/(2σq²) - 1/2
  const double kl = (std::log(1 / 2.0) + (4 + 0.25) / 2 - 0.5) + (std::log(1 / 0.5) + (0.25 + 1) / 2 - 0.5);
  EXPECT_NEAR(d.Kl(q).item<double>(), kl, 1e-12);
}

TEST(GaussianMlp, InitialisationIsDeterministicPerSeed) {
  Rng r1(5), r2(5), r3(6);
  GaussianMlpPolicy a(3, 2, Small(), r1), b(3, 2, Small(), r2), c(3, 2, Small(), r3);
  const Params pa = a.parameters_list(), pb = b.parameters_list(), pc = c.parameters_list();
  ASSERT_EQ(pa.size(), 7u);  // 3 layers × (weight, bias) + log_std
  for (std::size_t i = 0; i < pa.size(); ++i) EXPECT_TRUE(at::equal(pa[i], pb[i]));
  EXPECT_FALSE(at::equal(pa[0], pc[0]));
  EXPECT_EQ(pa[0].sizes(), (at::IntArrayRef{3, 5}));
  EXPECT_NEAR(pa.back()[0].item<float>(), std::log(0.7f), 1e-6);
  EXPECT_EQ(a.ParameterNames().back(), "log_std");
}

TEST(GaussianMlp, ExplicitParametersDoNotMutateTheModule) {
  Rng rng(1);
  GaussianMlpPolicy p(3, 2, Small("relu"), rng);
  const at::Tensor obs = at::randn({4, 3});
  const at::Tensor before = p.Forward(obs).mean().detach().clone();
  Params adapted;
  for (const auto& t : p.parameters_list()) adapted.push_back(t.detach() + 0.1);
  const at::Tensor with_adapted = p.Forward(obs, adapted).mean();
  EXPECT_FALSE(at::allclose(with_adapted, before));
  EXPECT_TRUE(at::equal(p.Forward(obs).mean().detach(), before));
  // Manual forward of the same network.
  const Params w = p.parameters_list();
  at::Tensor h = at::relu(obs.matmul(w[0]) + w[1]);
  h = at::relu(h.matmul(w[2]) + w[3]);
  EXPECT_TRUE(at::allclose(h.matmul(w[4]) + w[5], before, 1e-6, 1e-6));
}

TEST(GaussianMlp, BatchedParametersEqualAPerTaskLoop) {
  Rng rng(2);
  GaussianMlpPolicy p(3, 2, Small(), rng);
  const int64_t k = 4;
  Params stacked = GaussianMlpPolicy::Stack(p.parameters_list(), k);
  for (auto& t : stacked) t = (t + 0.05 * at::randn(t.sizes())).detach();
  const at::Tensor obs = at::randn({k, 6, 3});
  const DiagGaussian batched = p.Forward(obs, stacked);
  ASSERT_EQ(batched.mean().sizes(), (at::IntArrayRef{k, 6, 2}));
  for (int64_t i = 0; i < k; ++i) {
    Params one;
    for (const auto& t : stacked) one.push_back(t[i]);
    const DiagGaussian single = p.Forward(obs[i], one);
    EXPECT_TRUE(at::allclose(batched.mean()[i], single.mean(), 1e-5, 1e-6));
    const at::Tensor acts = at::randn({6, 2});
    EXPECT_TRUE(at::allclose(batched.LogProb(acts.unsqueeze(0).expand({k, 6, 2}))[i], single.LogProb(acts),
                             1e-5, 1e-5));
  }
}

TEST(GaussianMlp, LogProbGradientMatchesFiniteDifferences) {
  Rng rng(3);
  GaussianMlpPolicy p(3, 2, Small(), rng);
  Params params = ToDouble(p.parameters_list());
  const at::Tensor obs = at::randn({5, 3}, at::kDouble);
  const at::Tensor acts = at::randn({5, 2}, at::kDouble);
  auto loss_fn = [&](const Params& ps) { return p.Forward(obs, ps).LogProb(acts).sum(); };
  const at::Tensor loss = loss_fn(params);
  const auto grads = torch::autograd::grad({loss}, params);
  const double eps = 1e-6;
  for (std::size_t i = 0; i < params.size(); ++i) {
    const at::Tensor flat = params[i].detach().reshape(-1);
    for (int64_t j = 0; j < flat.numel(); j += 3) {
      Params plus, minus;
      for (std::size_t k = 0; k < params.size(); ++k) {
        plus.push_back(params[k].detach().clone());
        minus.push_back(params[k].detach().clone());
      }
      plus[i].view(-1)[j] += eps;
      minus[i].view(-1)[j] -= eps;
      const double fd = (loss_fn(plus).item<double>() - loss_fn(minus).item<double>()) / (2 * eps);
      EXPECT_NEAR(grads[i].reshape(-1)[j].item<double>(), fd, 1e-6 * std::max(1.0, std::abs(fd)))
          << "param " << i << " entry " << j;
    }
  }
}

TEST(GaussianMlp, RowSamplerHasTheDistributionsMoments) {
  const at::Tensor mean = at::tensor({1.0f, -2.0f}).view({1, 2});
  const at::Tensor log_std = at::tensor({std::log(0.5f), 0.0f});
  GaussianRowSampler sampler(mean, log_std);
  Rng rng(4);
  const int n = 20000;
  double s0 = 0, s1 = 0, q0 = 0;
  float out[2];
  for (int i = 0; i < n; ++i) {
    sampler.Sample(0, rng, out);
    s0 += out[0];
    s1 += out[1];
    q0 += (out[0] - 1.0) * (out[0] - 1.0);
  }
  EXPECT_NEAR(s0 / n, 1.0, 5 * 0.5 / std::sqrt(n));
  EXPECT_NEAR(s1 / n, -2.0, 5 * 1.0 / std::sqrt(n));
  EXPECT_NEAR(q0 / n, 0.25, 5 * 0.25 * std::sqrt(2.0 / n));
}

TEST(GaussianMlp, BadOptionsAndInputsAreRejected) {
  Rng rng(0);
  GaussianMlpOptions bad = Small();
  bad.nonlinearity = "sigmoid";
  EXPECT_THROW(GaussianMlpPolicy(3, 2, bad, rng), std::invalid_argument);
  bad = Small();
  bad.hidden_sizes = {4, 0};
  EXPECT_THROW(GaussianMlpPolicy(3, 2, bad, rng), std::invalid_argument);
  bad = Small();
  bad.init_std = 0.0;
  EXPECT_THROW(GaussianMlpPolicy(3, 2, bad, rng), std::invalid_argument);
  GaussianMlpPolicy p(3, 2, Small(), rng);
  EXPECT_THROW(p.Forward(at::randn({4, 5})), std::invalid_argument);
  EXPECT_THROW(p.Forward(at::randn({4, 3}), Params{}), std::invalid_argument);
}

}  // namespace
}  // namespace metarl::policies
