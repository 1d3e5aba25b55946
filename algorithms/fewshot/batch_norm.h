#pragma once
// Batch normalisation of the few-shot conv nets, in training mode as in MAML's
// reference code (statistics of the current batch at meta-training and at
// evaluation, no running averages): per channel over (N, H, W), eps 1e-5,
// then γ·x̂ + β.
//
// The result is bit-identical for any LibTorch thread count: LibTorch's CPU
// kernel sums one channel in one thread only for contiguous N×C×H×W inputs
// with H·W > 1; strided and channels-last inputs, N×C×1×1 ones (which it
// treats as channels-last) and strided incoming gradients take paths with
// per-thread partial sums (core/threads.h). So CPU inputs are made
// contiguous, and N×C×1×1 ones are normalised with explicit reductions over
// dimensions 0, 2, 3 instead of the fused kernel (the same formula; rounding
// may differ from the fused kernel's in the last bits).
//
// x [N, C, H, W]; gamma, beta [C]. Differentiable to any order.

#include <ATen/core/Tensor.h>

namespace metarl::algorithms::fewshot {

at::Tensor TrainingBatchNorm(const at::Tensor& x, const at::Tensor& gamma, const at::Tensor& beta);

}  // namespace metarl::algorithms::fewshot
