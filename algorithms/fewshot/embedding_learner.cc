#include "algorithms/fewshot/embedding_learner.h"

#include <cmath>

#include <ATen/ATen.h>
#include <torch/autograd.h>

#include "algorithms/fewshot/batch_norm.h"
#include "algorithms/fewshot/task_loss.h"
#include "core/gather_rows.h"
#include "core/error.h"
#include "core/rng.h"

namespace metarl::algorithms::fewshot {

std::vector<ModuleParam> LinearModule(const std::string& prefix, int64_t in, int64_t out) {
  const double bound = 1.0 / std::sqrt(static_cast<double>(in));
  return {{prefix + ".weight", {in, out}, bound}, {prefix + ".bias", {out}, bound}};
}

EmbeddingLearner::EmbeddingLearner(std::string name, std::shared_ptr<const FunctionalNet> net, bool classification,
                                   AdamOptions adam, const Params& init, const std::vector<ModuleParam>& module,
                                   std::uint64_t seed)
    : name_(std::move(name)), net_(std::move(net)), adam_(adam) {
  METARL_REQUIRE(std::isfinite(adam.lr) && adam.lr > 0.0, "meta-lr = ", adam.lr, ": expected a positive number");
  METARL_REQUIRE(classification, "learner ", name_, ": classifies a query from the support set; the task is a ",
                 "regression task (use maml, meta-sgd, anil, reptile or leo)");
  num_body_ = net_->num_body_params();
  const auto net_names = net_->ParameterNames();
  const auto net_shapes = net_->ParameterShapes();
  METARL_CHECK(init.size() == net_shapes.size(), "initial parameters: ", init.size(), " tensors for ",
               net_shapes.size());
  std::vector<at::Tensor> flat;
  for (int64_t i = 0; i < num_body_; ++i) {
    const auto k = static_cast<std::size_t>(i);
    names_.push_back(net_names[k]);
    shapes_.push_back(net_shapes[k]);
    flat.push_back(init[k].detach().reshape(-1));
  }
  Rng rng(StreamSeed(seed, {1}));
  for (const ModuleParam& m : module) {
    int64_t n = 1;
    for (int64_t s : m.shape) n *= s;
    at::Tensor cpu = at::full({n}, m.constant, at::TensorOptions().dtype(at::kDouble));
    if (m.bound > 0.0) {
      double* d = cpu.data_ptr<double>();
      for (int64_t k = 0; k < n; ++k) d[k] = rng.Uniform(-m.bound, m.bound);
    }
    names_.push_back(m.name);
    shapes_.push_back(m.shape);
    flat.push_back(cpu.to(init[0].options()));
  }
  flat_ = at::cat(flat).requires_grad_(true);
  running_spec_ = net_->RunningStatisticsSpec();
  for (const at::Tensor& r : running_spec_.init) running_.push_back(r.to(init[0].options()));
}

std::vector<std::string> EmbeddingLearner::ParameterNames() const {
  std::vector<std::string> names = names_;
  names.insert(names.end(), running_spec_.names.begin(), running_spec_.names.end());
  return names;
}

Params EmbeddingLearner::parameters_list() const {
  Params params = Views(flat_);
  params.insert(params.end(), running_.begin(), running_.end());
  return params;
}

EmbeddingLearner::Embeddings EmbeddingLearner::Embed(const envs::fewshot::EpisodeBatch& batch, const Params& body,
                                                     int64_t iteration) const {
  if (running_.empty()) return {net_->Features(body, batch.support_x), net_->Features(body, batch.query_x)};
  if (iteration == kEvaluation) {
    FunctionalNet::NormPass pass;
    pass.running = &running_;
    return {net_->FeaturesWithNorm(body, batch.support_x, pass), net_->FeaturesWithNorm(body, batch.query_x, pass)};
  }
  FunctionalNet::NormPass pass;
  pass.observed = &observed_;
  const int64_t s = batch.support_x.size(1);
  const at::Tensor joint = net_->FeaturesWithNorm(body, at::cat({batch.support_x, batch.query_x}, 1), pass);
  return {joint.narrow(1, 0, s), joint.narrow(1, s, joint.size(1) - s)};
}

EmbeddingLearner::Parts EmbeddingLearner::ViewParts(const at::Tensor& flat) const {
  const Params views = Views(flat);
  return {Params(views.begin(), views.begin() + num_body_), Params(views.begin() + num_body_, views.end())};
}

EmbeddingLearner::Output EmbeddingLearner::Run(const envs::fewshot::EpisodeBatch& batch, const at::Tensor& flat,
                                               int64_t iteration) const {
  const Parts parts = ViewParts(flat);
  return Forward(batch, parts.body, parts.module, iteration);
}

MetaStepStats EmbeddingLearner::MetaStep(const envs::fewshot::EpisodeBatch& batch, int64_t iteration) {
  METARL_CHECK(iteration >= 0, name_, ": meta-step at iteration ", iteration);
  observed_.clear();
  const Output out = Run(batch, flat_, iteration);
  const at::Tensor loss = out.losses.mean();
  MetaStepStats stats;
  stats.query_loss = loss.item<double>();
  stats.support_loss = out.support_losses.defined() ? out.support_losses.mean().item<double>() : stats.query_loss;
  stats.query_accuracy = TaskAccuracy(out.scores.detach(), batch.query_y).mean().item<double>();
  const at::Tensor g = MeanOverShard(torch::autograd::grad({loss}, {flat_})[0]);
  MeanStatsOverShard(&stats);
  if (!std::isfinite(stats.query_loss) || !std::isfinite(g.sum().item<double>())) {
    throw std::runtime_error(Cat(name_, ": non-finite loss or gradient (loss ",
                                 stats.query_loss, "); try a smaller meta-lr"));
  }
  const at::Tensor update = adam_.Step(g);
  torch::NoGradGuard no_grad;
  flat_.sub_(update);
  // Every rank folds in every task's statistics, in meta-batch order.
  for (const auto& o : observed_) {
    UpdateRunningStatistics(running_, o.layer, shard().distributed() ? AllGatherRows(*shard().comm, o.stats) : o.stats,
                            running_spec_.momentum);
  }
  observed_.clear();
  return stats;
}

AdaptationCurve EmbeddingLearner::Evaluate(const envs::fewshot::EpisodeBatch& batch, int steps) const {
  METARL_REQUIRE(steps == 0, name_, " takes no gradient steps at adaptation: evaluate with --steps 0 ",
                 "(eval-steps: 0), not ", steps);
  torch::NoGradGuard no_grad;
  const Output out = Run(batch, flat_.detach(), kEvaluation);
  AdaptationCurve curve;
  curve.query_loss.push_back(out.losses.to(at::kCPU, at::kDouble));
  curve.query_accuracy.push_back(TaskAccuracy(out.scores, batch.query_y).to(at::kCPU, at::kDouble));
  return curve;
}

}  // namespace metarl::algorithms::fewshot
