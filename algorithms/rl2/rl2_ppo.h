#pragma once
// PPO over whole trials for RL² (Duan et al. 2016 trained with TRPO; PPO,
// Schulman et al. 2017, is what later frameworks use).
//
// One update = `ppo-epochs` passes over the batch's trials in a seeded
// random order, split into `num-minibatches` minibatches of whole trials;
// each minibatch replays its trials through the GRU from a zero state
// (truncated BPTT every `bptt-chunk` steps) and takes one Adam step on
//   L = −mean(clip surrogate) + value-coef · mean((V − R)²) − entropy-coef · mean(H)
// (means over the unpadded steps), with the gradient's global norm clipped
// to `max-grad-norm`. Advantages are normalised over the batch first when
// `normalize-advantages`.
//
// Distributed (core/task_shard.h): each rank holds trials [first, first +
// count) of the meta-batch of `total`. The minibatch order is drawn over the
// whole batch on every rank; a rank evaluates the trials of each minibatch
// it holds (possibly none), and the advantage statistics, the minibatch's
// step count, the loss terms and the gradient are summed over ranks in rank
// order before clipping and Adam — every rank takes the same step, equal to
// one process's up to float32 summation order.

#include <cstdint>

#include <ATen/core/Tensor.h>

#include "algorithms/common/adam.h"
#include "algorithms/maml/maml_ppo.h"
#include "core/config.h"
#include "core/task_shard.h"
#include "policies/recurrent_policy.h"

namespace metarl::algorithms {

struct Rl2PpoOptions {
  PpoOuterOptions ppo;              // clip-eps (0.2), ppo-epochs (5)
  int minibatches = 4;              // num-minibatches: minibatches of trials per epoch
  double value_coef = 0.5;          // value-coef: weight of the value loss
  double entropy_coef = 0.0;        // entropy-coef: weight of the entropy bonus
  int bptt_chunk = 0;               // bptt-chunk: steps per truncated-BPTT chunk; 0 = the whole trial
  double max_grad_norm = 0.5;       // max-grad-norm: global gradient-norm clip; 0 = none
  bool normalize_advantages = true; // normalize-advantages: zero mean, unit std over the batch

  void Read(ConfigMap& config);
  void Validate() const;  // std::invalid_argument naming the key
};

// The sampled trials with their advantage estimates, all [T, B(, …)] on the
// policy's device. Padding steps have mask 0 (any values there are ignored).
struct Rl2PpoBatch {
  at::Tensor inputs;         // [T, B, I]
  at::Tensor actions;        // [T, B, A]
  at::Tensor masks;          // [T, B]
  at::Tensor advantages;     // [T, B] GAE over the whole trial
  at::Tensor returns;        // [T, B] value targets (advantages + old values)
  at::Tensor old_log_probs;  // [T, B] log-probabilities under the sampling policy
};

struct Rl2PpoStats {
  double policy_loss = 0.0;    // −clip surrogate, mean over the last epoch's minibatches
  double value_loss = 0.0;     // mean squared value error, last epoch
  double entropy = 0.0;        // mean entropy, last epoch
  double approx_kl = 0.0;      // mean (old log-prob − new log-prob) after the update
  double clip_fraction = 0.0;  // fraction of steps with |ratio − 1| > clip-eps after the update
  double grad_norm = 0.0;      // mean pre-clip gradient norm over all minibatch steps
};

// Updates the policy's parameters in place. `seed` keys the minibatch
// order. `batch` holds the shard's trials (the whole batch by default).
// Throws std::runtime_error naming the quantity when a loss or gradient is
// not finite (the parameters then keep their last finite value); under a
// shard every rank throws alike.
Rl2PpoStats Rl2PpoUpdate(policies::RecurrentPolicy& policy, const Rl2PpoBatch& batch, const Rl2PpoOptions& options,
                         FlatAdam& adam, std::uint64_t seed, const TaskShard& shard = {});

}  // namespace metarl::algorithms
