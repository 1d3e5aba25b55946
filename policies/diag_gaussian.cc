#include "policies/diag_gaussian.h"

#include <cmath>

#include <ATen/ATen.h>

namespace metarl::policies {

DiagGaussian::DiagGaussian(at::Tensor mean, at::Tensor log_std)
    : mean_(std::move(mean)), log_std_(std::move(log_std)) {}

at::Tensor DiagGaussian::LogProb(const at::Tensor& actions) const {
  const at::Tensor z = (actions - mean_) * at::exp(-log_std_);
  const at::Tensor per_dim = -0.5 * z * z - log_std_ - 0.5 * std::log(2.0 * M_PI);
  return per_dim.sum(-1);
}

at::Tensor DiagGaussian::Entropy() const {
  const at::Tensor per_dim = (log_std_ + 0.5 * (1.0 + std::log(2.0 * M_PI))).expand_as(mean_);
  return per_dim.sum(-1);
}

at::Tensor DiagGaussian::Kl(const DiagGaussian& other) const {
  const at::Tensor var = at::exp(2.0 * log_std_);
  const at::Tensor other_var = at::exp(2.0 * other.log_std_);
  const at::Tensor diff = mean_ - other.mean_;
  const at::Tensor per_dim = other.log_std_ - log_std_ + (var + diff * diff) / (2.0 * other_var) - 0.5;
  return per_dim.expand_as(mean_).sum(-1);
}

}  // namespace metarl::policies
