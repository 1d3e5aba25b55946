#include "algorithms/maml/exploration.h"

#include <cmath>

#include <ATen/ATen.h>

#include "core/error.h"

namespace metarl::algorithms {

void ExplorationOptions::Read(ConfigMap& config) {
  config.Read("exploration", &enabled);
  if (enabled) {
    config.Read("exploration-weight", &weight);
  }
}

void ExplorationOptions::Validate() const {
  METARL_REQUIRE(std::isfinite(weight) && weight > 0.0, "exploration-weight = ", weight,
                 ": expected a positive number");
}

at::Tensor ExplorationWeights(const std::vector<double>& post_returns, const at::Tensor& post_masks,
                              int episodes_per_task, const at::Tensor& advantage_scale,
                              const ExplorationOptions& options) {
  const auto k = static_cast<int64_t>(post_returns.size());
  METARL_REQUIRE(k >= 2, "E-MAML needs meta-batch-size >= 2 (its baseline for a task is the other tasks' mean)");
  METARL_REQUIRE(post_masks.dim() == 2 && post_masks.size(0) == k && episodes_per_task >= 1,
                 "ExplorationWeights: masks must be [K, M] for K = ", k, " tasks");
  const at::Tensor lengths = post_masks.to(at::kCPU, at::kDouble).sum(1) / static_cast<double>(episodes_per_task);
  const at::Tensor u = at::tensor(post_returns, at::kDouble) / lengths;
  const at::Tensor baseline = (u.sum() - u) / static_cast<double>(k - 1);
  at::Tensor w = (u - baseline) * options.weight;
  if (advantage_scale.defined()) {
    METARL_REQUIRE(advantage_scale.dim() == 1 && advantage_scale.size(0) == k,
                   "ExplorationWeights: advantage_scale must be [K] for K = ", k, " tasks");
    w = w / advantage_scale.to(at::kCPU, at::kDouble);
  }
  return w;
}

}  // namespace metarl::algorithms
