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
  const int64_t n = x.size(0), c = x.size(1), h = x.size(2), w = x.size(3);
  if (h * w > 1) return Normalise(x.contiguous(), gamma, beta);
  // [N, C, 1, 1] -> [1, C, N, 1], contiguous (a reshape alone may return a
  // strided view, which takes another per-thread path): the same values per channel.
  const at::Tensor columns = x.transpose(0, 1).reshape({1, c, n * h * w, 1}).contiguous();
  return Normalise(columns, gamma, beta).reshape({c, n, h, w}).transpose(0, 1);
}

}  // namespace metarl::algorithms::fewshot
