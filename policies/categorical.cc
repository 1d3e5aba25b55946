#include "policies/categorical.h"

#include <ATen/ATen.h>

#include "core/error.h"

namespace metarl::policies {

at::Tensor CategoricalLogProb(const at::Tensor& logits, const at::Tensor& actions) {
  METARL_CHECK(actions.size(-1) == 1, "categorical actions must have a trailing dimension of size 1");
  return at::log_softmax(logits, -1).gather(-1, actions.to(at::kLong)).squeeze(-1);
}

at::Tensor CategoricalEntropy(const at::Tensor& logits) {
  const at::Tensor log_p = at::log_softmax(logits, -1);
  return -(log_p.exp() * log_p).sum(-1);
}

CategoricalRowSampler::CategoricalRowSampler(const at::Tensor& logits)
    : probs_(at::softmax(logits.detach().to(at::kCPU, at::kDouble), -1).contiguous()), classes_(logits.size(-1)) {
  METARL_CHECK(logits.dim() == 2, "CategoricalRowSampler: logits must be [B, K]");
}

void CategoricalRowSampler::Sample(int64_t row, Rng& rng, float* out) const {
  const double* p = probs_.data_ptr<double>() + row * classes_;
  const double u = rng.Uniform();
  double cumulative = 0.0;
  int64_t k = 0;
  for (; k + 1 < classes_; ++k) {
    cumulative += p[k];
    if (u < cumulative) break;
  }
  out[0] = static_cast<float>(k);
}

}  // namespace metarl::policies
