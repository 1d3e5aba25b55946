#include "algorithms/maml/maml_trpo.h"

#include <chrono>
#include <cmath>

#include <ATen/ATen.h>
#include <torch/autograd.h>

#include "algorithms/common/conjugate_gradient.h"
#include "algorithms/common/flat_params.h"
#include "algorithms/maml/meta_chunks.h"
#include "core/error.h"

namespace metarl::algorithms {

void MamlTrpoOptions::Read(ConfigMap& config, bool trpo_keys) {
  config.Read("fast-lr", &fast_lr);
  config.Read("num-steps", &num_steps);
  config.Read("first-order", &first_order);
  config.Read("tasks-per-chunk", &tasks_per_chunk);
  if (!trpo_keys) return;
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
  METARL_REQUIRE(tasks_per_chunk >= 1, "tasks-per-chunk = ", tasks_per_chunk, ": expected an integer >= 1");
}

namespace {

using Clock = std::chrono::steady_clock;
double Since(Clock::time_point t) { return std::chrono::duration<double>(Clock::now() - t).count(); }

}  // namespace

OuterStepStats MamlTrpoStep(policies::GaussianMlpPolicy& policy, const MetaBatch& batch,
                           const MamlTrpoOptions& options, ThreadPool* pool) {
  GradientPhase phase = StartOuterStep("MAML-TRPO", policy, batch, options, /*build_hessian=*/true, pool);
  const policies::Params& theta = phase.theta;
  std::vector<TaskChunk>& chunks = phase.chunks;
  const MetaGradient& g = phase.gradient;
  OuterStepStats stats = phase.Stats();
  // A meta-gradient of exactly zero (every advantage 0: constant rewards, or
  // every episode ended at its first step) has no direction to step along:
  // the step is rejected, as a zero CG solution would be, instead of failing
  // on its zero curvature.
  if (g.gradient.abs().max().item<double>() == 0.0) {
    stats.surrogate_after = stats.surrogate_before;
    stats.kl_after = 0.0;
    return stats;
  }

  auto start = Clock::now();
  std::vector<at::Tensor> products(chunks.size());
  auto fvp = [&](const at::Tensor& v) {
    ForEachChunk(chunks, pool, [&](TaskChunk& c) { products[&c - chunks.data()] = c.hessian->Product(v); });
    return options.cg_damping * v + SumOverChunks(chunks, products);
  };
  const ConjugateGradientResult cg = ConjugateGradient(fvp, g.gradient, options.cg_iters);
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
    const MetaObjectiveValues m = EvaluateOnChunks(policy, theta, chunks, options.fast_lr, pool);
    ++stats.line_search_steps;
    if (std::isfinite(m.surrogate) && std::isfinite(m.kl) && m.surrogate < stats.surrogate_before &&
        m.kl < options.max_kl) {
      stats.accepted = true;
      stats.surrogate_after = m.surrogate;
      stats.kl_after = m.kl;
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
