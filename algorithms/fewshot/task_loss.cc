#include "algorithms/fewshot/task_loss.h"

#include <ATen/ATen.h>

namespace metarl::algorithms::fewshot {

at::Tensor TaskLosses(const at::Tensor& pred, const at::Tensor& y, bool classification) {
  if (!classification) return (pred - y).square().mean({1, 2});
  const at::Tensor log_p = at::log_softmax(pred, -1);
  return -log_p.gather(2, y.unsqueeze(2)).squeeze(2).mean(1);
}

at::Tensor TaskAccuracy(const at::Tensor& logits, const at::Tensor& y) {
  return logits.argmax(-1).eq(y).to(logits.scalar_type()).mean(1);
}

at::Tensor TaskLossOutputGradient(const at::Tensor& pred, const at::Tensor& y, bool classification) {
  const double n = static_cast<double>(pred.size(1));
  if (!classification) return (pred - y) * (2.0 / (n * static_cast<double>(pred.size(2))));
  const at::Tensor onehot = at::zeros_like(pred).scatter_(2, y.unsqueeze(2), 1.0);
  return (at::softmax(pred, -1) - onehot) / n;
}

}  // namespace metarl::algorithms::fewshot
