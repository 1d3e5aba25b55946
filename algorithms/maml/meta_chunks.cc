#include "algorithms/maml/meta_chunks.h"

#include <algorithm>
#include <chrono>
#include <cmath>

#include <ATen/ATen.h>
#include <torch/autograd.h>

#include "algorithms/common/flat_params.h"
#include "core/error.h"
#include "core/gather_rows.h"

namespace metarl::algorithms {

std::vector<TaskChunk> SplitTasks(const MetaBatch& batch, int tasks_per_chunk) {
  METARL_REQUIRE(tasks_per_chunk >= 1, "tasks-per-chunk = ", tasks_per_chunk, ": expected an integer >= 1");
  const int64_t k = batch.valid.num_tasks();
  METARL_REQUIRE(!batch.exploration_weights.defined() ||
                     (batch.exploration_weights.dim() == 2 && batch.exploration_weights.size(0) == k),
                 "exploration weights must be [K, S] with K = ", k, " tasks");
  const TaskShard& shard = batch.shard;
  const int64_t total = shard.total > 0 ? shard.total : k;
  METARL_REQUIRE(shard.total == 0 || (shard.count == k && shard.first % tasks_per_chunk == 0 &&
                                      shard.first + k <= total),
                 "task shard [", shard.first, ", ", shard.first + shard.count, ") of ", shard.total,
                 " does not hold the batch's ", k, " tasks on a boundary of chunks of ", tasks_per_chunk);
  std::vector<TaskChunk> chunks((k + tasks_per_chunk - 1) / tasks_per_chunk);
  for (std::size_t c = 0; c < chunks.size(); ++c) {
    const int64_t begin = static_cast<int64_t>(c) * tasks_per_chunk;
    const int64_t size = std::min<int64_t>(tasks_per_chunk, k - begin);
    for (const TaskBatch& b : batch.train) chunks[c].batch.train.push_back(b.Narrow(begin, size));
    chunks[c].batch.valid = batch.valid.Narrow(begin, size);
    if (batch.exploration_weights.defined()) {
      chunks[c].batch.exploration_weights = batch.exploration_weights.narrow(0, begin, size);
    }
    chunks[c].weight = static_cast<double>(size) / static_cast<double>(total);
    chunks[c].comm = shard.distributed() ? shard.comm : nullptr;
  }
  return chunks;
}

namespace {

// Every chunk's weight: this process's, or all ranks' in chunk order.
std::vector<double> AllWeights(const std::vector<TaskChunk>& chunks) {
  std::vector<double> weights;
  for (const TaskChunk& c : chunks) weights.push_back(c.weight);
  const Communicator* comm = chunks.empty() ? nullptr : chunks.front().comm;
  return comm != nullptr ? AllGather(*comm, weights) : weights;
}

}  // namespace

at::Tensor SumOverChunks(const std::vector<TaskChunk>& chunks, const std::vector<at::Tensor>& local) {
  METARL_REQUIRE(!chunks.empty() && local.size() == chunks.size(), "SumOverChunks: ", local.size(),
                 " values for ", chunks.size(), " chunks");
  const std::vector<double> weights = AllWeights(chunks);
  const Communicator* comm = chunks.front().comm;
  const at::Tensor rows = comm != nullptr ? AllGatherRows(*comm, at::stack(local)) : at::stack(local);
  METARL_REQUIRE(rows.size(0) == static_cast<int64_t>(weights.size()), "SumOverChunks: ", rows.size(0),
                 " gathered values for ", weights.size(), " chunks");
  at::Tensor out = at::zeros_like(local.front());
  for (std::size_t c = 0; c < weights.size(); ++c) out.add_(rows[static_cast<int64_t>(c)], weights[c]);
  return out;
}

std::vector<double> SumOverChunks(const std::vector<TaskChunk>& chunks,
                                  const std::vector<std::vector<double>>& local) {
  METARL_REQUIRE(!chunks.empty() && local.size() == chunks.size(), "SumOverChunks: ", local.size(),
                 " values for ", chunks.size(), " chunks");
  const std::size_t n = local.front().size();
  std::vector<double> flat;
  for (const auto& v : local) {
    METARL_REQUIRE(v.size() == n, "SumOverChunks: values of different lengths");
    flat.insert(flat.end(), v.begin(), v.end());
  }
  const std::vector<double> weights = AllWeights(chunks);
  const Communicator* comm = chunks.front().comm;
  if (comm != nullptr) flat = AllGather(*comm, flat);
  METARL_REQUIRE(flat.size() == weights.size() * n, "SumOverChunks: gathered values do not match the chunks");
  std::vector<double> out(n, 0.0);
  for (std::size_t c = 0; c < weights.size(); ++c) {
    for (std::size_t i = 0; i < n; ++i) out[i] += weights[c] * flat[c * n + i];
  }
  return out;
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
  std::vector<std::vector<double>> surrogates;
  std::vector<at::Tensor> gradients;
  for (const TaskChunk& c : chunks) {
    surrogates.push_back({c.surrogate});
    gradients.push_back(c.gradient);
  }
  out.surrogate = SumOverChunks(chunks, surrogates)[0];
  out.gradient = SumOverChunks(chunks, gradients);
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
  std::vector<std::vector<double>> values(chunks.size());
  ForEachChunk(chunks, pool, [&](TaskChunk& c) {
    const MetaObjective m = ComputeMetaObjective(policy, theta, c.batch.train, c.batch.valid, *c.old, fast_lr,
                                                 AdaptGraph::kNone, c.batch.exploration_weights);
    values[&c - chunks.data()] = {m.surrogate.item<double>(), m.kl.item<double>()};
  });
  const std::vector<double> sum = SumOverChunks(chunks, values);
  return MetaObjectiveValues{sum[0], sum[1]};
}

}  // namespace metarl::algorithms
