#include "algorithms/maml/maml.h"

#include <ATen/ATen.h>
#include <torch/autograd.h>

#include <optional>

#include "core/error.h"

namespace metarl::algorithms {

using policies::Params;

at::Tensor MaskedMeanPerTask(const at::Tensor& values, const at::Tensor& masks) {
  return (values * masks).sum(1) / masks.sum(1);
}

at::Tensor ReinforceWeights(const TaskBatch& batch) {
  return batch.advantages * batch.masks / batch.masks.sum(1, /*keepdim=*/true);
}

at::Tensor ReinforceLoss(const policies::GaussianMlpPolicy& policy, const Params& batched,
                         const TaskBatch& batch) {
  const policies::DiagGaussian dist = policy.Forward(batch.observations, batched);
  return -(dist.LogProb(batch.actions) * ReinforceWeights(batch)).sum(1);
}

at::Tensor InnerLoss(const policies::GaussianMlpPolicy& policy, const Params& batched, const TaskBatch& batch,
                     InnerEstimator estimator) {
  if (estimator == InnerEstimator::kReinforce) return ReinforceLoss(policy, batched, batch);
  METARL_REQUIRE(batch.sampling_log_probs.defined(),
                 "the LVC inner estimator needs the sampling policy's log-probabilities of the inner batch");
  const at::Tensor log_probs = policy.Forward(batch.observations, batched).LogProb(batch.actions);
  return -(at::exp(log_probs - batch.sampling_log_probs) * ReinforceWeights(batch)).sum(1);
}

InnerStepResult InnerStep(const policies::GaussianMlpPolicy& policy, const Params& params, const TaskBatch& batch,
                          double lr, AdaptGraph graph, InnerEstimator estimator) {
  const bool create_graph = graph == AdaptGraph::kSecondOrder;
  const at::Tensor loss = InnerLoss(policy, params, batch, estimator).sum();
  InnerStepResult out;
  out.gradients = torch::autograd::grad({loss}, params, /*grad_outputs=*/{}, /*retain_graph=*/create_graph, create_graph);
  if (!create_graph) {
    for (auto& g : out.gradients) g = g.detach();
  }
  for (std::size_t i = 0; i < params.size(); ++i) {
    at::Tensor next = params[i] - lr * out.gradients[i];
    if (graph == AdaptGraph::kNone) next = next.detach().requires_grad_(true);
    out.params.push_back(std::move(next));
  }
  return out;
}

AdaptTrace AdaptWithTrace(const policies::GaussianMlpPolicy& policy, const Params& theta,
                          const std::vector<TaskBatch>& steps, double fast_lr, AdaptGraph graph,
                          InnerEstimator estimator) {
  const int64_t k = steps.empty() ? 1 : steps[0].num_tasks();
  Params params = policies::GaussianMlpPolicy::Stack(theta, k);
  // Leaves of a no-graph adaptation must require grad to be differentiated.
  if (graph == AdaptGraph::kNone) {
    for (auto& p : params) p = p.detach().requires_grad_(true);
  }
  AdaptTrace trace;
  trace.fast_lr = fast_lr;
  trace.estimator = estimator;
  for (const TaskBatch& batch : steps) {
    InnerStepResult step = InnerStep(policy, params, batch, fast_lr, graph, estimator);
    trace.starts.push_back(std::move(params));
    trace.gradients.push_back(std::move(step.gradients));
    params = std::move(step.params);
  }
  if (graph == AdaptGraph::kNone) {
    for (auto& p : params) p = p.detach();
  }
  trace.adapted = std::move(params);
  return trace;
}

Params Adapt(const policies::GaussianMlpPolicy& policy, const Params& theta, const std::vector<TaskBatch>& steps,
             double fast_lr, AdaptGraph graph, InnerEstimator estimator) {
  return AdaptWithTrace(policy, theta, steps, fast_lr, graph, estimator).adapted;
}

OldPolicy MakeOldPolicy(const policies::GaussianMlpPolicy& policy, const Params& adapted, const TaskBatch& valid) {
  torch::NoGradGuard no_grad;
  Params detached;
  for (const auto& p : adapted) detached.push_back(p.detach());
  policies::DiagGaussian dist = policy.Forward(valid.observations, detached);
  at::Tensor log_probs = dist.LogProb(valid.actions);
  return OldPolicy{log_probs, dist};
}

MetaObjective ObjectiveAt(const policies::GaussianMlpPolicy& policy, const Params& adapted, const TaskBatch& valid,
                          const OldPolicy& old) {
  const policies::DiagGaussian dist = policy.Forward(valid.observations, adapted);
  const at::Tensor ratio = at::exp(dist.LogProb(valid.actions) - old.log_probs);
  MetaObjective objective;
  objective.surrogate = -MaskedMeanPerTask(ratio * valid.advantages, valid.masks).mean();
  objective.kl = MaskedMeanPerTask(old.dist.Kl(dist), valid.masks).mean();
  return objective;
}

at::Tensor ExplorationSurrogate(const policies::GaussianMlpPolicy& policy, const std::vector<Params>& starts,
                                const std::vector<TaskBatch>& train, const at::Tensor& weights) {
  METARL_REQUIRE(starts.size() == train.size(), "ExplorationSurrogate: ", starts.size(), " parameter sets for ",
                 train.size(), " inner batches");
  METARL_REQUIRE(!train.empty() && weights.dim() == 2 && weights.size(0) == train[0].num_tasks() &&
                     weights.size(1) == static_cast<int64_t>(train.size()),
                 "ExplorationSurrogate: weights must be [K, S] with K = tasks in the batch, S = inner steps");
  at::Tensor per_task;
  for (std::size_t s = 0; s < train.size(); ++s) {
    const at::Tensor log_probs = policy.Forward(train[s].observations, starts[s]).LogProb(train[s].actions);
    const at::Tensor term = weights.select(1, static_cast<int64_t>(s)) * (log_probs * train[s].masks).sum(1);
    per_task = per_task.defined() ? per_task + term : term;
  }
  return -per_task.mean();
}

MetaObjective ComputeMetaObjective(const policies::GaussianMlpPolicy& policy, const Params& theta,
                                   const std::vector<TaskBatch>& train, const TaskBatch& valid,
                                   const OldPolicy& old, double fast_lr, AdaptGraph graph,
                                   const at::Tensor& exploration_weights) {
  const AdaptTrace trace = AdaptWithTrace(policy, theta, train, fast_lr, graph);
  // Evaluation only (line search): nothing below needs a graph.
  std::optional<torch::NoGradGuard> no_grad;
  if (graph == AdaptGraph::kNone) no_grad.emplace();
  MetaObjective objective = ObjectiveAt(policy, trace.adapted, valid, old);
  if (exploration_weights.defined()) {
    objective.surrogate = objective.surrogate + ExplorationSurrogate(policy, trace.starts, train, exploration_weights);
  }
  return objective;
}

}  // namespace metarl::algorithms
