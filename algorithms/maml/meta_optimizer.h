#pragma once
// The outer (meta) optimisers of the gradient-based meta-RL family behind one
// interface, so that the trainer, checkpoints and benches treat MAML-TRPO,
// MAML-VPG, MAML-PPO and ProMP alike (runners/meta_algorithms.h lists them).
//
// Every optimiser consumes a MetaBatch (inner-step episodes, valid episodes
// and, for E-MAML, exploration weights), adapts the tasks together (batched
// per-task parameters, in task chunks on a thread pool) and updates the
// policy's parameters in place. Results are bit-identical for any pool size.
// Not thread-safe (one step at a time).

#include <string>
#include <vector>

#include "algorithms/maml/task_batch.h"
#include "core/thread_pool.h"
#include "policies/gaussian_mlp.h"
#include "policies/params.h"

namespace metarl::algorithms {

struct OuterStepStats {
  double surrogate_before = 0.0;  // the outer objective at the old parameters (to minimise)
  double surrogate_after = 0.0;   // the same objective at the new parameters
  double kl_after = 0.0;          // mean KL(sampling adapted policies ‖ new adapted policies) on the valid episodes
  int line_search_steps = 0;      // TRPO: candidates evaluated; others 0
  bool accepted = false;          // false: no step taken (TRPO line search failed)
  int cg_iterations = 0;          // TRPO only
  int epochs = 0;                 // gradient steps taken on this batch (VPG 1, PPO/ProMP num-*-steps, TRPO 0)
  std::vector<double> inner_kl;          // ProMP: per inner step, mean KL(pre-update sampling ‖ θ_s) after the step
  std::vector<double> inner_kl_penalty;  // ProMP: per inner step, the coefficient used in this step
  double seconds_gradient = 0.0;     // adaptation graphs, objective and gradient (TRPO: and KL Hessian set-up)
  double seconds_cg = 0.0;           // TRPO: Hessian-vector products and CG
  double seconds_line_search = 0.0;  // TRPO: line search; others: optimiser steps after the first gradient and evaluation
};

class MetaOptimizer {
 public:
  virtual ~MetaOptimizer() = default;

  // One outer step on `batch`. Throws std::runtime_error naming the quantity
  // when an objective, gradient or step is not finite; parameters and state
  // are then unchanged.
  OuterStepStats Step(policies::GaussianMlpPolicy& policy, const MetaBatch& batch, ThreadPool* pool = nullptr) {
    return DoStep(policy, batch, pool);
  }

  // State carried from one iteration to the next (Adam moments, adaptive
  // penalty coefficients) as CPU tensors for checkpoints; empty when none.
  policies::Params State() const { return DoState(); }
  // Restores State(); std::invalid_argument when `state` does not fit.
  void Restore(const policies::Params& state) { DoRestore(state); }

 protected:
  virtual OuterStepStats DoStep(policies::GaussianMlpPolicy& policy, const MetaBatch& batch, ThreadPool* pool) = 0;
  virtual policies::Params DoState() const { return {}; }
  virtual void DoRestore(const policies::Params& state);
};

}  // namespace metarl::algorithms
