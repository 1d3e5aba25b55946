#include "algorithms/fewshot/reptile.h"

#include <algorithm>
#include <cmath>

#include <ATen/ATen.h>
#include <torch/autograd.h>

#include "algorithms/fewshot/adaptation.h"
#include "algorithms/fewshot/task_loss.h"
#include "core/error.h"

namespace metarl::algorithms::fewshot {

void ReptileOptions::Read(ConfigMap& config) {
  config.Read("inner-steps", &inner_steps);
  config.Read("inner-lr", &inner_lr);
  config.Read("outer-lr", &outer_lr);
  config.Read("anneal-outer-lr", &anneal_outer_lr);
  config.Read("serial", &serial);
}

void ReptileOptions::Validate() const {
  METARL_REQUIRE(inner_steps >= 1, "inner-steps = ", inner_steps, ": expected at least 1");
  METARL_REQUIRE(std::isfinite(inner_lr) && inner_lr > 0.0, "inner-lr = ", inner_lr, ": expected a positive number");
  METARL_REQUIRE(std::isfinite(outer_lr) && outer_lr > 0.0 && outer_lr <= 1.0, "outer-lr = ", outer_lr,
                 ": expected a number in (0, 1]");
  METARL_REQUIRE(num_iterations >= 1, "Reptile: num_iterations = ", num_iterations, ": expected >= 1");
}

double ReptileOptions::OuterStepSize(int64_t iteration) const {
  if (!anneal_outer_lr) return outer_lr;
  const double left = 1.0 - static_cast<double>(iteration) / static_cast<double>(num_iterations);
  return outer_lr * std::max(0.0, left);
}

Reptile::Reptile(std::shared_ptr<const FunctionalNet> net, bool classification, ReptileOptions options,
                 const Params& init)
    : net_(std::move(net)), classification_(classification), options_(options) {
  options_.Validate();
  std::vector<at::Tensor> flat;
  for (const auto& p : init) flat.push_back(p.detach().reshape(-1));
  flat_ = at::cat(flat);
  int64_t offset = 0;
  for (const auto& p : init) {
    theta_.push_back(flat_.narrow(0, offset, p.numel()).view(p.sizes()));
    offset += p.numel();
  }
}

Params Reptile::AdaptAll(const envs::fewshot::EpisodeBatch& batch, const Params& theta, MetaStepStats* stats) const {
  BatchedAdaptation adaptation(*net_, theta, batch, classification_, /*head_only=*/false);
  for (int s = 0; s < options_.inner_steps; ++s) {
    const at::Tensor support = adaptation.Step(options_.inner_lr, nullptr, /*create_graph=*/false);
    adaptation.Detach();
    if (s == 0) stats->support_loss += support.mean().item<double>();
  }
  torch::NoGradGuard no_grad;
  const at::Tensor pred = adaptation.QueryPredictions();
  stats->query_loss += TaskLosses(pred, batch.query_y, classification_).mean().item<double>();
  if (classification_) stats->query_accuracy += TaskAccuracy(pred, batch.query_y).mean().item<double>();
  Params adapted;
  for (const auto& a : adaptation.adapted()) adapted.push_back(a.detach());
  return adapted;
}

MetaStepStats Reptile::MetaStep(const envs::fewshot::EpisodeBatch& batch, int64_t iteration) {
  const double eps = options_.OuterStepSize(iteration);
  MetaStepStats stats;
  if (classification_) stats.query_accuracy = 0.0;
  const at::Tensor before = flat_.clone();
  const int64_t tasks = batch.num_tasks();
  const int64_t rounds = options_.serial ? tasks : 1;
  for (int64_t r = 0; r < rounds; ++r) {
    const envs::fewshot::EpisodeBatch part =
        options_.serial ? envs::fewshot::EpisodeBatch{batch.support_x.narrow(0, r, 1), batch.support_y.narrow(0, r, 1),
                                                      batch.query_x.narrow(0, r, 1), batch.query_y.narrow(0, r, 1)}
                        : batch;
    const Params adapted = AdaptAll(part, theta_, &stats);
    torch::NoGradGuard no_grad;
    for (std::size_t i = 0; i < theta_.size(); ++i) {
      auto target = theta_[i];
      target.add_(adapted[i].mean(0) - theta_[i], eps);
    }
  }
  stats.support_loss /= static_cast<double>(rounds);
  stats.query_loss /= static_cast<double>(rounds);
  if (classification_) stats.query_accuracy /= static_cast<double>(rounds);
  if (!std::isfinite(stats.query_loss) || !at::isfinite(flat_).all().item<bool>()) {
    flat_.copy_(before);
    throw std::runtime_error(Cat("reptile: non-finite loss or parameters at iteration ", iteration, " (query loss ",
                                 stats.query_loss, "); try a smaller inner-lr"));
  }
  return stats;
}

AdaptationCurve Reptile::Evaluate(const envs::fewshot::EpisodeBatch& batch, int steps) const {
  return EvaluateAdaptation(*net_, theta_, batch, classification_, /*head_only=*/false, steps,
                            [this](int) { return options_.inner_lr; });
}

void Reptile::RestoreOptimizer(const Params& state) {
  METARL_REQUIRE(state.empty(), "reptile has no optimiser state, but the checkpoint holds ", state.size(),
                 " tensors (a checkpoint of another learner?)");
}

}  // namespace metarl::algorithms::fewshot
