#include "algorithms/maml/maml.h"

#include <ATen/ATen.h>
#include <torch/autograd.h>

#include "core/error.h"

namespace metarl::algorithms {

using policies::Params;

namespace {

at::Tensor MaskedMeanPerTask(const at::Tensor& values, const at::Tensor& masks) {
  return (values * masks).sum(1) / masks.sum(1);
}

}  // namespace

at::Tensor ReinforceLoss(const policies::GaussianMlpPolicy& policy, const Params& batched,
                         const TaskBatch& batch) {
  const policies::DiagGaussian dist = policy.Forward(batch.observations, batched);
  return -MaskedMeanPerTask(dist.LogProb(batch.actions) * batch.advantages, batch.masks);
}

Params Adapt(const policies::GaussianMlpPolicy& policy, const Params& theta, const std::vector<TaskBatch>& steps,
             double fast_lr, AdaptGraph graph) {
  const int64_t k = steps.empty() ? 1 : steps[0].num_tasks();
  Params params = policies::GaussianMlpPolicy::Stack(theta, k);
  if (graph == AdaptGraph::kNone) {
    for (auto& p : params) p = p.detach().requires_grad_(true);
  }
  for (const TaskBatch& batch : steps) {
    // Leaves of a no-graph adaptation must require grad to be differentiated.
    const at::Tensor loss = ReinforceLoss(policy, params, batch).sum();
    const bool create_graph = graph == AdaptGraph::kSecondOrder;
    const std::vector<at::Tensor> grads =
        torch::autograd::grad({loss}, params, /*grad_outputs=*/{}, /*retain_graph=*/create_graph, create_graph);
    for (std::size_t i = 0; i < params.size(); ++i) {
      const at::Tensor g = create_graph ? grads[i] : grads[i].detach();
      params[i] = params[i] - fast_lr * g;
      if (graph == AdaptGraph::kNone) params[i] = params[i].detach().requires_grad_(true);
    }
  }
  if (graph == AdaptGraph::kNone) {
    for (auto& p : params) p = p.detach();
  }
  return params;
}

OldPolicy MakeOldPolicy(const policies::GaussianMlpPolicy& policy, const Params& adapted, const TaskBatch& valid) {
  torch::NoGradGuard no_grad;
  Params detached;
  for (const auto& p : adapted) detached.push_back(p.detach());
  policies::DiagGaussian dist = policy.Forward(valid.observations, detached);
  at::Tensor log_probs = dist.LogProb(valid.actions);
  return OldPolicy{log_probs, dist};
}

MetaObjective ComputeMetaObjective(const policies::GaussianMlpPolicy& policy, const Params& theta,
                                   const std::vector<TaskBatch>& train, const TaskBatch& valid,
                                   const OldPolicy& old, double fast_lr, AdaptGraph graph) {
  const Params adapted = Adapt(policy, theta, train, fast_lr, graph);
  Params outer = adapted;
  if (graph == AdaptGraph::kNone) {
    // Evaluation only (line search): nothing below needs a graph.
    for (auto& p : outer) p = p.detach();
  }
  const policies::DiagGaussian dist = policy.Forward(valid.observations, outer);
  const at::Tensor ratio = at::exp(dist.LogProb(valid.actions) - old.log_probs);
  MetaObjective objective;
  objective.surrogate = -MaskedMeanPerTask(ratio * valid.advantages, valid.masks).mean();
  objective.kl = MaskedMeanPerTask(old.dist.Kl(dist), valid.masks).mean();
  return objective;
}

}  // namespace metarl::algorithms
