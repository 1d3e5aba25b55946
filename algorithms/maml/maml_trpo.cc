#include "algorithms/maml/maml_trpo.h"

#include <chrono>
#include <algorithm>
#include <cmath>
#include <functional>
#include <memory>
#include <optional>
#include <utility>

#include <ATen/ATen.h>
#include <torch/autograd.h>

#include "algorithms/common/conjugate_gradient.h"
#include "algorithms/common/flat_params.h"
#include "algorithms/maml/meta_kl_hessian.h"
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
  config.Read("tasks-per-chunk", &tasks_per_chunk);
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

void RequireFinite(const at::Tensor& t, const char* what) {
  if (!at::isfinite(t).all().item<bool>()) {
    throw std::runtime_error(Cat("MAML-TRPO: ", what, " is not finite (NaN/Inf); parameters left unchanged"));
  }
}

// One chunk of tasks with its own graph: its own θ leaves (so no autograd
// node is shared between threads), old policy and KL
// Hessian. Chunk c's objective is the mean over its tasks; the step's is the
// weighted sum with weight = tasks in chunk / all tasks.
struct TaskChunk {
  std::vector<TaskBatch> train;
  TaskBatch valid;
  double weight = 0.0;
  policies::Params theta;
  std::optional<OldPolicy> old;
  double surrogate = 0.0;
  at::Tensor gradient;
  std::unique_ptr<MetaKlHessian> hessian;
};

TaskBatch Slice(const TaskBatch& b, int64_t begin, int64_t size) {
  return {b.observations.narrow(0, begin, size), b.actions.narrow(0, begin, size),
          b.advantages.narrow(0, begin, size), b.masks.narrow(0, begin, size)};
}

std::vector<TaskChunk> SplitTasks(const std::vector<TaskBatch>& train, const TaskBatch& valid, int tasks_per_chunk) {
  const int64_t k = valid.num_tasks();
  std::vector<TaskChunk> chunks((k + tasks_per_chunk - 1) / tasks_per_chunk);
  for (std::size_t c = 0; c < chunks.size(); ++c) {
    const int64_t begin = static_cast<int64_t>(c) * tasks_per_chunk;
    const int64_t size = std::min<int64_t>(tasks_per_chunk, k - begin);
    for (const TaskBatch& b : train) chunks[c].train.push_back(Slice(b, begin, size));
    chunks[c].valid = Slice(valid, begin, size);
    chunks[c].weight = static_cast<double>(size) / static_cast<double>(k);
  }
  return chunks;
}

// Runs fn(chunk) for every chunk, on `pool` when given (chunks are
// independent; results are combined afterwards in chunk order, so they do
// not depend on the thread count).
void ForEachChunk(std::vector<TaskChunk>& chunks, ThreadPool* pool, const std::function<void(TaskChunk&)>& fn) {
  const auto n = static_cast<int64_t>(chunks.size());
  if (pool == nullptr || pool->num_threads() == 1) {
    for (auto& c : chunks) fn(c);
    return;
  }
  pool->ParallelFor(n, [&](int64_t begin, int64_t end) {
    for (int64_t c = begin; c < end; ++c) fn(chunks[c]);
  });
}

}  // namespace

TrpoStepStats MamlTrpoStep(policies::GaussianMlpPolicy& policy, const std::vector<TaskBatch>& train,
                           const TaskBatch& valid, const MamlTrpoOptions& options, ThreadPool* pool) {
  options.Validate();
  TrpoStepStats stats;
  const policies::Params theta = policy.parameters_list();
  const AdaptGraph graph = options.first_order ? AdaptGraph::kFirstOrder : AdaptGraph::kSecondOrder;
  std::vector<TaskChunk> chunks = SplitTasks(train, valid, options.tasks_per_chunk);

  auto start = Clock::now();
  ForEachChunk(chunks, pool, [&](TaskChunk& c) {
    for (const auto& p : theta) c.theta.push_back(p.detach().requires_grad_(true));
    // The adaptation graph lives only in this scope: the KL Hessian's
    // products need none of it.
    const AdaptTrace trace = AdaptWithTrace(policy, c.theta, c.train, options.fast_lr, graph);
    c.old.emplace(MakeOldPolicy(policy, trace.adapted, c.valid));
    const MetaObjective objective = ObjectiveAt(policy, trace.adapted, c.valid, *c.old);
    c.surrogate = objective.surrogate.item<double>();
    c.gradient = Flatten(torch::autograd::grad({objective.surrogate}, c.theta));
    c.hessian = std::make_unique<MetaKlHessian>(policy, c.theta, trace, c.train, c.valid, graph);
  });
  at::Tensor g = at::zeros_like(chunks[0].gradient);
  for (const TaskChunk& c : chunks) {
    stats.surrogate_before += c.weight * c.surrogate;
    g.add_(c.gradient, c.weight);
  }
  if (!std::isfinite(stats.surrogate_before)) {
    throw std::runtime_error("MAML-TRPO: the surrogate loss is not finite (NaN/Inf); parameters left unchanged");
  }
  RequireFinite(g, "the meta-gradient");
  stats.seconds_gradient = Since(start);

  start = Clock::now();
  std::vector<at::Tensor> products(chunks.size());
  auto fvp = [&](const at::Tensor& v) {
    ForEachChunk(chunks, pool, [&](TaskChunk& c) { products[&c - chunks.data()] = c.hessian->Product(v); });
    at::Tensor hv = options.cg_damping * v;
    for (std::size_t c = 0; c < chunks.size(); ++c) hv.add_(products[c], chunks[c].weight);
    return hv;
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
  std::vector<std::pair<double, double>> candidates(chunks.size());  // (surrogate, kl) per chunk
  for (int i = 0; i < options.ls_max_steps; ++i, ratio *= options.ls_backtrack_ratio) {
    AssignFlat(theta, old_flat - ratio * step);
    ForEachChunk(chunks, pool, [&](TaskChunk& c) {
      const MetaObjective m =
          ComputeMetaObjective(policy, theta, c.train, c.valid, *c.old, options.fast_lr, AdaptGraph::kNone);
      candidates[&c - chunks.data()] = {m.surrogate.item<double>(), m.kl.item<double>()};
    });
    double surrogate = 0.0, kl = 0.0;
    for (std::size_t c = 0; c < chunks.size(); ++c) {
      surrogate += chunks[c].weight * candidates[c].first;
      kl += chunks[c].weight * candidates[c].second;
    }
    ++stats.line_search_steps;
    if (std::isfinite(surrogate) && std::isfinite(kl) && surrogate < stats.surrogate_before && kl < options.max_kl) {
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
