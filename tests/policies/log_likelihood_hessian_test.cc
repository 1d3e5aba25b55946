// The hand-written Hessian of the weighted negative log-likelihood against
// autograd's double backward and against central differences of its
// gradient, in double precision, for ReLU and tanh networks.

#include <ATen/ATen.h>
#include <gtest/gtest.h>
#include <torch/autograd.h>

#include "policies/gaussian_mlp.h"
#include "policies/log_likelihood_hessian.h"

namespace metarl::policies {
namespace {

constexpr int64_t kTasks = 3, kSamples = 7, kObs = 3, kAct = 2;

double RelativeError(const Params& a, const Params& b) {
  double num = 0.0, den = 0.0;
  for (std::size_t i = 0; i < a.size(); ++i) {
    num += (a[i] - b[i]).pow(2).sum().item<double>();
    den += b[i].pow(2).sum().item<double>();
  }
  return std::sqrt(num / den);
}

struct Case {
  GaussianMlpPolicy policy;
  Params params;  // batched leaves, double
  at::Tensor obs, actions, weights;

  static GaussianMlpOptions Options(const char* nonlinearity) {
    GaussianMlpOptions o;
    o.hidden_sizes = {5, 4};
    o.nonlinearity = nonlinearity;
    o.init_std = 0.7;
    return o;
  }

  Case(const char* nonlinearity, Rng rng = Rng(3)) : policy(kObs, kAct, Options(nonlinearity), rng) {
    at::manual_seed(21);
    for (const auto& p : GaussianMlpPolicy::Stack(policy.parameters_list(), kTasks)) {
      params.push_back((p.detach().to(at::kDouble) + 0.2 * at::randn(p.sizes(), at::kDouble)).requires_grad_(true));
    }
    obs = at::randn({kTasks, kSamples, kObs}, at::kDouble);
    actions = at::randn({kTasks, kSamples, kAct}, at::kDouble);
    weights = at::randn({kTasks, kSamples}, at::kDouble);
    weights[2][kSamples - 1] = 0.0;  // a padded sample
  }

  at::Tensor Loss(const Params& p) const {
    return -(policy.Forward(obs, p).LogProb(actions) * weights).sum();
  }
  Params Grad(const Params& p, bool create_graph) const {
    return torch::autograd::grad({Loss(p)}, p, {}, /*retain_graph=*/create_graph, create_graph);
  }
  Params RandomDirection() const {
    Params v;
    for (const auto& p : params) v.push_back(at::randn(p.sizes(), at::kDouble));
    return v;
  }
};

TEST(LogLikelihoodHessian, GradientMatchesAutograd) {
  for (const char* nonlinearity : {"relu", "tanh"}) {
    SCOPED_TRACE(nonlinearity);
    Case c(nonlinearity);
    const LogLikelihoodHessian h(c.policy, c.params, c.obs, c.actions, c.weights);
    EXPECT_LT(RelativeError(h.Gradient(), c.Grad(c.params, false)), 1e-12);
  }
}

TEST(LogLikelihoodHessian, ProductMatchesDoubleBackwardAndFiniteDifferences) {
  for (const char* nonlinearity : {"relu", "tanh"}) {
    SCOPED_TRACE(nonlinearity);
    Case c(nonlinearity);
    const LogLikelihoodHessian h(c.policy, c.params, c.obs, c.actions, c.weights);
    const Params grads = c.Grad(c.params, true);
    for (int trial = 0; trial < 3; ++trial) {
      const Params v = c.RandomDirection();
      const Params hv = h.Product(v);
      at::Tensor dot = at::zeros({}, at::kDouble);
      for (std::size_t i = 0; i < v.size(); ++i) dot = dot + (grads[i] * v[i]).sum();
      const Params reference = torch::autograd::grad({dot}, c.params, {}, /*retain_graph=*/true);
      EXPECT_LT(RelativeError(hv, reference), 1e-10);
      // Central differences of the gradient along v.
      const double eps = 1e-5;
      Params plus, minus;
      for (std::size_t i = 0; i < v.size(); ++i) {
        plus.push_back((c.params[i].detach() + eps * v[i]).requires_grad_(true));
        minus.push_back((c.params[i].detach() - eps * v[i]).requires_grad_(true));
      }
      const Params gp = c.Grad(plus, false), gm = c.Grad(minus, false);
      Params fd;
      for (std::size_t i = 0; i < v.size(); ++i) fd.push_back((gp[i] - gm[i]) / (2 * eps));
      EXPECT_LT(RelativeError(hv, fd), 1e-7);
    }
  }
}

TEST(LogLikelihoodHessian, ProductIsSymmetricAndTasksAreIndependent) {
  Case c("tanh");
  const LogLikelihoodHessian h(c.policy, c.params, c.obs, c.actions, c.weights);
  const Params u = c.RandomDirection(), v = c.RandomDirection();
  const Params hu = h.Product(u), hv = h.Product(v);
  double uhv = 0.0, vhu = 0.0;
  for (std::size_t i = 0; i < u.size(); ++i) {
    uhv += (u[i] * hv[i]).sum().item<double>();
    vhu += (v[i] * hu[i]).sum().item<double>();
  }
  EXPECT_NEAR(uhv, vhu, 1e-10 * std::abs(uhv));
  // A direction confined to task 0 leaves the other tasks' products at zero.
  Params only0;
  for (const auto& t : u) {
    at::Tensor m = at::zeros_like(t);
    m[0] = t[0];
    only0.push_back(m);
  }
  for (const auto& t : h.Product(only0)) {
    EXPECT_EQ(t.narrow(0, 1, kTasks - 1).abs().sum().item<double>(), 0.0);
  }
}

TEST(LogLikelihoodHessian, RejectsMismatchedShapes) {
  Case c("relu");
  EXPECT_THROW(LogLikelihoodHessian(c.policy, c.params, c.obs, c.actions, c.weights.narrow(1, 0, 3)),
               std::exception);
  const LogLikelihoodHessian h(c.policy, c.params, c.obs, c.actions, c.weights);
  Params short_v = c.RandomDirection();
  short_v.pop_back();
  EXPECT_THROW(h.Product(short_v), std::exception);
}

}  // namespace
}  // namespace metarl::policies
