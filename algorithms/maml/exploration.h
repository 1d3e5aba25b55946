#pragma once
// E-MAML (Stadie et al. 2018): how `metarl train` credits each task's
// pre-update episodes with its post-update return (the weights w of
// ExplorationSurrogate in maml.h, [K tasks, S inner steps]).
//
// The term added to MAML's objective (maximised) is, for task k,
//   Σ_s w_{k,s} · Σ_{pre-update steps n of inner step s} log π(a_n|s_n).
// Two estimators set w (`exploration-estimator`):
//
// reference (default) — the E-MAML code that published numbers come from:
//   ProMP's meta_algos/trpo_maml.py (exploration=True) adds, per task,
//   mean(adj_avg_rewards) · mean(log π over the pre-update samples), where
//   meta_sample_processor.py sets adj_avg_rewards = (r − r̄)/(σ_r + 1e-8),
//   r the task's post-update step rewards and r̄, σ_r the mean and (population)
//   standard deviation of every post-update step reward of the meta-batch; the
//   E-MAML authors' cmaml_loss multiplies the per-step mean of the
//   log-likelihood by a per-task mean credit too. So
//     w_{k,s} = λ · (r̄_k − r̄) / (σ_r + 1e-8) / N_{k,s},
//   N_{k,s} task k's real steps in inner step s: a per-step mean, and λ
//   (`exploration-weight`) = 1 is the references' scale. With one inner step
//   (every published config) both references agree; with more, every inner
//   step's episodes are credited (the E-MAML authors' code; ProMP's credits
//   step 0 only).
//
// exact — the score-function term the MAML objective's gradient is missing:
//   the objective MAML's surrogate ascends for task k is u_k / σ_k, u_k the
//   post-update mean reward per step (R'_k / H'_k) and σ_k the std its
//   advantages were divided by (TaskBatch::advantage_scale), so
//     w_{k,s} = λ · (u_k − b_k) / σ_k   for every s (a sum over steps),
//   b_k the mean of u over the other tasks (a leave-one-out baseline that
//   keeps the estimate unbiased); λ = 1 is the exact term. Its scale grows
//   with the N·H pre-update steps per task: thousands of times the
//   reference's at the same λ.
//
// Padded steps count nowhere.

#include <string>
#include <vector>

#include <ATen/core/Tensor.h>

#include "core/config.h"

namespace metarl::algorithms {

struct ExplorationOptions {
  bool enabled = false;   // key `exploration`: false = MAML, true = E-MAML
  // λ (`exploration-weight`), read only with exploration: true; 1 = the
  // reference code's scale (reference) or the exact term (exact)
  double weight = 1.0;
  std::string estimator = "reference";  // `exploration-estimator`: reference | exact (see above)

  void Read(ConfigMap& config);
  void Validate() const;
  bool exact() const { return estimator == "exact"; }
};

// Σ r, Σ r² and the count over one task's real post-update steps.
struct RewardMoments {
  double sum = 0.0, sum_squares = 0.0;
  int64_t steps = 0;
};

// The reference estimator's per-task credit λ·(r̄_k − r̄)/(σ_r + 1e-8), [K]
// float64 CPU, from every task's post-update reward moments (summed in task
// order). Needs K >= 1 and steps > 0 per task.
at::Tensor ReferenceExplorationCredit(const std::vector<RewardMoments>& post, const ExplorationOptions& options);

// The exact estimator's per-task credit λ·(u_k − b_k)/σ_k, [K] (float64, CPU) from the post-update mean episode returns per task
// (R'_k), the post-update masks [K, M] (H'_k = Σ mask / episodes_k), the
// post-update episodes of each task [K] and σ [K] (the post-update batch's
// advantage_scale; undefined = ones). Needs K >= 2 (the baseline);
// std::invalid_argument otherwise.
at::Tensor ExactExplorationCredit(const std::vector<double>& post_returns, const at::Tensor& post_masks,
                                  const std::vector<int>& episodes, const at::Tensor& advantage_scale,
                                  const ExplorationOptions& options);

// w [K, S] from a per-task credit [K] and the pre-update masks of each inner
// step (train[s].masks, [K, M]): credit / N_{k,s} (per-step mean) or the
// credit itself for every s (sum).
at::Tensor ExplorationWeights(const at::Tensor& credit, const std::vector<at::Tensor>& train_masks,
                              bool per_step_mean);

}  // namespace metarl::algorithms
