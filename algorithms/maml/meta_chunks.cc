#include "algorithms/maml/meta_chunks.h"

#include <algorithm>
#include <chrono>
#include <cmath>

#include <ATen/ATen.h>
#include <torch/autograd.h>

#include "algorithms/common/flat_params.h"
#include "core/error.h"

namespace metarl::algorithms {

std::vector<TaskChunk> SplitTasks(const MetaBatch& batch, int tasks_per_chunk) {
  METARL_REQUIRE(tasks_per_chunk >= 1, "tasks-per-chunk = ", tasks_per_chunk, ": expected an integer >= 1");
  const int64_t k = batch.valid.num_tasks();
  METARL_REQUIRE(!batch.exploration_weights.defined() ||
                     (batch.exploration_weights.dim() == 1 && batch.exploration_weights.size(0) == k),
                 "exploration weights must be [K] with K = ", k, " tasks");
  std::vector<TaskChunk> chunks((k + tasks_per_chunk - 1) / tasks_per_chunk);
  for (std::size_t c = 0; c < chunks.size(); ++c) {
    const int64_t begin = static_cast<int64_t>(c) * tasks_per_chunk;
    const int64_t size = std::min<int64_t>(tasks_per_chunk, k - begin);
    for (const TaskBatch& b : batch.train) chunks[c].batch.train.push_back(b.Narrow(begin, size));
    chunks[c].batch.valid = batch.valid.Narrow(begin, size);
    if (batch.exploration_weights.defined()) {
      chunks[c].batch.exploration_weights = batch.exploration_weights.narrow(0, begin, size);
    }
    chunks[c].weight = static_cast<double>(size) / static_cast<double>(k);
  }
  return chunks;
}

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

MetaGradient MetaGradientOnChunks(const policies::GaussianMlpPolicy& policy, const policies::Params& theta,
                                  std::vector<TaskChunk>& chunks, double fast_lr, AdaptGraph graph,
                                  bool build_hessian, ThreadPool* pool) {
  ForEachChunk(chunks, pool, [&](TaskChunk& c) {
    c.theta.clear();
    for (const auto& p : theta) c.theta.push_back(p.detach().requires_grad_(true));
    // The adaptation graph lives only in this scope: the KL Hessian's
    // products need none of it.
    const AdaptTrace trace = AdaptWithTrace(policy, c.theta, c.batch.train, fast_lr, graph);
    c.old.emplace(MakeOldPolicy(policy, trace.adapted, c.batch.valid));
    MetaObjective objective = ObjectiveAt(policy, trace.adapted, c.batch.valid, *c.old);
    if (c.batch.exploration_weights.defined()) {
      objective.surrogate = objective.surrogate + ExplorationSurrogate(policy, trace.starts, c.batch.train,
                                                                       c.batch.exploration_weights);
    }
    c.surrogate = objective.surrogate.item<double>();
    c.gradient = Flatten(torch::autograd::grad({objective.surrogate}, c.theta));
    if (build_hessian) {
      c.hessian = std::make_unique<MetaKlHessian>(policy, c.theta, trace, c.batch.train, c.batch.valid, graph);
    }
  });
  MetaGradient out;
  out.gradient = at::zeros_like(chunks[0].gradient);
  for (const TaskChunk& c : chunks) {
    out.surrogate += c.weight * c.surrogate;
    out.gradient.add_(c.gradient, c.weight);
  }
  if (!std::isfinite(out.surrogate)) {
    throw std::runtime_error("the surrogate loss is not finite (NaN/Inf); parameters left unchanged");
  }
  if (!at::isfinite(out.gradient).all().item<bool>()) {
    throw std::runtime_error("the meta-gradient is not finite (NaN/Inf); parameters left unchanged");
  }
  return out;
}

GradientPhase StartOuterStep(const char* algorithm, const policies::GaussianMlpPolicy& policy,
                             const MetaBatch& batch, const MamlTrpoOptions& options, bool build_hessian,
                             ThreadPool* pool) {
  options.Validate();
  const auto start = std::chrono::steady_clock::now();
  GradientPhase out;
  out.theta = policy.parameters_list();
  out.chunks = SplitTasks(batch, options.tasks_per_chunk);
  const AdaptGraph graph = options.first_order ? AdaptGraph::kFirstOrder : AdaptGraph::kSecondOrder;
  try {
    out.gradient = MetaGradientOnChunks(policy, out.theta, out.chunks, options.fast_lr, graph, build_hessian, pool);
  } catch (const std::runtime_error& e) {
    throw std::runtime_error(Cat(algorithm, ": ", e.what()));
  }
  out.seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
  return out;
}

MetaObjectiveValues EvaluateOnChunks(const policies::GaussianMlpPolicy& policy, const policies::Params& theta,
                                     std::vector<TaskChunk>& chunks, double fast_lr, ThreadPool* pool) {
  std::vector<MetaObjectiveValues> values(chunks.size());
  ForEachChunk(chunks, pool, [&](TaskChunk& c) {
    const MetaObjective m = ComputeMetaObjective(policy, theta, c.batch.train, c.batch.valid, *c.old, fast_lr,
                                                 AdaptGraph::kNone, c.batch.exploration_weights);
    values[&c - chunks.data()] = {m.surrogate.item<double>(), m.kl.item<double>()};
  });
  MetaObjectiveValues out;
  for (std::size_t c = 0; c < chunks.size(); ++c) {
    out.surrogate += chunks[c].weight * values[c].surrogate;
    out.kl += chunks[c].weight * values[c].kl;
  }
  return out;
}

}  // namespace metarl::algorithms
