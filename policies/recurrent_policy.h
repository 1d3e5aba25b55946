#pragma once
// The RL² policy (Duan et al. 2016): a GRU (policies/gru_core.h) whose input
// at each step is
//   x_t = [observation o_t, previous action a_{t−1}, previous reward r_{t−1},
//          previous done d_{t−1}]                                  (I values)
// with a_{t−1} one-hot for discrete actions, and all three "previous" parts
// zero at the first step of a trial. d_{t−1} = 1 when step t is the first step
// of a new episode inside the trial (the env was reset), so the policy sees
// episode boundaries while its hidden state carries across them. The hidden
// state starts at zero at the start of every trial and is never reset inside
// one.
//
// Distributions: Gaussian with a state-independent log-std (continuous
// actions; policy head = action means) or categorical (discrete actions;
// policy head = logits). Parameters: GruCore's, then log_std [A] (Gaussian
// only) — ParameterNames() order.
//
// Shapes: I = input_dim(), H = hidden_size, A = act_dim (1 for discrete).
// Thread-safety: WriteInput and Evaluate are const and may run concurrently;
// Act is the runner's (single caller).

#include <cstdint>
#include <memory>
#include <string>
#include <vector>

#include <ATen/core/Tensor.h>
#include <torch/nn/module.h>

#include "core/config.h"
#include "core/rng.h"
#include "policies/batch_policy.h"
#include "policies/gru_core.h"
#include "policies/params.h"

namespace metarl::policies {

struct RecurrentPolicyOptions {
  int hidden_size = 64;   // GRU width H
  double init_std = 1.0;  // initial action std of the Gaussian variant (log_std = log(init_std))

  void Read(ConfigMap& config);  // keys: hidden-size, init-std (under `policy`)
  void Validate() const;         // std::invalid_argument naming the key
};

struct RecurrentEvaluation {
  at::Tensor log_probs;  // [T, B] log π(a_t | x_≤t)
  at::Tensor entropy;    // [T, B]
  at::Tensor values;     // [T, B] value head
};

class RecurrentPolicy final : public torch::nn::Module {
 public:
  // `num_actions` > 0: categorical over that many actions (act_dim must be 1);
  // 0: Gaussian over `act_dim` continuous actions. Weights from `rng`.
  RecurrentPolicy(int64_t obs_dim, int64_t act_dim, int64_t num_actions, RecurrentPolicyOptions options, Rng& rng);

  int64_t obs_dim() const { return obs_dim_; }
  int64_t act_dim() const { return act_dim_; }
  bool discrete() const { return num_actions_ > 0; }
  int64_t input_dim() const { return core_->options().input_dim; }
  int64_t hidden_size() const { return core_->options().hidden_size; }
  const RecurrentPolicyOptions& options() const { return options_; }

  Params parameters_list() const;
  std::vector<std::string> ParameterNames() const;

  // Writes x_t (input_dim() floats) into `out`. `prev_action` (act_dim floats;
  // the index for discrete actions) is ignored when `first` (trial start:
  // action, reward and done parts are zero).
  void WriteInput(const float* obs, bool first, const float* prev_action, float prev_reward, bool prev_done,
                  float* out) const;

  struct ActResult {
    at::Tensor hidden;                    // [B, H] state after this step (on the policy's device)
    std::unique_ptr<RowSampler> sampler;  // draws a_t per row
  };
  // One no-grad step with the module's parameters: x [B, I] (CPU or device),
  // h [B, H] on the policy's device.
  ActResult Act(const at::Tensor& x, const at::Tensor& h);

  // Unrolls whole trials from a zero state: x [T, B, I], actions [T, B, A].
  // Truncated backpropagation through time: the hidden state is detached
  // every `bptt_chunk` steps (0 = never; the forward values are unchanged).
  RecurrentEvaluation Evaluate(const at::Tensor& x, const at::Tensor& actions, int64_t bptt_chunk,
                               const Params& params) const;
  RecurrentEvaluation Evaluate(const at::Tensor& x, const at::Tensor& actions, int64_t bptt_chunk) const {
    return Evaluate(x, actions, bptt_chunk, parameters_list());
  }

 private:
  int64_t obs_dim_, act_dim_, num_actions_;
  RecurrentPolicyOptions options_;
  std::shared_ptr<GruCore> core_;
  at::Tensor log_std_;  // [A]; undefined for the categorical variant
};

}  // namespace metarl::policies
