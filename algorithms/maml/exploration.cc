#include "algorithms/maml/exploration.h"

#include <algorithm>
#include <cmath>

#include <ATen/ATen.h>

#include "core/error.h"

namespace metarl::algorithms {

void ExplorationOptions::Read(ConfigMap& config) {
  config.Read("exploration", &enabled);
  if (enabled) {
    config.Read("exploration-weight", &weight);
    config.Read("exploration-estimator", &estimator);
  }
}

void ExplorationOptions::Validate() const {
  METARL_REQUIRE(std::isfinite(weight) && weight > 0.0, "exploration-weight = ", weight,
                 ": expected a positive number");
  METARL_REQUIRE(estimator == "reference" || estimator == "exact", "exploration-estimator = '", estimator,
                 "': expected 'reference' (per-step means, ProMP's and the E-MAML authors' scale) or 'exact' "
                 "(the missing score-function term, summed over steps)");
}

at::Tensor ReferenceExplorationCredit(const std::vector<RewardMoments>& post, const ExplorationOptions& options) {
  METARL_REQUIRE(!post.empty(), "E-MAML needs at least one task");
  double sum = 0.0, sum_squares = 0.0;
  int64_t steps = 0;
  for (const RewardMoments& m : post) {  // task order: the same sums in any process layout
    METARL_REQUIRE(m.steps > 0, "E-MAML: a task without post-update steps");
    sum += m.sum;
    sum_squares += m.sum_squares;
    steps += m.steps;
  }
  const double mean = sum / static_cast<double>(steps);
  const double std = std::sqrt(std::max(0.0, sum_squares / static_cast<double>(steps) - mean * mean));
  std::vector<double> credit;
  for (const RewardMoments& m : post) {
    credit.push_back(options.weight * (m.sum / static_cast<double>(m.steps) - mean) / (std + 1e-8));
  }
  return at::tensor(credit, at::kDouble);
}

at::Tensor ExplorationWeights(const at::Tensor& credit, const std::vector<at::Tensor>& train_masks,
                              bool per_step_mean) {
  METARL_REQUIRE(credit.dim() == 1 && !train_masks.empty(), "ExplorationWeights: credit must be [K]");
  std::vector<at::Tensor> columns;
  for (const at::Tensor& m : train_masks) {
    METARL_REQUIRE(m.dim() == 2 && m.size(0) == credit.size(0), "ExactExplorationCredit: masks must be [K, M]");
    const at::Tensor c = credit.to(m.device(), at::kDouble);
    columns.push_back(per_step_mean ? c / m.to(at::kDouble).sum(1).clamp_min(1.0) : c);
  }
  return at::stack(columns, 1);
}

at::Tensor ExactExplorationCredit(const std::vector<double>& post_returns, const at::Tensor& post_masks,
                                  const std::vector<int>& episodes, const at::Tensor& advantage_scale,
                              const ExplorationOptions& options) {
  const auto k = static_cast<int64_t>(post_returns.size());
  METARL_REQUIRE(k >= 2, "E-MAML needs meta-batch-size >= 2 (its baseline for a task is the other tasks' mean)");
  METARL_REQUIRE(post_masks.dim() == 2 && post_masks.size(0) == k && static_cast<int64_t>(episodes.size()) == k,
                 "ExactExplorationCredit: masks must be [K, M] and episode counts [K] for K = ", k, " tasks");
  for (int e : episodes) METARL_REQUIRE(e >= 1, "ExactExplorationCredit: a task without episodes");
  const at::Tensor lengths = post_masks.to(at::kCPU, at::kDouble).sum(1) / at::tensor(episodes, at::kInt).to(at::kDouble);
  const at::Tensor u = at::tensor(post_returns, at::kDouble) / lengths;
  const at::Tensor baseline = (u.sum() - u) / static_cast<double>(k - 1);
  at::Tensor w = (u - baseline) * options.weight;
  if (advantage_scale.defined()) {
    METARL_REQUIRE(advantage_scale.dim() == 1 && advantage_scale.size(0) == k,
                   "ExactExplorationCredit: advantage_scale must be [K] for K = ", k, " tasks");
    w = w / advantage_scale.to(at::kCPU, at::kDouble);
  }
  return w;
}

}  // namespace metarl::algorithms
