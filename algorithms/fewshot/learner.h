#pragma once
// The interface of every few-shot learner: one meta-training step on a batch
// of episodes, evaluation of fast adaptation on held-out episodes, and its
// state for checkpoints.
//
// Meta-parameters live in one flat buffer (one optimiser update per step);
// parameters_list() returns views into it, named by ParameterNames().
// Not thread-safe.

#include <cmath>
#include <cstdint>
#include <limits>
#include <string>
#include <vector>

#include <ATen/core/Tensor.h>

#include "algorithms/fewshot/adaptation.h"
#include "core/task_shard.h"
#include "envs/fewshot/episodes.h"
#include "policies/params.h"

namespace metarl::algorithms::fewshot {

struct MetaStepStats {
  double support_loss = 0.0;  // mean support loss before adaptation
  double query_loss = 0.0;    // mean query loss after adaptation (the meta-objective)
  double query_accuracy = std::numeric_limits<double>::quiet_NaN();  // after adaptation; classification only
};

class FewShotLearner {
 public:
  virtual ~FewShotLearner() = default;

  virtual std::string name() const = 0;
  // One meta-update from `batch` (on the learner's device). `iteration`
  // (0-based) drives schedules (Reptile's annealed outer step size).
  // std::runtime_error when the loss or the update is not finite (the
  // parameters are then left unchanged).
  virtual MetaStepStats MetaStep(const envs::fewshot::EpisodeBatch& batch, int64_t iteration) = 0;
  // Adapts to each episode's support set and measures its query set after
  // 0..steps steps; leaves the meta-parameters unchanged.
  virtual AdaptationCurve Evaluate(const envs::fewshot::EpisodeBatch& batch, int steps) const = 0;

  // True when no parameter depends on the number of ways, so meta-training
  // episodes may have other ways than evaluation ones (train-ways): the
  // metric learners, which read the ways of each batch (EpisodeBatch::ways).
  virtual bool AnyWays() const { return false; }

  virtual std::vector<std::string> ParameterNames() const = 0;
  virtual policies::Params parameters_list() const = 0;
  // Outer optimiser state ({} when it has none), and back.
  virtual policies::Params OptimizerState() const = 0;
  virtual void RestoreOptimizer(const policies::Params& state) = 0;

  // Distributed training (core/communicator.h): MetaStep's batch is then
  // `shard`'s episodes [first, first + count) of the meta-batch; the
  // meta-gradient (Reptile: the mean adapted parameters) and the step's
  // statistics are averaged over every rank's tasks (a collective), and
  // random draws per episode (LEO's noise, the recurrent learner's support
  // order) are those of the whole meta-batch, so every rank takes the same
  // step, equal to one process's up to floating-point reduction order.
  // std::invalid_argument for a learner that cannot be split.
  virtual void SetShard(const TaskShard& shard) { shard_ = shard; }
  const TaskShard& shard() const { return shard_; }

 protected:
  // The mean over the meta-batch's tasks of `local_mean` (this rank's mean
  // over its tasks), the same on every rank; `local_mean` without a shard.
  at::Tensor MeanOverShard(const at::Tensor& local_mean) const;
  // `stats` (means over this rank's tasks) → means over the meta-batch.
  void MeanStatsOverShard(MetaStepStats* stats) const;

 private:
  TaskShard shard_;
};

}  // namespace metarl::algorithms::fewshot
