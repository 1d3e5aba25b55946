#pragma once
// Per-task losses of a batch of episodes.
//   regression:     pred [T, N, O], y [T, N, O] -> mean squared error per task [T]
//   classification: logits [T, N, O], y [T, N] int64 -> mean cross-entropy per task [T]
// Accuracy: fraction of argmax(logits) == y per task [T] (classification only).

#include <ATen/core/Tensor.h>

namespace metarl::algorithms::fewshot {

at::Tensor TaskLosses(const at::Tensor& pred, const at::Tensor& y, bool classification);
at::Tensor TaskAccuracy(const at::Tensor& logits, const at::Tensor& y);
// d TaskLosses_t / d pred [T, N, O] (each task's loss depends only on its own
// rows): 2(pred − y)/(N·O) for regression, (softmax(logits) − onehot(y))/N
// for classification. Differentiable (used inside second-order graphs).
at::Tensor TaskLossOutputGradient(const at::Tensor& pred, const at::Tensor& y, bool classification);

}  // namespace metarl::algorithms::fewshot
