#pragma once
// What the rollout runner needs from a policy: one batched forward per time
// step, then per-row sampling done by the env threads.
//
// Act(obs) is called on the runner's thread with obs [B, obs_dim] (float32,
// CPU). It returns a RowSampler, whose Sample(row, rng, out) is then called
// concurrently from worker threads for distinct rows; it must be const and
// touch only CPU memory. Sampling through the env's own Rng stream makes the
// episodes independent of the thread count.

#include <cstdint>
#include <memory>

#include <ATen/core/Tensor.h>
#include <c10/core/Device.h>

#include "core/rng.h"

namespace metarl::policies {

class RowSampler {
 public:
  virtual ~RowSampler() = default;
  // Writes one action for batch row `row` into out[0, act_dim).
  virtual void Sample(int64_t row, Rng& rng, float* out) const = 0;
};

class BatchPolicy {
 public:
  virtual ~BatchPolicy() = default;
  virtual int64_t obs_dim() const = 0;
  virtual int64_t act_dim() const = 0;
  virtual std::unique_ptr<RowSampler> Act(const at::Tensor& obs) = 0;
  // Where Act's forward pass runs. The runner keeps its observation buffer in
  // page-locked memory when this is a CUDA device (core/device.h HostBuffer),
  // so that Act's copy is one asynchronous DMA transfer per time step.
  virtual c10::Device device() const { return c10::Device(c10::kCPU); }
};

// Samples a ~ N(mean[row], exp(log_std[row])²) from CPU float tensors.
class GaussianRowSampler final : public RowSampler {
 public:
  // mean: [B, A]; log_std: [A] or [B, A]. Both are moved to CPU float32 here.
  GaussianRowSampler(const at::Tensor& mean, const at::Tensor& log_std);
  void Sample(int64_t row, Rng& rng, float* out) const override;

 private:
  at::Tensor mean_;  // [B, A] contiguous CPU float
  at::Tensor std_;   // [B, A] contiguous CPU float
  int64_t act_dim_;
};

}  // namespace metarl::policies
