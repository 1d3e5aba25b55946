#include "algorithms/maml/maml_ppo.h"

#include <chrono>
#include <cmath>
#include <string>

#include <ATen/ATen.h>
#include <torch/autograd.h>

#include "algorithms/common/clipped_surrogate.h"
#include "algorithms/common/flat_params.h"
#include "algorithms/maml/meta_chunks.h"
#include "core/error.h"

namespace metarl::algorithms {

void PpoOuterOptions::Read(ConfigMap& config, const char* epochs_key) {
  config.Read("clip-eps", &clip_eps);
  config.Read(epochs_key, &epochs);
}

void PpoOuterOptions::Validate(const char* epochs_key) const {
  METARL_REQUIRE(clip_eps > 0.0 && clip_eps < 1.0, "clip-eps = ", clip_eps, ": expected a number in (0, 1)");
  METARL_REQUIRE(epochs >= 1, epochs_key, " = ", epochs, ": expected an integer >= 1");
}

namespace {

using Clock = std::chrono::steady_clock;
double Since(Clock::time_point t) { return std::chrono::duration<double>(Clock::now() - t).count(); }

struct ChunkObjective {
  at::Tensor objective;              // scalar, to minimise
  at::Tensor kl;                     // post-update KL from the sampling policies (scalar)
  std::vector<at::Tensor> inner_kl;  // per inner step (scalars)
};

// The objective of the header comment on one chunk at parameter leaves
// `theta`; without a graph (kNone) everything after the adaptation runs
// without autograd.
ChunkObjective Evaluate(const policies::GaussianMlpPolicy& policy, const policies::Params& theta, const TaskChunk& c,
                        double fast_lr, AdaptGraph graph, InnerEstimator estimator, double clip_eps,
                        const std::vector<double>& penalty) {
  const AdaptTrace trace = AdaptWithTrace(policy, theta, c.batch.train, fast_lr, graph, estimator);
  std::optional<torch::NoGradGuard> no_grad;
  if (graph == AdaptGraph::kNone) no_grad.emplace();
  const TaskBatch& valid = c.batch.valid;
  const policies::DiagGaussian dist = policy.Forward(valid.observations, trace.adapted);
  const at::Tensor ratio = at::exp(dist.LogProb(valid.actions) - c.old->log_probs);
  ChunkObjective out;
  out.objective = -MaskedMeanPerTask(ClippedObjective(ratio, valid.advantages, clip_eps), valid.masks).mean();
  out.kl = MaskedMeanPerTask(c.old->dist.Kl(dist), valid.masks).mean();
  if (c.batch.exploration_weights.defined()) {
    out.objective = out.objective + ExplorationSurrogate(policy, trace.starts, c.batch.train,
                                                         c.batch.exploration_weights);
  }
  const auto steps = static_cast<double>(c.batch.train.size());
  for (std::size_t s = 0; s < c.batch.train.size(); ++s) {
    const TaskBatch& train = c.batch.train[s];
    const policies::DiagGaussian pre = policy.Forward(train.observations, trace.starts[s]);
    out.inner_kl.push_back(MaskedMeanPerTask(c.inner_old[s].dist.Kl(pre), train.masks).mean());
    if (!penalty.empty()) out.objective = out.objective + (penalty[s] / steps) * out.inner_kl.back();
  }
  return out;
}

policies::Params Leaves(const policies::Params& theta) {
  policies::Params out;
  for (const auto& p : theta) out.push_back(p.detach().requires_grad_(true));
  return out;
}

}  // namespace

OuterStepStats MetaPpoStep(policies::GaussianMlpPolicy& policy, const MetaBatch& batch,
                           const MamlTrpoOptions& adapt, const PpoOuterOptions& ppo, InnerEstimator estimator,
                           const std::vector<double>& inner_kl_penalty, FlatAdam& adam, ThreadPool* pool) {
  adapt.Validate();
  ppo.Validate("epochs");
  METARL_REQUIRE(inner_kl_penalty.empty() || inner_kl_penalty.size() == batch.train.size(), "inner-KL penalty has ",
                 inner_kl_penalty.size(), " coefficients for ", batch.train.size(), " inner steps");
  OuterStepStats stats;
  stats.inner_kl_penalty = inner_kl_penalty;
  const policies::Params theta = policy.parameters_list();
  const AdaptGraph graph = adapt.first_order ? AdaptGraph::kFirstOrder : AdaptGraph::kSecondOrder;
  std::vector<TaskChunk> chunks = SplitTasks(batch, adapt.tasks_per_chunk);

  auto start = Clock::now();
  // The sampling distributions: the adaptation of the starting θ (the LVC and
  // REINFORCE updates coincide there).
  ForEachChunk(chunks, pool, [&](TaskChunk& c) {
    const AdaptTrace trace = AdaptWithTrace(policy, Leaves(theta), c.batch.train, adapt.fast_lr, AdaptGraph::kNone);
    for (std::size_t s = 0; s < c.batch.train.size(); ++s) {
      c.inner_old.push_back(MakeOldPolicy(policy, trace.starts[s], c.batch.train[s]));
      c.batch.train[s].sampling_log_probs = c.inner_old.back().log_probs;
    }
    c.old.emplace(MakeOldPolicy(policy, trace.adapted, c.batch.valid));
  });

  // Restored when an epoch fails, so a failed step changes nothing.
  const at::Tensor start_flat = Flatten(theta).detach().clone();
  const policies::Params start_adam = adam.State();
  std::vector<std::vector<double>> values(chunks.size());
  for (int epoch = 0; epoch < ppo.epochs; ++epoch) {
    ForEachChunk(chunks, pool, [&](TaskChunk& c) {
      c.theta = Leaves(theta);
      const ChunkObjective o =
          Evaluate(policy, c.theta, c, adapt.fast_lr, graph, estimator, ppo.clip_eps, inner_kl_penalty);
      values[&c - chunks.data()] = {o.objective.item<double>()};
      c.gradient = Flatten(torch::autograd::grad({o.objective}, c.theta));
    });
    std::vector<at::Tensor> gradients;
    for (const TaskChunk& c : chunks) gradients.push_back(c.gradient);
    const double objective = SumOverChunks(chunks, values)[0];
    const at::Tensor gradient = SumOverChunks(chunks, gradients);
    if (!std::isfinite(objective) || !at::isfinite(gradient).all().item<bool>()) {
      AssignFlat(theta, start_flat);
      adam.Restore(start_adam);
      throw std::runtime_error(Cat("the outer objective or its gradient is not finite (NaN/Inf) in epoch ",
                                   epoch + 1, "; parameters left unchanged"));
    }
    if (epoch == 0) {
      stats.surrogate_before = objective;
      stats.seconds_gradient = Since(start);
      start = Clock::now();
    }
    AssignFlat(theta, Flatten(theta).detach() - adam.Step(gradient));
    ++stats.epochs;
  }

  // Where the step ended.
  std::vector<ChunkObjective> after(chunks.size());
  ForEachChunk(chunks, pool, [&](TaskChunk& c) {
    after[&c - chunks.data()] = Evaluate(policy, Leaves(theta), c, adapt.fast_lr, AdaptGraph::kNone, estimator,
                                         ppo.clip_eps, inner_kl_penalty);
  });
  // Per chunk: objective, KL, then the inner steps' KLs.
  std::vector<std::vector<double>> after_values;
  for (const ChunkObjective& a : after) {
    std::vector<double> v = {a.objective.item<double>(), a.kl.item<double>()};
    for (const at::Tensor& kl : a.inner_kl) v.push_back(kl.item<double>());
    after_values.push_back(std::move(v));
  }
  const std::vector<double> sum = SumOverChunks(chunks, after_values);
  stats.surrogate_after = sum[0];
  stats.kl_after = sum[1];
  stats.inner_kl.assign(sum.begin() + 2, sum.end());
  stats.accepted = true;
  stats.seconds_line_search = Since(start);
  return stats;
}

}  // namespace metarl::algorithms
