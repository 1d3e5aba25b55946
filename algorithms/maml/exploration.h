#pragma once
// E-MAML (Stadie et al. 2018): how `metarl train` credits each task's
// pre-update episodes with its post-update return (the weights w_k of
// ExplorationSurrogate in maml.h).
//
// MAML's post-adaptation surrogate is a per-step mean; the exact gradient of
// the post-update return with respect to the pre-update sampling distribution
// is, on the same per-step scale,
//   E[ (R'_k / H'_k) · Σ_{episodes i} Σ_t ∇ log π(a_{i,t}|s_{i,t}) ]
// with R'_k the post-update return and H'_k the post-update episode length.
// ExplorationSurrogate takes a per-task mean over the pre-update steps, so
//   w_k = λ · N_k · (u_k − b_k) / σ,   u_k = R'_k / H'_k,
// with N_k the pre-update episodes of task k (fast-batch-size), b_k the mean
// of u over the other tasks of the meta-batch (a leave-one-out baseline: it
// does not depend on task k's episodes, so the estimator stays unbiased),
// σ the std of u over the meta-batch when `normalize` (like the per-task
// advantage standardisation of the surrogate; 1 otherwise) and λ `weight`.
// Padded steps count in neither H' nor the means.

#include <vector>

#include <ATen/core/Tensor.h>

#include "core/config.h"

namespace metarl::algorithms {

struct ExplorationOptions {
  bool enabled = false;   // key `exploration`: false = MAML, true = E-MAML
  double weight = 1.0;    // λ (`exploration-weight`), read only with exploration: true
  bool normalize = true;  // divide by σ (`exploration-normalize`), read only with exploration: true

  void Read(ConfigMap& config);
  void Validate() const;
};

// w [K] (float64) from the post-update mean returns per task (R'_k), the
// post-update masks [K, M] (for H'_k = Σ mask / episodes) and the pre-update
// episodes per task. Needs K >= 2 (the baseline); std::invalid_argument
// otherwise.
at::Tensor ExplorationWeights(const std::vector<double>& post_returns, const at::Tensor& post_masks,
                              int episodes_per_task, const ExplorationOptions& options);

}  // namespace metarl::algorithms
