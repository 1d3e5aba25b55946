#include "algorithms/maml/maml_trpo.h"

#include <chrono>
#include <cmath>

#include <ATen/ATen.h>
#include <torch/autograd.h>

#include "algorithms/common/conjugate_gradient.h"
#include "algorithms/common/flat_params.h"
#include "core/error.h"

namespace metarl::algorithms {

void MamlTrpoOptions::Read(ConfigMap& config) {
  config.Read("fast-lr", &fast_lr);
  config.Read("num-steps", &num_steps);
  config.Read("first-order", &first_order);
  config.Read("max-kl", &max_kl);
  config.Read("cg-iters", &cg_iters);
  config.Read("cg-damping", &cg_damping);
  config.Read("ls-max-steps", &ls_max_steps);
  config.Read("ls-backtrack-ratio", &ls_backtrack_ratio);
}

void MamlTrpoOptions::Validate() const {
  METARL_REQUIRE(fast_lr > 0.0, "fast-lr = ", fast_lr, ": expected a positive step size");
  METARL_REQUIRE(num_steps >= 1, "num-steps = ", num_steps, ": expected an integer >= 1");
  METARL_REQUIRE(max_kl > 0.0, "max-kl = ", max_kl, ": expected a positive number");
  METARL_REQUIRE(cg_iters >= 1, "cg-iters = ", cg_iters, ": expected an integer >= 1");
  METARL_REQUIRE(cg_damping >= 0.0, "cg-damping = ", cg_damping, ": expected a number >= 0");
  METARL_REQUIRE(ls_max_steps >= 1, "ls-max-steps = ", ls_max_steps, ": expected an integer >= 1");
  METARL_REQUIRE(ls_backtrack_ratio > 0.0 && ls_backtrack_ratio < 1.0, "ls-backtrack-ratio = ",
                 ls_backtrack_ratio, ": expected a number in (0, 1)");
}

namespace {

using Clock = std::chrono::steady_clock;
double Since(Clock::time_point t) { return std::chrono::duration<double>(Clock::now() - t).count(); }

void RequireFinite(const at::Tensor& t, const char* what) {
  if (!at::isfinite(t).all().item<bool>()) {
    throw std::runtime_error(Cat("MAML-TRPO: ", what, " is not finite (NaN/Inf); parameters left unchanged"));
  }
}

}  // namespace

TrpoStepStats MamlTrpoStep(policies::GaussianMlpPolicy& policy, const std::vector<TaskBatch>& train,
                           const TaskBatch& valid, const MamlTrpoOptions& options) {
  options.Validate();
  TrpoStepStats stats;
  const policies::Params theta = policy.parameters_list();
  const AdaptGraph graph = options.first_order ? AdaptGraph::kFirstOrder : AdaptGraph::kSecondOrder;

  auto start = Clock::now();
  const OldPolicy old = MakeOldPolicy(policy, Adapt(policy, theta, train, options.fast_lr, AdaptGraph::kNone), valid);
  const MetaObjective objective = ComputeMetaObjective(policy, theta, train, valid, old, options.fast_lr, graph);
  RequireFinite(objective.surrogate, "the surrogate loss");
  stats.surrogate_before = objective.surrogate.item<double>();
  const at::Tensor g = Flatten(torch::autograd::grad({objective.surrogate}, theta, {}, /*retain_graph=*/true));
  RequireFinite(g, "the meta-gradient");
  // ∇KL with its graph, built once; each Hessian-vector product differentiates it again.
  const at::Tensor kl_grad =
      Flatten(torch::autograd::grad({objective.kl}, theta, {}, /*retain_graph=*/true, /*create_graph=*/true));
  stats.seconds_gradient = Since(start);

  start = Clock::now();
  auto fvp = [&](const at::Tensor& v) {
    const at::Tensor hv = Flatten(torch::autograd::grad({(kl_grad * v).sum()}, theta, {}, /*retain_graph=*/true));
    return hv + options.cg_damping * v;
  };
  const ConjugateGradientResult cg = ConjugateGradient(fvp, g, options.cg_iters);
  stats.cg_iterations = cg.iterations;
  const double shs = 0.5 * cg.x.dot(fvp(cg.x)).item<double>();
  if (!(std::isfinite(shs) && shs > 0.0)) {
    throw std::runtime_error(Cat("MAML-TRPO: the step's curvature sᵀHs/2 = ", shs,
                                 " is not a positive finite number; parameters left unchanged"));
  }
  const at::Tensor step = cg.x / std::sqrt(shs / options.max_kl);
  stats.seconds_cg = Since(start);

  start = Clock::now();
  const at::Tensor old_flat = Flatten(theta).detach().clone();
  double ratio = 1.0;
  for (int i = 0; i < options.ls_max_steps; ++i, ratio *= options.ls_backtrack_ratio) {
    AssignFlat(theta, old_flat - ratio * step);
    const MetaObjective candidate =
        ComputeMetaObjective(policy, theta, train, valid, old, options.fast_lr, AdaptGraph::kNone);
    ++stats.line_search_steps;
    const double surrogate = candidate.surrogate.item<double>();
    const double kl = candidate.kl.item<double>();
    if (std::isfinite(surrogate) && std::isfinite(kl) && surrogate < stats.surrogate_before &&
        kl < options.max_kl) {
      stats.accepted = true;
      stats.surrogate_after = surrogate;
      stats.kl_after = kl;
      break;
    }
  }
  if (!stats.accepted) {
    AssignFlat(theta, old_flat);
    stats.surrogate_after = stats.surrogate_before;
  }
  stats.seconds_line_search = Since(start);
  return stats;
}

}  // namespace metarl::algorithms
