#include "algorithms/fewshot/batch_norm.h"

#include <ATen/ATen.h>

#include "core/error.h"

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

at::Tensor StatisticsBatchNorm(const at::Tensor& x, const at::Tensor& gamma, const at::Tensor& beta,
                               const at::Tensor& mean, const at::Tensor& var) {
  const int64_t c = x.size(1);
  const at::Tensor scale = gamma * at::rsqrt(var + kEps);  // [C]
  return (x - mean.view({1, c, 1, 1})) * scale.view({1, c, 1, 1}) + beta.view({1, c, 1, 1});
}

at::Tensor BatchStatistics(const at::Tensor& x) {
  const at::Tensor d = x.detach();
  const int64_t n = d.size(0) * d.size(2) * d.size(3);
  const at::Tensor mean = d.mean({0, 2, 3}, /*keepdim=*/true);
  const at::Tensor biased = (d - mean).square().mean({0, 2, 3});
  const double unbias = n > 1 ? static_cast<double>(n) / static_cast<double>(n - 1) : 1.0;
  return at::stack({mean.view({-1}), biased * unbias});
}

void UpdateRunningStatistics(std::vector<at::Tensor>& running, int64_t layer, const at::Tensor& observed,
                             double momentum) {
  at::NoGradGuard no_grad;
  METARL_CHECK(layer >= 0 && 2 * layer + 1 < static_cast<int64_t>(running.size()), "running statistics: layer ",
               layer, " of ", running.size() / 2);
  for (int64_t b = 0; b < observed.size(0); ++b) {
    for (int64_t k = 0; k < 2; ++k) {
      at::Tensor& r = running[static_cast<std::size_t>(2 * layer + k)];
      r.mul_(1.0 - momentum).add_(observed[b][k].to(r.dtype()), momentum);
    }
  }
}

}  // namespace metarl::algorithms::fewshot
