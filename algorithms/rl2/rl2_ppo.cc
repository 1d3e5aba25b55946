#include "algorithms/rl2/rl2_ppo.h"

#include <algorithm>
#include <cmath>
#include <numeric>
#include <vector>

#include <ATen/ATen.h>
#include <torch/autograd.h>

#include "algorithms/common/clipped_surrogate.h"
#include "algorithms/common/flat_params.h"
#include "core/error.h"
#include "core/gather_rows.h"
#include "core/rng.h"

namespace metarl::algorithms {

void Rl2PpoOptions::Read(ConfigMap& config) {
  ppo.Read(config, "ppo-epochs");
  config.Read("num-minibatches", &minibatches);
  config.Read("value-coef", &value_coef);
  config.Read("entropy-coef", &entropy_coef);
  config.Read("bptt-chunk", &bptt_chunk);
  config.Read("max-grad-norm", &max_grad_norm);
  config.Read("normalize-advantages", &normalize_advantages);
}

void Rl2PpoOptions::Validate() const {
  ppo.Validate("ppo-epochs");
  METARL_REQUIRE(minibatches >= 1, "num-minibatches = ", minibatches, ": expected an integer >= 1");
  METARL_REQUIRE(std::isfinite(value_coef) && value_coef >= 0.0, "value-coef = ", value_coef,
                 ": expected a number >= 0");
  METARL_REQUIRE(std::isfinite(entropy_coef) && entropy_coef >= 0.0, "entropy-coef = ", entropy_coef,
                 ": expected a number >= 0");
  METARL_REQUIRE(bptt_chunk >= 0, "bptt-chunk = ", bptt_chunk, ": expected 0 (whole trial) or a step count");
  METARL_REQUIRE(std::isfinite(max_grad_norm) && max_grad_norm >= 0.0, "max-grad-norm = ", max_grad_norm,
                 ": expected a number >= 0 (0 = no clipping)");
}

namespace {

void RequireFinite(double value, const char* what) {
  if (!std::isfinite(value)) {
    throw std::runtime_error(Cat("RL² PPO: the ", what, " is not finite (NaN/Inf); lower lr or check rewards"));
  }
}

}  // namespace

Rl2PpoStats Rl2PpoUpdate(policies::RecurrentPolicy& policy, const Rl2PpoBatch& batch, const Rl2PpoOptions& options,
                         FlatAdam& adam, std::uint64_t seed, const TaskShard& shard) {
  options.Validate();
  const int64_t held = batch.masks.size(1);
  const bool distributed = shard.distributed();
  METARL_REQUIRE(!distributed || shard.count == held, "RL² PPO: the batch holds ", held, " trials, the shard ",
                 shard.count);
  const int64_t B = distributed ? shard.total : held;  // trials in the whole meta-batch
  const int64_t first = distributed ? shard.first : 0;
  METARL_REQUIRE(B >= options.minibatches, "num-minibatches = ", options.minibatches, " exceeds the ", B,
                 " trials of the batch (meta-batch-size)");
  // Sums over the ranks' trials (the local value itself in one process).
  auto over_ranks = [&](const at::Tensor& local) { return distributed ? SumOverRanks(*shard.comm, local) : local; };

  at::Tensor advantages = batch.advantages;
  if (options.normalize_advantages) {
    const at::Tensor n = over_ranks(batch.masks.sum());
    const at::Tensor mean = over_ranks((advantages * batch.masks).sum()) / n;
    const at::Tensor var = over_ranks(((advantages - mean).pow(2) * batch.masks).sum()) / n;
    advantages = (advantages - mean) / (var.sqrt() + 1e-8);
  }
  // [B] steps in each trial of the whole batch (exact integers in float32,
  // so a minibatch's count does not depend on the summation order).
  const at::Tensor trial_steps =
      distributed ? AllGatherRows(*shard.comm, batch.masks.sum(0)) : batch.masks.sum(0);
  const policies::Params params = policy.parameters_list();
  int64_t num_params = 0;
  for (const auto& p : params) num_params += p.numel();
  const auto device = batch.masks.device();

  Rl2PpoStats stats;
  int64_t steps = 0;
  for (int epoch = 0; epoch < options.ppo.epochs; ++epoch) {
    std::vector<int64_t> order(B);
    std::iota(order.begin(), order.end(), 0);
    Rng rng(StreamSeed(seed, {static_cast<std::uint64_t>(epoch)}));
    for (int64_t i = B - 1; i > 0; --i) {
      std::swap(order[i], order[rng.UniformInt(static_cast<std::uint64_t>(i + 1))]);
    }
    double policy_loss = 0.0, value_loss = 0.0, entropy = 0.0;
    for (int m = 0; m < options.minibatches; ++m) {
      const auto begin = order.begin() + B * m / options.minibatches;
      const auto end = order.begin() + B * (m + 1) / options.minibatches;
      // The minibatch's steps over all ranks: the denominator of every mean.
      const at::Tensor n =
          trial_steps.index_select(0, at::tensor(std::vector<int64_t>(begin, end), at::kLong).to(device)).sum();
      std::vector<int64_t> mine;  // the minibatch's trials this process holds, as batch columns
      for (auto it = begin; it != end; ++it) {
        if (*it >= first && *it < first + held) mine.push_back(*it - first);
      }
      // [gradient (num_params), surrogate, value loss, entropy] of the trials held here.
      at::Tensor local;
      if (mine.empty()) {
        local = at::zeros({num_params + 3}, batch.masks.options());
      } else {
        const at::Tensor index = at::tensor(mine, at::kLong).to(device);
        const at::Tensor masks = batch.masks.index_select(1, index);
        const policies::RecurrentEvaluation eval =
            policy.Evaluate(batch.inputs.index_select(1, index), batch.actions.index_select(1, index),
                            options.bptt_chunk, params);
        const at::Tensor ratio = at::exp(eval.log_probs - batch.old_log_probs.index_select(1, index));
        const at::Tensor surrogate =
            (ClippedObjective(ratio, advantages.index_select(1, index), options.ppo.clip_eps) * masks).sum() / n;
        const at::Tensor v_loss = ((eval.values - batch.returns.index_select(1, index)).pow(2) * masks).sum() / n;
        const at::Tensor ent = (eval.entropy * masks).sum() / n;
        const at::Tensor loss = -surrogate + options.value_coef * v_loss - options.entropy_coef * ent;
        const policies::Params grads = torch::autograd::grad({loss}, params);
        local = at::cat({Flatten(grads), surrogate.detach().reshape({1}), v_loss.detach().reshape({1}),
                         ent.detach().reshape({1})});
      }
      const at::Tensor terms = over_ranks(local);
      const double surrogate = terms[num_params].item<double>();
      const double v_loss = terms[num_params + 1].item<double>();
      const double ent = terms[num_params + 2].item<double>();
      RequireFinite(-surrogate + options.value_coef * v_loss - options.entropy_coef * ent, "loss");
      at::Tensor g = terms.narrow(0, 0, num_params);
      const double norm = g.norm().item<double>();
      RequireFinite(norm, "gradient");
      stats.grad_norm += norm;
      if (options.max_grad_norm > 0.0 && norm > options.max_grad_norm) g = g * (options.max_grad_norm / norm);
      {
        torch::NoGradGuard no_grad;
        AssignFlat(params, Flatten(params) - adam.Step(g));
      }
      ++steps;
      policy_loss -= surrogate / options.minibatches;
      value_loss += v_loss / options.minibatches;
      entropy += ent / options.minibatches;
    }
    stats.policy_loss = policy_loss;
    stats.value_loss = value_loss;
    stats.entropy = entropy;
  }
  stats.grad_norm /= static_cast<double>(std::max<int64_t>(1, steps));
  torch::NoGradGuard no_grad;
  const policies::RecurrentEvaluation after = policy.Evaluate(batch.inputs, batch.actions, 0, params);
  const at::Tensor log_ratio = after.log_probs - batch.old_log_probs;
  const at::Tensor clipped = (log_ratio.exp() - 1.0).abs().gt(options.ppo.clip_eps).to(batch.masks.scalar_type());
  // [Σ −log ratio, Σ clipped, Σ steps] over the unpadded steps of all ranks.
  const at::Tensor sums = over_ranks(
      at::stack({(-log_ratio * batch.masks).sum(), (clipped * batch.masks).sum(), batch.masks.sum()}));
  stats.approx_kl = (sums[0] / sums[2]).item<double>();
  stats.clip_fraction = (sums[1] / sums[2]).item<double>();
  return stats;
}

}  // namespace metarl::algorithms
