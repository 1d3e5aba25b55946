#pragma once
// Batched per-task adaptation: all T tasks of an episode batch take their
// inner gradient steps in one computation over per-task parameter stacks
// ([T, ...] each), never a loop over tasks.
//
// Starting from meta-parameters θ (shared shapes), the adapted parameters of
// task t after a step are
//   φ_t ← φ_t − α ⊙ ∇_φ L_t(φ_t; support_t),   φ_t = θ at the start,
// where L_t is task t's mean support loss and α is a scalar step size or a
// per-parameter tensor (Meta-SGD). With `head_only` (ANIL) only the head
// adapts: the body stays θ's and the features of support and query are
// computed once. With `create_graph` the step stays differentiable (second-
// order MAML); without, the gradient is a constant (first order).
//
// Not thread-safe (holds the autograd graph of the steps taken).

#include <functional>
#include <vector>

#include <ATen/core/Tensor.h>

#include "algorithms/fewshot/functional_net.h"
#include "envs/fewshot/episodes.h"

namespace metarl::algorithms::fewshot {

// Query loss (and accuracy) of every task after 0, 1, …, steps inner steps.
struct AdaptationCurve {
  std::vector<at::Tensor> query_loss;      // [steps + 1] tensors [T], CPU double
  std::vector<at::Tensor> query_accuracy;  // likewise; empty for regression
};

class BatchedAdaptation {
 public:
  // `meta`: the full parameter set (the net's shapes), possibly part of an
  // autograd graph (training) or detached (evaluation).
  BatchedAdaptation(const FunctionalNet& net, const Params& meta, const envs::fewshot::EpisodeBatch& batch,
                    bool classification, bool head_only);

  // One step with scalar step size `lr`, or per-parameter step sizes
  // `per_param_lr` (one tensor per adapted parameter, its shape) when given.
  // Returns the per-task support losses [T] before the step.
  at::Tensor Step(double lr, const Params* per_param_lr, bool create_graph);

  at::Tensor QueryPredictions() const;  // [T, Q, O] at the current parameters

  // Cuts the graph behind the current parameters (evaluation: the steps
  // need only first-order gradients and memory stays flat).
  void Detach();

  // Adapted parameters (head only for ANIL): per task [T, ...] after the
  // first step; before it, θ's own (shared) tensors.
  const Params& adapted() const { return adapted_; }
  // The full set: adapted entries, shared body for ANIL.
  Params Full() const;

 private:
  at::Tensor Predict(bool support) const;
  // The autograd path needs per-task stacks it can differentiate w.r.t.
  void MakePerTaskLeaves();

  const FunctionalNet& net_;
  const envs::fewshot::EpisodeBatch& batch_;
  bool classification_, head_only_;
  Params shared_body_;           // ANIL: θ's body
  at::Tensor support_features_, query_features_;  // ANIL
  Params adapted_;
  bool per_task_ = false;  // adapted_ are [T, ...] stacks
};

// Evaluation: adapts detached `theta` by `steps` first-order steps (step
// size step_size(s), or `per_param_lr`) and records the query loss/accuracy
// before the first step and after each.
AdaptationCurve EvaluateAdaptation(const FunctionalNet& net, const Params& theta,
                                   const envs::fewshot::EpisodeBatch& batch, bool classification, bool head_only,
                                   int steps, const std::function<double(int)>& step_size,
                                   const Params* per_param_lr = nullptr);

}  // namespace metarl::algorithms::fewshot
