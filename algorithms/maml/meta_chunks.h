#pragma once
// Task chunks: the meta-batch split into groups of tasks, each with its own
// graph (its own θ leaves, so no autograd node is shared between threads),
// processed in parallel on a thread pool and combined in chunk order — so
// results depend on the chunk size (at rounding level), never on the thread
// count. Shared by the MAML family's outer steps.
//
// Chunk c's objective is the mean over its tasks; the meta-batch's is the sum
// over chunks with weight = tasks in chunk / all tasks.

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
};

std::vector<TaskChunk> SplitTasks(const MetaBatch& batch, int tasks_per_chunk);

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
