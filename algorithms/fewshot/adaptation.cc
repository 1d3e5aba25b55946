#include "algorithms/fewshot/adaptation.h"

#include <ATen/ATen.h>
#include <torch/autograd.h>

#include "algorithms/fewshot/task_loss.h"
#include "core/error.h"

namespace metarl::algorithms::fewshot {

namespace {

// θ broadcast over T tasks (a view, no copy).
at::Tensor PerTask(const at::Tensor& p, int64_t tasks) {
  std::vector<int64_t> shape{tasks};
  for (int64_t s : p.sizes()) shape.push_back(s);
  return p.unsqueeze(0).expand(shape);
}

}  // namespace

BatchedAdaptation::BatchedAdaptation(const FunctionalNet& net, const Params& meta,
                                     const envs::fewshot::EpisodeBatch& batch, bool classification, bool head_only)
    : net_(net), batch_(batch), classification_(classification), head_only_(head_only) {
  if (head_only_) {
    shared_body_ = net_.Body(meta);
    support_features_ = net_.Features(shared_body_, batch.support_x);
    query_features_ = net_.Features(shared_body_, batch.query_x);
  }
  // Shared until the first step makes them per task (by broadcasting): the
  // first forward runs once over all tasks' examples.
  adapted_ = head_only_ ? net_.HeadOf(meta) : meta;
}

void BatchedAdaptation::MakePerTaskLeaves() {
  for (auto& a : adapted_) {
    if (!per_task_) a = PerTask(a, batch_.num_tasks());
    // Evaluation (no graph to θ): differentiate w.r.t. the adapted parameters only.
    if (!a.requires_grad()) a = a.clone().requires_grad_(true);
  }
  per_task_ = true;
}

at::Tensor BatchedAdaptation::Predict(bool support) const {
  if (head_only_) return net_.Head(adapted_, support ? support_features_ : query_features_);
  return net_.Forward(adapted_, support ? batch_.support_x : batch_.query_x);
}

at::Tensor BatchedAdaptation::Step(double lr, const Params* per_param_lr, bool create_graph) {
  at::Tensor losses;
  std::vector<at::Tensor> grads;
  if (head_only_) {  // the linear head: explicit gradients for any net
    const at::Tensor out = net_.Head(adapted_, support_features_);
    losses = TaskLosses(out, batch_.support_y, classification_);
    const TaskLinearGrads g = TaskLinearBackward(
        support_features_, adapted_[0], TaskLossOutputGradient(out, batch_.support_y, classification_), false);
    grads = {g.weight, g.bias};
  } else if (auto analytic =
                 net_.AnalyticLossGradient(adapted_, batch_.support_x, batch_.support_y, classification_)) {
    losses = analytic->losses;
    grads = std::move(analytic->grads);
  } else {
    MakePerTaskLeaves();
    losses = TaskLosses(Predict(true), batch_.support_y, classification_);
    // Task t's loss depends only on its own parameters, so the gradient of
    // the sum w.r.t. the stacks holds every task's own gradient.
    grads = torch::autograd::grad({losses.sum()}, adapted_, {}, /*retain_graph=*/true, create_graph);
  }
  if (!create_graph) {
    for (auto& g : grads) g = g.detach();  // first order: the gradient is a constant
  }
  METARL_CHECK(!per_param_lr || per_param_lr->size() == adapted_.size(), "per-parameter step sizes: ",
               per_param_lr ? per_param_lr->size() : 0, " tensors for ", adapted_.size(), " parameters");
  for (std::size_t i = 0; i < adapted_.size(); ++i) {
    adapted_[i] = per_param_lr ? at::addcmul(adapted_[i], (*per_param_lr)[i], grads[i], -1.0)
                               : at::sub(adapted_[i], grads[i], lr);
  }
  per_task_ = true;
  return losses;
}

at::Tensor BatchedAdaptation::QueryPredictions() const { return Predict(false); }

void BatchedAdaptation::Detach() {
  for (auto& a : adapted_) a = a.detach();
}

Params BatchedAdaptation::Full() const {
  if (!head_only_) return adapted_;
  Params full = shared_body_;
  full.insert(full.end(), adapted_.begin(), adapted_.end());
  return full;
}

AdaptationCurve EvaluateAdaptation(const FunctionalNet& net, const Params& theta,
                                   const envs::fewshot::EpisodeBatch& batch, bool classification, bool head_only,
                                   int steps, const std::function<double(int)>& step_size,
                                   const Params* per_param_lr) {
  METARL_REQUIRE(steps >= 0, "evaluation steps = ", steps, ": expected >= 0");
  Params detached;
  for (const auto& p : theta) detached.push_back(p.detach());
  BatchedAdaptation adaptation(net, detached, batch, classification, head_only);
  AdaptationCurve curve;
  for (int s = 0;; ++s) {
    {
      torch::NoGradGuard no_grad;
      const at::Tensor pred = adaptation.QueryPredictions();
      curve.query_loss.push_back(TaskLosses(pred, batch.query_y, classification).to(at::kCPU, at::kDouble));
      if (classification) curve.query_accuracy.push_back(TaskAccuracy(pred, batch.query_y).to(at::kCPU, at::kDouble));
    }
    if (s == steps) break;
    adaptation.Step(step_size(s), per_param_lr, /*create_graph=*/false);
    adaptation.Detach();
  }
  return curve;
}

}  // namespace metarl::algorithms::fewshot
