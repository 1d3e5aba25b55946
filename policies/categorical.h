#pragma once
// Categorical action distribution over a batch, from unnormalised logits.
//
// logits: [..., K]; actions hold indices 0 … K−1 as integral floats in a
// trailing dimension of size 1 ([..., 1]), the layout discrete envs use
// (envs/env.h). All tensor functions are differentiable in the logits.

#include <cstdint>

#include <ATen/core/Tensor.h>

#include "policies/batch_policy.h"

namespace metarl::policies {

// log p(action): shape logits.shape[:-1].
at::Tensor CategoricalLogProb(const at::Tensor& logits, const at::Tensor& actions);
// −Σ_k p_k log p_k: shape logits.shape[:-1].
at::Tensor CategoricalEntropy(const at::Tensor& logits);

// Draws an index per row from softmax(logits[row]) with the row's Rng
// (inverse CDF on one uniform draw), written as a float into out[0].
class CategoricalRowSampler final : public RowSampler {
 public:
  explicit CategoricalRowSampler(const at::Tensor& logits);  // [B, K], any device
  void Sample(int64_t row, Rng& rng, float* out) const override;

 private:
  at::Tensor probs_;  // [B, K] contiguous CPU double
  int64_t classes_;
};

}  // namespace metarl::policies
