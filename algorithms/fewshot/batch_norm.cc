#include "algorithms/fewshot/batch_norm.h"

#include <ATen/ATen.h>

namespace metarl::algorithms::fewshot {

namespace {
constexpr double kEps = 1e-5;

at::Tensor Normalise(const at::Tensor& x, const at::Tensor& gamma, const at::Tensor& beta) {
  return at::batch_norm(x, gamma, beta, /*running_mean=*/{}, /*running_var=*/{}, /*training=*/true,
                        /*momentum=*/0.0, kEps, /*cudnn_enabled=*/true);
}
}  // namespace

at::Tensor TrainingBatchNorm(const at::Tensor& x, const at::Tensor& gamma, const at::Tensor& beta) {
  if (!x.is_cpu()) return Normalise(x, gamma, beta);
  const int64_t c = x.size(1), h = x.size(2), w = x.size(3);
  if (h * w > 1) return Normalise(x.contiguous(), gamma, beta);
  // N×C×1×1: the statistics as reductions over dimensions 0, 2, 3 (one
  // thread per channel, forward and backward, whatever the gradient's layout).
  const at::Tensor mean = x.mean({0, 2, 3}, /*keepdim=*/true);
  const at::Tensor centred = x - mean;
  const at::Tensor var = centred.square().mean({0, 2, 3}, /*keepdim=*/true);  // biased, as in training mode
  return centred * at::rsqrt(var + kEps) * gamma.view({1, c, 1, 1}) + beta.view({1, c, 1, 1});
}

}  // namespace metarl::algorithms::fewshot
