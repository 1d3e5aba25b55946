#pragma once
// Samples from a Gaussian MLP with a different (adapted) parameter set per
// task: the runner's batch rows are task-major (row b belongs to task
// b / per_task), so one batched forward over [K, per_task, obs_dim] serves
// all tasks.

#include <cstdint>
#include <memory>

#include "policies/batch_policy.h"
#include "policies/gaussian_mlp.h"
#include "policies/params.h"

namespace metarl::policies {

class PerTaskPolicy final : public BatchPolicy {
 public:
  // `batched`: parameter set with a leading task dimension K (see params.h).
  // The policy must outlive this object.
  PerTaskPolicy(const GaussianMlpPolicy& policy, Params batched, int64_t per_task);

  int64_t obs_dim() const override { return policy_.obs_dim(); }
  int64_t act_dim() const override { return policy_.act_dim(); }
  // obs [K × per_task, obs_dim] on the CPU.
  std::unique_ptr<RowSampler> Act(const at::Tensor& obs) override;
  c10::Device device() const override { return batched_[0].device(); }

 private:
  const GaussianMlpPolicy& policy_;
  Params batched_;
  int64_t per_task_;
};

}  // namespace metarl::policies
