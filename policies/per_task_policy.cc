#include "policies/per_task_policy.h"

#include <ATen/ATen.h>
#include <torch/autograd.h>

#include "core/error.h"

namespace metarl::policies {

PerTaskPolicy::PerTaskPolicy(const GaussianMlpPolicy& policy, Params batched, int64_t per_task)
    : policy_(policy), batched_(std::move(batched)), per_task_(per_task) {
  METARL_REQUIRE(!batched_.empty() && batched_[0].dim() == 3, "PerTaskPolicy needs a batched parameter set");
  METARL_REQUIRE(per_task_ >= 1, "episodes per task = ", per_task_, ": expected >= 1");
  for (auto& p : batched_) p = p.detach();
}

std::unique_ptr<RowSampler> PerTaskPolicy::Act(const at::Tensor& obs) {
  torch::NoGradGuard no_grad;
  const int64_t k = batched_[0].size(0);
  METARL_REQUIRE(obs.size(0) == k * per_task_, "PerTaskPolicy got ", obs.size(0), " rows; expected ", k,
                 " tasks × ", per_task_);
  const at::Tensor grouped = obs.to(batched_[0].device(), /*non_blocking=*/true).view({k, per_task_, obs.size(1)});
  const DiagGaussian dist = policy_.Forward(grouped, batched_);
  const at::Tensor mean = dist.mean().reshape({k * per_task_, -1});
  const at::Tensor log_std = dist.log_std().expand_as(dist.mean()).reshape({k * per_task_, -1});
  return std::make_unique<GaussianRowSampler>(mean, log_std);
}

}  // namespace metarl::policies
