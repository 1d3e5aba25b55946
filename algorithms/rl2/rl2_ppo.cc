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

double MaskedMean(const at::Tensor& x, const at::Tensor& masks) {
  return ((x * masks).sum() / masks.sum()).item<double>();
}

void RequireFinite(double value, const char* what) {
  if (!std::isfinite(value)) {
    throw std::runtime_error(Cat("RL² PPO: the ", what, " is not finite (NaN/Inf); lower lr or check rewards"));
  }
}

}  // namespace

Rl2PpoStats Rl2PpoUpdate(policies::RecurrentPolicy& policy, const Rl2PpoBatch& batch, const Rl2PpoOptions& options,
                         FlatAdam& adam, std::uint64_t seed) {
  options.Validate();
  const int64_t B = batch.masks.size(1);
  METARL_REQUIRE(B >= options.minibatches, "num-minibatches = ", options.minibatches, " exceeds the ", B,
                 " trials of the batch (meta-batch-size)");
  at::Tensor advantages = batch.advantages;
  if (options.normalize_advantages) {
    const at::Tensor n = batch.masks.sum();
    const at::Tensor mean = (advantages * batch.masks).sum() / n;
    const at::Tensor var = ((advantages - mean).pow(2) * batch.masks).sum() / n;
    advantages = (advantages - mean) / (var.sqrt() + 1e-8);
  }
  const policies::Params params = policy.parameters_list();
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
      const int64_t begin = B * m / options.minibatches, end = B * (m + 1) / options.minibatches;
      const at::Tensor index =
          at::tensor(std::vector<int64_t>(order.begin() + begin, order.begin() + end), at::kLong)
              .to(batch.masks.device());
      const at::Tensor masks = batch.masks.index_select(1, index);
      const at::Tensor n = masks.sum();
      const policies::RecurrentEvaluation eval =
          policy.Evaluate(batch.inputs.index_select(1, index), batch.actions.index_select(1, index),
                          options.bptt_chunk, params);
      const at::Tensor ratio = at::exp(eval.log_probs - batch.old_log_probs.index_select(1, index));
      const at::Tensor surrogate =
          (ClippedObjective(ratio, advantages.index_select(1, index), options.ppo.clip_eps) * masks).sum() / n;
      const at::Tensor v_loss = ((eval.values - batch.returns.index_select(1, index)).pow(2) * masks).sum() / n;
      const at::Tensor ent = (eval.entropy * masks).sum() / n;
      const at::Tensor loss = -surrogate + options.value_coef * v_loss - options.entropy_coef * ent;
      RequireFinite(loss.item<double>(), "loss");
      const policies::Params grads = torch::autograd::grad({loss}, params);
      at::Tensor g = Flatten(grads);
      const double norm = g.norm().item<double>();
      RequireFinite(norm, "gradient");
      stats.grad_norm += norm;
      if (options.max_grad_norm > 0.0 && norm > options.max_grad_norm) g = g * (options.max_grad_norm / norm);
      {
        torch::NoGradGuard no_grad;
        AssignFlat(params, Flatten(params) - adam.Step(g));
      }
      ++steps;
      policy_loss -= surrogate.item<double>() / options.minibatches;
      value_loss += v_loss.item<double>() / options.minibatches;
      entropy += ent.item<double>() / options.minibatches;
    }
    stats.policy_loss = policy_loss;
    stats.value_loss = value_loss;
    stats.entropy = entropy;
  }
  stats.grad_norm /= static_cast<double>(std::max<int64_t>(1, steps));
  torch::NoGradGuard no_grad;
  const policies::RecurrentEvaluation after = policy.Evaluate(batch.inputs, batch.actions, 0, params);
  const at::Tensor log_ratio = after.log_probs - batch.old_log_probs;
  stats.approx_kl = MaskedMean(-log_ratio, batch.masks);
  stats.clip_fraction =
      MaskedMean((log_ratio.exp() - 1.0).abs().gt(options.ppo.clip_eps).to(batch.masks.scalar_type()), batch.masks);
  return stats;
}

}  // namespace metarl::algorithms
