#pragma once
// Task chunks: the meta-batch split into groups of tasks, each with its own
// graph (its own θ leaves, so no autograd node is shared between threads),
// processed in parallel on a thread pool and combined in chunk order — so
// results depend on the chunk size (at rounding level), never on the thread
// count. Shared by the MAML family's outer steps.
//
// Chunk c's objective is the mean over its tasks; the meta-batch's is the sum
// over chunks with weight = tasks in chunk / all tasks.
//
// Distributed training (MetaBatch::shard): the ranks of a job hold
// consecutive whole chunks (ShardTasks, core/task_shard.h), and every sum over chunks gathers
// the per-chunk values of all ranks and adds them in chunk order
// (SumOverChunks) — so every rank takes the same step, bit-identical to the
// step of one process holding the whole meta-batch.

#include <functional>
#include <memory>
#include <optional>
#include <vector>

#include <ATen/core/Tensor.h>

#include "algorithms/maml/maml.h"
#include "algorithms/maml/maml_trpo.h"
#include "algorithms/maml/meta_kl_hessian.h"
#include "algorithms/maml/task_batch.h"
#include "core/thread_pool.h"
#include "policies/gaussian_mlp.h"

namespace metarl::algorithms {

struct TaskChunk {
  MetaBatch batch;        // this chunk's tasks
  double weight = 0.0;    // tasks in chunk / all tasks
  policies::Params theta; // this chunk's leaves (set by MetaGradientOnChunks)
  std::optional<OldPolicy> old;      // sampling distribution of the valid episodes
  std::vector<OldPolicy> inner_old;  // sampling distributions of the inner batches (MAML-PPO / ProMP)
  double surrogate = 0.0;
  at::Tensor gradient;    // flat [P]
  std::unique_ptr<MetaKlHessian> hessian;
  const Communicator* comm = nullptr;  // the job sharing the meta-batch (MetaBatch::shard); null: none
};

// This process's chunks of `batch`: consecutive groups of tasks_per_chunk
// tasks (the last may be smaller), counted from the meta-batch's first task,
// weights relative to the whole meta-batch. A sharded batch must start on a
// chunk boundary.
std::vector<TaskChunk> SplitTasks(const MetaBatch& batch, int tasks_per_chunk);

// Σ_c weight_c · value_c over every chunk of the meta-batch in chunk order,
// where local[i] is the value of chunks[i] (flat tensors of one shape; or
// vectors of doubles of one length). With a sharded meta-batch every rank's
// values are gathered first (a collective: every rank calls it), so every
// rank gets the same sum, bit-identical to one process's.
at::Tensor SumOverChunks(const std::vector<TaskChunk>& chunks, const std::vector<at::Tensor>& local);
std::vector<double> SumOverChunks(const std::vector<TaskChunk>& chunks, const std::vector<std::vector<double>>& local);

// Runs fn(chunk) for every chunk, on `pool` when given.
void ForEachChunk(std::vector<TaskChunk>& chunks, ThreadPool* pool, const std::function<void(TaskChunk&)>& fn);

struct MetaGradient {
  double surrogate = 0.0;  // meta-batch surrogate at θ (MAML's, plus E-MAML's term when given)
  at::Tensor gradient;     // its gradient, flat [P]
};

// Per chunk: adapts θ on the inner batches with `graph`, fixes the old policy
// at the adapted parameters, evaluates the surrogate and its gradient, and
// (with `build_hessian`) sets up the meta-KL Hessian. Throws
// std::runtime_error when the surrogate or gradient is not finite.
MetaGradient MetaGradientOnChunks(const policies::GaussianMlpPolicy& policy, const policies::Params& theta,
                                  std::vector<TaskChunk>& chunks, double fast_lr, AdaptGraph graph,
                                  bool build_hessian, ThreadPool* pool);

// The first phase shared by the MAML-TRPO and MAML-VPG steps: options
// validated, the meta-batch split into chunks, the meta-gradient at the
// policy's parameters (errors prefixed with `algorithm`, e.g. "MAML-VPG").
struct GradientPhase {
  policies::Params theta;  // the policy's parameters (leaves, updated in place by the step)
  std::vector<TaskChunk> chunks;
  MetaGradient gradient;
  double seconds = 0.0;

  // Stats with surrogate_before and seconds_gradient filled in.
  OuterStepStats Stats() const {
    OuterStepStats stats;
    stats.surrogate_before = gradient.surrogate;
    stats.seconds_gradient = seconds;
    return stats;
  }
};
GradientPhase StartOuterStep(const char* algorithm, const policies::GaussianMlpPolicy& policy,
                             const MetaBatch& batch, const MamlTrpoOptions& options, bool build_hessian,
                             ThreadPool* pool);

struct MetaObjectiveValues {
  double surrogate = 0.0;
  double kl = 0.0;
};

// The meta-batch surrogate and KL at θ, without graphs (for line searches and
// reporting after a step).
MetaObjectiveValues EvaluateOnChunks(const policies::GaussianMlpPolicy& policy, const policies::Params& theta,
                                     std::vector<TaskChunk>& chunks, double fast_lr, ThreadPool* pool);

}  // namespace metarl::algorithms
