#include "algorithms/fewshot/gradient_learner.h"

#include <algorithm>
#include <cmath>

#include <ATen/ATen.h>
#include <torch/autograd.h>

#include "algorithms/fewshot/adaptation.h"
#include "algorithms/fewshot/task_loss.h"
#include "core/error.h"

namespace metarl::algorithms::fewshot {

void GradientLearnerOptions::Read(ConfigMap& config) {
  config.Read("inner-steps", &inner_steps);
  config.Read("inner-lr", &inner_lr);
  config.Read("first-order", &first_order);
  config.Read("meta-lr", &adam.lr);
}

void GradientLearnerOptions::Validate() const {
  METARL_REQUIRE(inner_steps >= 1, "inner-steps = ", inner_steps, ": expected at least 1");
  METARL_REQUIRE(!inner_lr.empty(), "inner-lr: expected a step size or a list of them");
  for (double lr : inner_lr) {
    METARL_REQUIRE(std::isfinite(lr) && lr > 0.0, "inner-lr: ", lr, ": expected positive step sizes");
  }
  METARL_REQUIRE(std::isfinite(adam.lr) && adam.lr > 0.0, "meta-lr = ", adam.lr, ": expected a positive number");
}

double GradientLearnerOptions::StepSize(int step) const {
  return inner_lr[std::min<std::size_t>(static_cast<std::size_t>(step), inner_lr.size() - 1)];
}

GradientLearner::GradientLearner(std::string name, std::shared_ptr<const FunctionalNet> net, bool classification,
                                 GradientLearnerOptions options, const Params& init)
    : name_(std::move(name)),
      net_(std::move(net)),
      classification_(classification),
      options_(std::move(options)),
      shapes_(net_->ParameterShapes()),
      adam_(options_.adam) {
  options_.Validate();
  RequireTransductiveBatchNorm(*net_, name_,
                               "adapts by gradient steps on batches normalised with their own statistics, as its "
                               "reference code does");
  METARL_CHECK(init.size() == shapes_.size(), "initial parameters: ", init.size(), " tensors for ", shapes_.size());
  std::vector<at::Tensor> flat;
  for (std::size_t i = 0; i < init.size(); ++i) {
    METARL_CHECK(init[i].sizes() == at::IntArrayRef(shapes_[i]), "initial parameter ", i, " has shape ",
                 init[i].sizes());
    flat.push_back(init[i].detach().reshape(-1));
    theta_numel_ += init[i].numel();
  }
  if (options_.learn_inner_lr) {
    const std::size_t first = options_.head_only ? static_cast<std::size_t>(net_->num_body_params()) : 0;
    for (std::size_t i = first; i < init.size(); ++i) flat.push_back(at::full({init[i].numel()}, options_.inner_lr[0], init[i].options()));
  }
  meta_ = at::cat(flat).requires_grad_(true);
}

Params GradientLearner::Views(const at::Tensor& meta) const {
  std::vector<std::vector<int64_t>> shapes = shapes_;
  if (options_.learn_inner_lr) {
    const std::size_t first = options_.head_only ? static_cast<std::size_t>(net_->num_body_params()) : 0;
    shapes.insert(shapes.end(), shapes_.begin() + first, shapes_.end());
  }
  return SplitViews(meta, shapes);
}

std::vector<std::string> GradientLearner::ParameterNames() const {
  std::vector<std::string> names = net_->ParameterNames();
  if (options_.learn_inner_lr) {
    const std::size_t first = options_.head_only ? static_cast<std::size_t>(net_->num_body_params()) : 0;
    const auto net_names = net_->ParameterNames();
    for (std::size_t i = first; i < net_names.size(); ++i) names.push_back("inner-lr/" + net_names[i]);
  }
  return names;
}

Params GradientLearner::parameters_list() const { return Views(meta_); }

at::Tensor GradientLearner::MetaObjective(const envs::fewshot::EpisodeBatch& batch, const at::Tensor& meta,
                                          MetaStepStats* stats) const {
  const Params views = Views(meta);
  const Params theta(views.begin(), views.begin() + static_cast<std::ptrdiff_t>(shapes_.size()));
  const Params alpha(views.begin() + static_cast<std::ptrdiff_t>(shapes_.size()), views.end());
  BatchedAdaptation adaptation(*net_, theta, batch, classification_, options_.head_only);
  at::Tensor first_support;
  for (int s = 0; s < options_.inner_steps; ++s) {
    const at::Tensor support = adaptation.Step(options_.StepSize(s), options_.learn_inner_lr ? &alpha : nullptr,
                                               /*create_graph=*/!options_.first_order);
    if (s == 0) first_support = support;
  }
  const at::Tensor pred = adaptation.QueryPredictions();
  const at::Tensor objective = TaskLosses(pred, batch.query_y, classification_).mean();
  if (stats) {
    stats->support_loss = first_support.mean().item<double>();
    stats->query_loss = objective.item<double>();
    if (classification_) stats->query_accuracy = TaskAccuracy(pred.detach(), batch.query_y).mean().item<double>();
  }
  return objective;
}

at::Tensor GradientLearner::MetaGradient(const envs::fewshot::EpisodeBatch& batch, MetaStepStats* stats) const {
  const at::Tensor objective = MetaObjective(batch, meta_, stats);
  return torch::autograd::grad({objective}, {meta_})[0];
}

MetaStepStats GradientLearner::MetaStep(const envs::fewshot::EpisodeBatch& batch, int64_t /*iteration*/) {
  MetaStepStats stats;
  const at::Tensor g = MeanOverShard(MetaGradient(batch, &stats));
  MeanStatsOverShard(&stats);
  // A non-finite entry makes the sum non-finite (one operation, not two).
  if (!std::isfinite(stats.query_loss) || !std::isfinite(g.sum().item<double>())) {
    throw std::runtime_error(Cat(name_, ": non-finite meta-loss or meta-gradient (query loss ", stats.query_loss,
                                 "); try a smaller inner-lr or meta-lr"));
  }
  const at::Tensor update = adam_.Step(g);
  torch::NoGradGuard no_grad;
  meta_.sub_(update);
  return stats;
}

AdaptationCurve GradientLearner::Evaluate(const envs::fewshot::EpisodeBatch& batch, int steps) const {
  const Params views = Views(meta_.detach());
  const Params theta(views.begin(), views.begin() + static_cast<std::ptrdiff_t>(shapes_.size()));
  const Params alpha(views.begin() + static_cast<std::ptrdiff_t>(shapes_.size()), views.end());
  return EvaluateAdaptation(*net_, theta, batch, classification_, options_.head_only, steps,
                            [this](int s) { return options_.StepSize(s); },
                            options_.learn_inner_lr ? &alpha : nullptr);
}

}  // namespace metarl::algorithms::fewshot
