#include "policies/recurrent_policy.h"

#include <algorithm>
#include <cmath>

#include <ATen/ATen.h>
#include <torch/autograd.h>

#include "core/error.h"
#include "policies/categorical.h"
#include "policies/diag_gaussian.h"

namespace metarl::policies {

void RecurrentPolicyOptions::Read(ConfigMap& config) {
  config.Read("hidden-size", &hidden_size);
  config.Read("init-std", &init_std);
}

void RecurrentPolicyOptions::Validate() const {
  METARL_REQUIRE(hidden_size >= 1, "policy.hidden-size = ", hidden_size, ": expected a positive integer");
  METARL_REQUIRE(std::isfinite(init_std) && init_std > 0.0, "policy.init-std = ", init_std,
                 ": expected a positive number");
}

RecurrentPolicy::RecurrentPolicy(int64_t obs_dim, int64_t act_dim, int64_t num_actions,
                                 RecurrentPolicyOptions options, Rng& rng)
    : obs_dim_(obs_dim), act_dim_(act_dim), num_actions_(num_actions), options_(options) {
  options_.Validate();
  METARL_REQUIRE(obs_dim >= 1 && act_dim >= 1 && num_actions >= 0, "recurrent policy dims obs=", obs_dim,
                 " act=", act_dim, " num_actions=", num_actions, ": expected positive sizes");
  METARL_REQUIRE(num_actions == 0 || act_dim == 1, "a categorical policy has act_dim 1, got ", act_dim);
  const int64_t action_width = discrete() ? num_actions : act_dim;
  GruCoreOptions core;
  core.input_dim = obs_dim + action_width + 2;
  core.hidden_size = options_.hidden_size;
  core.outputs = action_width;
  core_ = register_module("core", std::make_shared<GruCore>(core, rng));
  if (!discrete()) {
    log_std_ = register_parameter("log_std", at::full({act_dim}, std::log(options_.init_std), at::kFloat));
  }
}

Params RecurrentPolicy::parameters_list() const {
  Params p = core_->parameters_list();
  if (!discrete()) p.push_back(log_std_);
  return p;
}

std::vector<std::string> RecurrentPolicy::ParameterNames() const {
  std::vector<std::string> names = core_->ParameterNames();
  if (!discrete()) names.push_back("log_std");
  return names;
}

void RecurrentPolicy::WriteInput(const float* obs, bool first, const float* prev_action, float prev_reward,
                                 bool prev_done, float* out) const {
  std::copy(obs, obs + obs_dim_, out);
  float* action = out + obs_dim_;
  const int64_t width = discrete() ? num_actions_ : act_dim_;
  std::fill(action, action + width + 2, 0.0f);
  if (first) return;
  if (discrete()) {
    const auto index = static_cast<int64_t>(prev_action[0]);
    METARL_CHECK(index >= 0 && index < num_actions_, "previous action ", prev_action[0], " is not an index below ",
                 num_actions_);
    action[index] = 1.0f;
  } else {
    std::copy(prev_action, prev_action + act_dim_, action);
  }
  action[width] = prev_reward;
  action[width + 1] = prev_done ? 1.0f : 0.0f;
}

namespace {
// The GRU's parameters: all but the trailing log_std of the Gaussian variant.
Params CoreParams(const Params& params, bool discrete) {
  return discrete ? params : Params(params.begin(), params.end() - 1);
}
}  // namespace

RecurrentPolicy::ActResult RecurrentPolicy::Act(const at::Tensor& x, const at::Tensor& h) {
  torch::NoGradGuard no_grad;
  const Params params = parameters_list();
  const at::Tensor on_device = x.to(params[0].device(), /*non_blocking=*/true);
  ActResult result;
  const Params core = CoreParams(params, discrete());
  result.hidden = core_->Step(on_device, h, core);
  const at::Tensor head = core_->Heads(result.hidden, core).policy;
  if (discrete()) {
    result.sampler = std::make_unique<CategoricalRowSampler>(head);
  } else {
    result.sampler = std::make_unique<GaussianRowSampler>(head, params.back());
  }
  return result;
}

RecurrentEvaluation RecurrentPolicy::Evaluate(const at::Tensor& x, const at::Tensor& actions, int64_t bptt_chunk,
                                              const Params& params) const {
  METARL_CHECK(x.dim() == 3 && x.size(2) == input_dim(), "RecurrentPolicy::Evaluate: x must be [T, B, ",
               input_dim(), "], got ", x.sizes());
  METARL_CHECK(actions.dim() == 3 && actions.size(0) == x.size(0) && actions.size(1) == x.size(1),
               "RecurrentPolicy::Evaluate: actions must be [T, B, A]");
  METARL_CHECK(bptt_chunk >= 0, "bptt chunk ", bptt_chunk, " < 0");
  const int64_t T = x.size(0), B = x.size(1);
  const int64_t chunk = bptt_chunk > 0 ? bptt_chunk : std::max<int64_t>(T, 1);
  const at::Tensor no_resets = at::zeros({chunk, B}, x.options());
  at::Tensor h = at::zeros({B, hidden_size()}, x.options().dtype(params[0].scalar_type()));
  const Params core = CoreParams(params, discrete());
  std::vector<at::Tensor> pieces;
  for (int64_t start = 0; start < T; start += chunk) {
    const int64_t len = std::min(chunk, T - start);
    const at::Tensor hidden = core_->Unroll(x.narrow(0, start, len), h, no_resets.narrow(0, 0, len), core);
    pieces.push_back(hidden);
    h = hidden[len - 1].detach();  // truncation point (the value carries on, the gradient does not)
  }
  const at::Tensor hidden = at::cat(pieces);
  const GruHeads heads = core_->Heads(hidden, core);
  RecurrentEvaluation out;
  out.values = heads.value;
  if (discrete()) {
    out.log_probs = CategoricalLogProb(heads.policy, actions);
    out.entropy = CategoricalEntropy(heads.policy);
  } else {
    const DiagGaussian dist(heads.policy, params.back());
    out.log_probs = dist.LogProb(actions);
    out.entropy = dist.Entropy();
  }
  return out;
}

}  // namespace metarl::policies
