#pragma once
// Episodes regrouped task-major for batched per-task computation.
//
// The runner's batch is time-major [T, B, ·] with B = K tasks × N episodes
// (task-major). A TaskBatch holds the same steps as [K, M, ·] with M = T × N,
// so a batched forward with per-task parameters [K, ...] covers every task in
// one computation. Padding steps have mask 0 and advantage 0.

#include <cstdint>
#include <vector>

#include <ATen/core/Tensor.h>
#include <c10/core/Device.h>

#include "core/task_shard.h"
#include "core/thread_pool.h"
#include "runners/episodes.h"
#include "runners/linear_baseline.h"

namespace metarl::algorithms {

struct TaskBatch {
  at::Tensor observations;  // [K, M, obs_dim]
  at::Tensor actions;       // [K, M, act_dim]
  at::Tensor advantages;    // [K, M]
  at::Tensor masks;         // [K, M] 1 for real steps
  // [K, M] log π of the policy that sampled these steps, at sampling time.
  // Only the LVC inner estimator (ProMP) reads it; undefined otherwise.
  at::Tensor sampling_log_probs;
  // [K] what each task's advantages were divided by (their std over the
  // task's real steps; ones when not normalised). E-MAML's credit uses the
  // same scale (exploration.h). Undefined in hand-built batches.
  at::Tensor advantage_scale;

  int64_t num_tasks() const { return masks.size(0); }
  TaskBatch To(const c10::Device& device, c10::ScalarType dtype) const;
  // Tasks [begin, begin + size) (views).
  TaskBatch Narrow(int64_t begin, int64_t size) const;
};

// Everything one outer step consumes.
struct MetaBatch {
  std::vector<TaskBatch> train;    // train[s]: episodes of inner step s, sampled with the parameters after s steps
  TaskBatch valid;                 // episodes sampled with the fully adapted parameters
  at::Tensor exploration_weights;  // [K, S] E-MAML credit (maml.h, ExplorationSurrogate); undefined for MAML
  TaskShard shard;                 // which tasks of the meta-batch these are (distributed training)
};

struct AdvantageOptions {
  double gamma = 0.99;       // discount
  double gae_lambda = 1.0;   // GAE λ
  bool normalize = true;     // standardise advantages per task over its real steps
  runners::LinearBaselineOptions baseline;
};

// Where each task's real steps sit in a batch's [T, B, ...] tensors viewed as
// [T·B, ...] rows: [K, M] int64, task k's steps in time-major order (t, then
// its episodes), then padding pointing at row T·B (a zero row the packing
// appends). M = max(width, the largest task's step count). Full-length
// episodes give the order [T, E] → T·E of a plain regrouping.
at::Tensor TaskStepIndex(const runners::EpisodeBatch& episodes, int64_t width = 0);

// The number of real steps of the largest task of `episodes`.
int64_t LargestTaskSteps(const runners::EpisodeBatch& episodes);

// [T, B, ...] → [K, M, ...] through `index` (TaskStepIndex), padding zero.
at::Tensor PackByTask(const at::Tensor& time_major, const at::Tensor& index);

// Discounted returns, per-task linear baseline, GAE and (optionally) per-task
// normalisation, packed by task: each task's real steps, padded to
// M = max(width, the largest task's steps) (ranks sharing a meta-batch pass
// the global largest, so that their per-task reductions run over the same M
// as one process's).
TaskBatch MakeTaskBatch(const runners::EpisodeBatch& episodes, const AdvantageOptions& options,
                        ThreadPool* pool = nullptr, int64_t width = 0);

}  // namespace metarl::algorithms
