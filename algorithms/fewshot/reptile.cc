#include "algorithms/fewshot/reptile.h"

#include <algorithm>
#include <cmath>

#include <ATen/ATen.h>
#include <torch/autograd.h>

#include "algorithms/fewshot/adaptation.h"
#include "algorithms/fewshot/task_loss.h"
#include "core/error.h"
#include "core/rng.h"

namespace metarl::algorithms::fewshot {

void ReptileOptions::Read(ConfigMap& config) {
  config.Read("inner-steps", &inner_steps);
  config.Read("inner-lr", &inner_lr);
  config.Read("outer-lr", &outer_lr);
  config.Read("anneal-outer-lr", &anneal_outer_lr);
  config.Read("serial", &serial);
  config.Read("inner-batch", &inner_batch);
  std::string optimizer = inner_adam ? "adam" : "sgd";
  config.Read("inner-optimizer", &optimizer);
  METARL_REQUIRE(optimizer == "sgd" || optimizer == "adam", "inner-optimizer = '", optimizer,
                 "': expected sgd or adam");
  inner_adam = optimizer == "adam";
  config.Read("train-on-query", &train_on_query);
}

void ReptileOptions::Validate() const {
  METARL_REQUIRE(inner_steps >= 1, "inner-steps = ", inner_steps, ": expected at least 1");
  METARL_REQUIRE(std::isfinite(inner_lr) && inner_lr > 0.0, "inner-lr = ", inner_lr, ": expected a positive number");
  METARL_REQUIRE(std::isfinite(outer_lr) && outer_lr > 0.0 && outer_lr <= 1.0, "outer-lr = ", outer_lr,
                 ": expected a number in (0, 1]");
  METARL_REQUIRE(inner_batch >= 0, "inner-batch = ", inner_batch, ": expected 0 (all examples) or more");
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

Params Reptile::InnerLoop(const Params& theta, const at::Tensor& x, const at::Tensor& y, const at::Tensor& order,
                          int64_t batch, int steps, at::Tensor* first_loss,
                          const std::function<void(int, const Params&)>& after_step) const {
  const int64_t tasks = x.size(0), n = x.size(1);
  const int64_t b = batch <= 0 ? n : std::min(batch, n);
  Params phi, v;
  for (const auto& t : theta) {
    std::vector<int64_t> shape = t.sizes().vec();
    shape.insert(shape.begin(), tasks);
    phi.push_back(t.detach().unsqueeze(0).expand(shape).clone());
    if (options_.inner_adam) v.push_back(at::zeros(shape, t.options()));
  }
  constexpr double kBeta2 = 0.999, kEps = 1e-8;
  for (int s = 0; s < steps; ++s) {
    // Minibatch s: positions s·b .. s·b + b − 1 of `order`, wrapping around.
    const at::Tensor positions = at::remainder(at::arange(s * b, s * b + b, order.options()), n);
    const at::Tensor idx = order.index_select(0, positions);
    const at::Tensor xb = x.index_select(1, idx);
    const at::Tensor yb = y.index_select(1, idx);
    for (auto& p : phi) p.requires_grad_(true);
    const at::Tensor losses = TaskLosses(net_->Forward(phi, xb), yb, classification_);  // [T]
    const auto grads = torch::autograd::grad({losses.sum()}, phi);
    if (s == 0 && first_loss) *first_loss = losses.detach();
    torch::NoGradGuard no_grad;
    const double bias2 = 1.0 - std::pow(kBeta2, s + 1);
    for (std::size_t i = 0; i < phi.size(); ++i) {
      at::Tensor next = phi[i].detach();
      if (options_.inner_adam) {
        v[i].mul_(kBeta2).addcmul_(grads[i], grads[i], 1.0 - kBeta2);
        next = next - options_.inner_lr * grads[i] / ((v[i] / bias2).sqrt() + kEps);
      } else {
        next = next - options_.inner_lr * grads[i];
      }
      phi[i] = next;
    }
    if (after_step) after_step(s, phi);
  }
  return phi;
}

Params Reptile::AdaptAll(const envs::fewshot::EpisodeBatch& batch, const Params& theta, const at::Tensor& order,
                         MetaStepStats* stats) const {
  const at::Tensor x = options_.train_on_query ? at::cat({batch.support_x, batch.query_x}, 1) : batch.support_x;
  const at::Tensor y = options_.train_on_query ? at::cat({batch.support_y, batch.query_y}, 1) : batch.support_y;
  at::Tensor first;
  Params adapted = InnerLoop(theta, x, y, order, options_.inner_batch, options_.inner_steps, &first, nullptr);
  stats->support_loss += first.mean().item<double>();
  torch::NoGradGuard no_grad;
  const at::Tensor pred = net_->Forward(adapted, batch.query_x);
  stats->query_loss += TaskLosses(pred, batch.query_y, classification_).mean().item<double>();
  if (classification_) stats->query_accuracy += TaskAccuracy(pred, batch.query_y).mean().item<double>();
  return adapted;
}

void Reptile::SetShard(const TaskShard& shard) {
  METARL_REQUIRE(!options_.serial || !shard.distributed(),
                 "reptile with serial: true moves the initialisation task after task; it runs in one process "
                 "(batched Reptile, serial: false, runs distributed)");
  FewShotLearner::SetShard(shard);
}

MetaStepStats Reptile::MetaStep(const envs::fewshot::EpisodeBatch& batch, int64_t iteration) {
  const double eps = options_.OuterStepSize(iteration);
  MetaStepStats stats;
  if (classification_) stats.query_accuracy = 0.0;
  const at::Tensor before = flat_.clone();
  const int64_t tasks = batch.num_tasks();
  const int64_t rounds = options_.serial ? tasks : 1;
  // This iteration's minibatch order over the training examples.
  const int64_t examples = batch.support_x.size(1) + (options_.train_on_query ? batch.query_x.size(1) : 0);
  std::vector<int64_t> perm(static_cast<std::size_t>(examples));
  for (int64_t i = 0; i < examples; ++i) perm[static_cast<std::size_t>(i)] = i;
  if (options_.inner_batch > 0 && options_.inner_batch < examples) {
    Rng rng(StreamSeed(options_.seed, {static_cast<std::uint64_t>(iteration)}));
    for (int64_t i = examples - 1; i > 0; --i) {
      std::swap(perm[static_cast<std::size_t>(i)], perm[rng.UniformInt(static_cast<std::uint64_t>(i + 1))]);
    }
  }
  const at::Tensor order = at::tensor(perm, at::TensorOptions().dtype(at::kLong)).to(flat_.device());
  for (int64_t r = 0; r < rounds; ++r) {
    const envs::fewshot::EpisodeBatch part =
        options_.serial ? envs::fewshot::EpisodeBatch{batch.support_x.narrow(0, r, 1), batch.support_y.narrow(0, r, 1),
                                                      batch.query_x.narrow(0, r, 1), batch.query_y.narrow(0, r, 1)}
                        : batch;
    const Params adapted = AdaptAll(part, theta_, order, &stats);
    torch::NoGradGuard no_grad;
    for (std::size_t i = 0; i < theta_.size(); ++i) {
      auto target = theta_[i];
      target.add_(MeanOverShard(adapted[i].mean(0)) - theta_[i], eps);
    }
  }
  stats.support_loss /= static_cast<double>(rounds);
  stats.query_loss /= static_cast<double>(rounds);
  if (classification_) stats.query_accuracy /= static_cast<double>(rounds);
  MeanStatsOverShard(&stats);
  if (!std::isfinite(stats.query_loss) || !at::isfinite(flat_).all().item<bool>()) {
    flat_.copy_(before);
    throw std::runtime_error(Cat("reptile: non-finite loss or parameters (query loss ",
                                 stats.query_loss, "); try a smaller inner-lr"));
  }
  return stats;
}

AdaptationCurve Reptile::Evaluate(const envs::fewshot::EpisodeBatch& batch, int steps) const {
  AdaptationCurve curve;
  const auto record = [&](const Params& params) {
    torch::NoGradGuard no_grad;
    const at::Tensor pred = net_->Forward(params, batch.query_x);
    curve.query_loss.push_back(TaskLosses(pred, batch.query_y, classification_).to(at::kCPU, at::kDouble));
    if (classification_) curve.query_accuracy.push_back(TaskAccuracy(pred, batch.query_y).to(at::kCPU, at::kDouble));
  };
  record(theta_);
  const at::Tensor order = at::arange(batch.support_x.size(1), at::TensorOptions().dtype(at::kLong).device(flat_.device()));
  InnerLoop(theta_, batch.support_x, batch.support_y, order, options_.inner_batch, steps, nullptr,
            [&](int, const Params& params) { record(params); });
  return curve;
}

void Reptile::RestoreOptimizer(const Params& state) {
  METARL_REQUIRE(state.empty(), "reptile has no optimiser state, but the checkpoint holds ", state.size(),
                 " tensors (a checkpoint of another learner?)");
}

}  // namespace metarl::algorithms::fewshot
