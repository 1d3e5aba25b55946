#pragma once
// Diagonal Gaussian action distribution over a batch.
//
// mean: [..., A]; log_std broadcastable to mean's shape (typically [A] or
// [K, 1, A] for per-task parameters). All methods are differentiable.

#include <ATen/core/Tensor.h>

namespace metarl::policies {

class DiagGaussian {
 public:
  DiagGaussian(at::Tensor mean, at::Tensor log_std);

  const at::Tensor& mean() const { return mean_; }
  const at::Tensor& log_std() const { return log_std_; }
  int64_t act_dim() const { return mean_.size(-1); }

  // Σ_a log N(actions_a | mean_a, std_a²): shape mean.shape[:-1].
  at::Tensor LogProb(const at::Tensor& actions) const;
  // Σ_a (½ + ½ log 2π + log std_a): shape mean.shape[:-1].
  at::Tensor Entropy() const;
  // KL(this ‖ other), summed over the action dimension.
  at::Tensor Kl(const DiagGaussian& other) const;

 private:
  at::Tensor mean_;
  at::Tensor log_std_;
};

}  // namespace metarl::policies
