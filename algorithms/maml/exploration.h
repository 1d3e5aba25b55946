#pragma once
// E-MAML (Stadie et al. 2018): how `metarl train` credits each task's
// pre-update episodes with its post-update return (the weights w_k of
// ExplorationSurrogate in maml.h).
//
// The objective MAML's surrogate ascends for task k is u_k / σ_k: u_k the
// post-update mean reward per step (R'_k / H'_k, R'_k the mean post-update
// episode return, H'_k the mean post-update episode length) and σ_k the std
// its advantages were divided by (TaskBatch::advantage_scale). Its gradient
// through the pre-update sampling distribution, which MAML drops, is
//   E[ (u_k / σ_k) · Σ_{pre-update steps n of task k} ∇ log π(a_n|s_n) ],
// the sum running over every pre-update episode and step of every inner step.
// ExplorationSurrogate sums exactly that, with
//   w_k = λ · (u_k − b_k) / σ_k,
// b_k the mean of u over the other tasks of the meta-batch (a leave-one-out
// baseline: it does not depend on task k's episodes, so the estimate stays
// unbiased) and λ `exploration-weight`; λ = 1 is the exact term. Padded steps
// count in neither H' nor the sums.
//
// Scale: with N episodes of H steps per inner step the term sums N·H score
// terms per task, so its variance grows with N·H while MAML's per-step mean
// does not. The ProMP paper's reference implementation credits the mean
// log-likelihood instead (per-step mean, rewards standardised over the
// meta-batch), which corresponds to λ of order σ_A / (N·H·σ_r) ≪ 1.

#include <vector>

#include <ATen/core/Tensor.h>

#include "core/config.h"

namespace metarl::algorithms {

struct ExplorationOptions {
  bool enabled = false;   // key `exploration`: false = MAML, true = E-MAML
  double weight = 1.0;  // λ (`exploration-weight`), read only with exploration: true; 1 = the exact term

  void Read(ConfigMap& config);
  void Validate() const;
};

// w [K] (float64, CPU) from the post-update mean episode returns per task
// (R'_k), the post-update masks [K, M] (H'_k = Σ mask / episodes), the
// post-update episodes per task and σ [K] (the post-update batch's
// advantage_scale; undefined = ones). Needs K >= 2 (the baseline);
// std::invalid_argument otherwise.
at::Tensor ExplorationWeights(const std::vector<double>& post_returns, const at::Tensor& post_masks,
                              int episodes_per_task, const at::Tensor& advantage_scale,
                              const ExplorationOptions& options);

}  // namespace metarl::algorithms
