#include "algorithms/fewshot/reptile.h"

#include <algorithm>
#include <cmath>
#include <utility>
#include <vector>

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
  config.Read("eval-inner-batch", &eval_inner_batch);
  config.Read("transductive", &transductive);
  ReadBinaryChoice(config, "inner-optimizer", &inner_adam, "adam", "sgd");
  ReadBinaryChoice(config, "inner-adam-state", &carry_adam_state, "carried", "fresh",
                   "supervised-reptile: Adam's moments carry over between tasks");
  config.Read("train-on-query", &train_on_query);
}

void ReptileOptions::Validate() const {
  METARL_REQUIRE(inner_steps >= 1, "inner-steps = ", inner_steps, ": expected at least 1");
  METARL_REQUIRE(std::isfinite(inner_lr) && inner_lr > 0.0, "inner-lr = ", inner_lr, ": expected a positive number");
  METARL_REQUIRE(std::isfinite(outer_lr) && outer_lr > 0.0 && outer_lr <= 1.0, "outer-lr = ", outer_lr,
                 ": expected a number in (0, 1]");
  METARL_REQUIRE(inner_batch >= 0, "inner-batch = ", inner_batch, ": expected 0 (all examples) or more");
  METARL_REQUIRE(eval_inner_batch >= 0, "eval-inner-batch = ", eval_inner_batch,
                 ": expected 0 (inner-batch) or more");
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
  RequireTransductiveBatchNorm(*net_, "reptile",
                               "adapts by gradient steps on batches normalised with their own statistics, as its "
                               "reference code does");
  std::vector<at::Tensor> flat;
  for (const auto& p : init) flat.push_back(p.detach().reshape(-1));
  flat_ = at::cat(flat);
  int64_t offset = 0;
  for (const auto& p : init) {
    theta_.push_back(flat_.narrow(0, offset, p.numel()).view(p.sizes()));
    offset += p.numel();
  }
}

namespace {

// Meta-training draws from {seed, 0, iteration}, evaluation from {seed, 1}.
constexpr std::uint64_t kTrainingStream = 0, kEvaluationStream = 1;

// Rows `idx` [T, b] of each task's examples x [T, n, ...] → [T, b, ...].
at::Tensor TakeRows(const at::Tensor& x, const at::Tensor& idx) {
  const int64_t tasks = x.size(0), n = x.size(1), b = idx.size(1);
  const at::Tensor flat_idx = (idx + at::arange(tasks, idx.options()).unsqueeze(1) * n).reshape(-1);
  std::vector<int64_t> flat_shape = x.sizes().vec();
  flat_shape.erase(flat_shape.begin());
  flat_shape[0] = tasks * n;
  std::vector<int64_t> out_shape = x.sizes().vec();
  out_shape[1] = b;
  return x.reshape(flat_shape).index_select(0, flat_idx).reshape(out_shape);
}

}  // namespace

InnerAdamState InnerAdamState::Copy() const {
  InnerAdamState copy{{}, t};
  for (const auto& x : v) copy.v.push_back(x.clone());
  return copy;
}

at::Tensor MinibatchIndices(int64_t tasks, int64_t n, int64_t batch, int steps, Rng& rng) {
  METARL_REQUIRE(n >= 1 && tasks >= 0 && steps >= 0, "MinibatchIndices: expected n >= 1 (got ", n, ")");
  const int64_t b = batch <= 0 ? n : std::min(batch, n);
  const int64_t length = static_cast<int64_t>(steps) * b;
  at::Tensor out = at::empty({tasks, length}, at::kLong);
  int64_t* d = out.data_ptr<int64_t>();
  std::vector<int64_t> perm(static_cast<std::size_t>(n));
  for (int64_t t = 0; t < tasks; ++t) {
    int64_t* row = d + t * length;
    for (int64_t filled = 0; filled < length;) {
      for (int64_t i = 0; i < n; ++i) perm[static_cast<std::size_t>(i)] = i;
      for (int64_t i = n - 1; i > 0; --i) {
        std::swap(perm[static_cast<std::size_t>(i)], perm[rng.UniformInt(static_cast<std::uint64_t>(i + 1))]);
      }
      const int64_t take = std::min(n, length - filled);
      std::copy(perm.begin(), perm.begin() + take, row + filled);
      filled += take;
    }
  }
  return out;
}

Params Reptile::InnerLoop(const Params& theta, const at::Tensor& x, const at::Tensor& y, const at::Tensor& indices,
                          int64_t b, int steps, InnerAdamState* adam, at::Tensor* first_loss,
                          const std::function<void(int, const Params&)>& after_step) const {
  const int64_t tasks = x.size(0);
  METARL_REQUIRE(adam == nullptr || tasks == 1, "Reptile: a carried Adam state adapts one task at a time");
  Params phi;
  InnerAdamState fresh;
  InnerAdamState& state = adam ? *adam : fresh;
  for (const auto& t : theta) {
    std::vector<int64_t> shape = t.sizes().vec();
    shape.insert(shape.begin(), tasks);
    phi.push_back(t.detach().unsqueeze(0).expand(shape).clone());
  }
  if (options_.inner_adam && state.v.empty()) {
    for (const auto& p : phi) state.v.push_back(at::zeros_like(p));  // [T, ...]; T = 1 when carried
  }
  constexpr double kBeta2 = 0.999, kEps = 1e-8;
  for (int s = 0; s < steps; ++s) {
    const at::Tensor idx = indices.narrow(1, static_cast<int64_t>(s) * b, b);
    const at::Tensor xb = TakeRows(x, idx);
    const at::Tensor yb = TakeRows(y, idx);
    for (auto& p : phi) p.requires_grad_(true);
    const at::Tensor losses = TaskLosses(net_->Forward(phi, xb), yb, classification_);  // [T]
    const auto grads = torch::autograd::grad({losses.sum()}, phi);
    if (s == 0 && first_loss) *first_loss = losses.detach();
    torch::NoGradGuard no_grad;
    double lr_t = options_.inner_lr;
    if (options_.inner_adam) {
      state.t += 1;
      lr_t *= std::sqrt(1.0 - std::pow(kBeta2, static_cast<double>(state.t)));
    }
    for (std::size_t i = 0; i < phi.size(); ++i) {
      if (options_.inner_adam) {
        state.v[i].mul_(kBeta2).addcmul_(grads[i], grads[i], 1.0 - kBeta2);
        phi[i] = phi[i].detach() - lr_t * grads[i] / (state.v[i].sqrt() + kEps);
      } else {
        phi[i] = phi[i].detach() - lr_t * grads[i];
      }
    }
    if (after_step) after_step(s, phi);
  }
  return phi;
}

Params Reptile::AdaptAll(const envs::fewshot::EpisodeBatch& batch, const Params& theta, const at::Tensor& indices,
                         int64_t b, MetaStepStats* stats) {
  const at::Tensor x = options_.train_on_query ? at::cat({batch.support_x, batch.query_x}, 1) : batch.support_x;
  const at::Tensor y = options_.train_on_query ? at::cat({batch.support_y, batch.query_y}, 1) : batch.support_y;
  at::Tensor first;
  Params adapted;
  if (Carries()) {
    // Task after task in meta-batch order, the Adam state flowing through.
    std::vector<at::Tensor> firsts;
    std::vector<Params> per_task;
    for (int64_t t = 0; t < x.size(0); ++t) {
      at::Tensor f;
      per_task.push_back(InnerLoop(theta, x.narrow(0, t, 1), y.narrow(0, t, 1), indices.narrow(0, t, 1), b,
                                   options_.inner_steps, &adam_, &f, nullptr));
      firsts.push_back(f);
    }
    first = at::cat(firsts);
    for (std::size_t i = 0; i < theta.size(); ++i) {
      std::vector<at::Tensor> stack;
      for (const auto& p : per_task) stack.push_back(p[i]);
      adapted.push_back(at::cat(stack));
    }
  } else {
    adapted = InnerLoop(theta, x, y, indices, b, options_.inner_steps, nullptr, &first, nullptr);
  }
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
  METARL_REQUIRE(!Carries() || !shard.distributed(),
                 "reptile with inner-optimizer: adam and inner-adam-state: carried passes the Adam state from task "
                 "to task; it runs in one process (inner-adam-state: fresh runs distributed)");
  FewShotLearner::SetShard(shard);
}

MetaStepStats Reptile::MetaStep(const envs::fewshot::EpisodeBatch& batch, int64_t iteration) {
  const double eps = options_.OuterStepSize(iteration);
  MetaStepStats stats;
  if (classification_) stats.query_accuracy = 0.0;
  const at::Tensor before = flat_.clone();
  const InnerAdamState adam_before = adam_.Copy();
  const int64_t tasks = batch.num_tasks();
  const int64_t rounds = options_.serial ? tasks : 1;
  // Every task's minibatches; a shard draws the whole meta-batch's and keeps its part.
  const int64_t examples = batch.support_x.size(1) + (options_.train_on_query ? batch.query_x.size(1) : 0);
  const int64_t b = options_.inner_batch <= 0 ? examples : std::min<int64_t>(options_.inner_batch, examples);
  Rng rng(StreamSeed(options_.seed, {kTrainingStream, static_cast<std::uint64_t>(iteration)}));
  const TaskShard& part = shard();
  at::Tensor indices = part.total > 0 ? MinibatchIndices(part.total, examples, b, options_.inner_steps, rng)
                                            .narrow(0, part.first, part.count)
                                      : MinibatchIndices(tasks, examples, b, options_.inner_steps, rng);
  indices = indices.to(flat_.device());
  for (int64_t r = 0; r < rounds; ++r) {
    const envs::fewshot::EpisodeBatch one = options_.serial ? batch.Narrow(r, 1) : batch;
    const Params adapted = AdaptAll(one, theta_, options_.serial ? indices.narrow(0, r, 1) : indices, b, &stats);
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
    adam_ = adam_before;
    throw std::runtime_error(Cat("reptile: non-finite loss or parameters (query loss ",
                                 stats.query_loss, "); try a smaller inner-lr"));
  }
  return stats;
}

at::Tensor Reptile::PredictQueries(const Params& params, const envs::fewshot::EpisodeBatch& batch) const {
  torch::NoGradGuard no_grad;
  if (options_.transductive) return net_->Forward(params, batch.query_x);
  return net_->Head(net_->HeadOf(params),
                    net_->FeaturesEachWithContext(net_->Body(params), batch.support_x, batch.query_x));
}

AdaptationCurve Reptile::Evaluate(const envs::fewshot::EpisodeBatch& batch, int steps) const {
  AdaptationCurve curve;
  const int64_t tasks = batch.num_tasks(), n = batch.support_x.size(1);
  const int64_t wanted = options_.eval_inner_batch > 0 ? options_.eval_inner_batch : options_.inner_batch;
  const int64_t b = wanted <= 0 ? n : std::min<int64_t>(wanted, n);
  Rng rng(StreamSeed(options_.seed, {kEvaluationStream}));
  const at::Tensor indices = MinibatchIndices(tasks, n, b, steps, rng).to(flat_.device());
  // Query measurements after each step, per task row: [steps + 1] of [T].
  std::vector<std::vector<at::Tensor>> losses(static_cast<std::size_t>(steps) + 1),
      accuracies(static_cast<std::size_t>(steps) + 1);
  const auto record = [&](int64_t first, int64_t count, int s, const Params& params) {
    torch::NoGradGuard no_grad;
    const at::Tensor qy = batch.query_y.narrow(0, first, count);
    const at::Tensor pred = PredictQueries(params, batch.Narrow(first, count));
    losses[static_cast<std::size_t>(s)].push_back(TaskLosses(pred, qy, classification_).to(at::kCPU, at::kDouble));
    if (classification_) {
      accuracies[static_cast<std::size_t>(s)].push_back(TaskAccuracy(pred, qy).to(at::kCPU, at::kDouble));
    }
  };
  record(0, tasks, 0, theta_);
  if (Carries()) {
    // Each episode from a copy of the state meta-training left (supervised-reptile restores it afterwards).
    for (int64_t t = 0; t < tasks; ++t) {
      InnerAdamState copy = adam_.Copy();
      InnerLoop(theta_, batch.support_x.narrow(0, t, 1), batch.support_y.narrow(0, t, 1), indices.narrow(0, t, 1),
                b, steps, &copy, nullptr, [&](int s, const Params& params) { record(t, 1, s + 1, params); });
    }
  } else {
    InnerLoop(theta_, batch.support_x, batch.support_y, indices, b, steps, nullptr, nullptr,
              [&](int s, const Params& params) { record(0, tasks, s + 1, params); });
  }
  for (int s = 0; s <= steps; ++s) {
    curve.query_loss.push_back(at::cat(losses[static_cast<std::size_t>(s)]));
    if (classification_) curve.query_accuracy.push_back(at::cat(accuracies[static_cast<std::size_t>(s)]));
  }
  return curve;
}

Params Reptile::OptimizerState() const {
  if (!Carries() || adam_.v.empty()) return {};
  Params state;
  for (const auto& v : adam_.v) state.push_back(v.clone());
  state.push_back(at::tensor({static_cast<double>(adam_.t)}, at::TensorOptions().dtype(at::kDouble)));
  return state;
}

void Reptile::RestoreOptimizer(const Params& state) {
  if (state.empty()) {  // nothing carried yet (or a run whose Adam state does not carry)
    adam_ = InnerAdamState{};
    return;
  }
  METARL_REQUIRE(Carries(), "the checkpoint holds ", state.size(), " inner-Adam tensors, but this reptile run's inner "
                 "optimiser carries no state (inner-optimizer: adam with inner-adam-state: carried does)");
  METARL_REQUIRE(state.size() == theta_.size() + 1, "reptile checkpoint: ", state.size(),
                 " inner-Adam tensors, expected ", theta_.size() + 1, " (v per parameter, then t)");
  InnerAdamState restored;
  for (std::size_t i = 0; i < theta_.size(); ++i) {
    std::vector<int64_t> shape = theta_[i].sizes().vec();
    shape.insert(shape.begin(), 1);
    METARL_REQUIRE(state[i].sizes().vec() == shape, "reptile checkpoint: inner-Adam v for parameter ", i,
                   " has the wrong shape");
    restored.v.push_back(state[i].to(theta_[i].device(), theta_[i].scalar_type()));
  }
  METARL_REQUIRE(state.back().numel() == 1, "reptile checkpoint: the inner-Adam step count is not a scalar");
  restored.t = static_cast<int64_t>(state.back().item<double>());
  adam_ = std::move(restored);
}

}  // namespace metarl::algorithms::fewshot
