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

#include <vector>

#include <ATen/core/Tensor.h>

namespace metarl::algorithms::fewshot {

at::Tensor TrainingBatchNorm(const at::Tensor& x, const at::Tensor& gamma, const at::Tensor& beta);

// Batch norm with given per-channel statistics (evaluation with running
// averages, PyTorch's eval mode): (x − mean) / √(var + 1e-5) · γ + β, element
// by element, so every example is normalised on its own and no example of a
// batch affects another. x [N, C, H, W]; gamma, beta, mean, var [C].
// Differentiable in x, γ, β.
at::Tensor StatisticsBatchNorm(const at::Tensor& x, const at::Tensor& gamma, const at::Tensor& beta,
                               const at::Tensor& mean, const at::Tensor& var);

// The statistics that feed PyTorch's running averages in training mode,
// detached: [2, C], row 0 the mean of each channel over (N, H, W), row 1 its
// unbiased variance (the biased one × n/(n − 1), n = N·H·W; the biased one
// when n = 1). Reductions over dimensions, so the bits do not depend on the
// thread count. x [N, C, H, W].
at::Tensor BatchStatistics(const at::Tensor& x);

// The running averages of one layer of PyTorch's BatchNorm2d: for each
// observed batch in order, mean ← (1 − momentum)·mean + momentum·batch mean,
// and likewise the variance with the unbiased batch variance. `running` =
// {mean_0, var_0, mean_1, var_1, …} ([C_l] each, one pair per batch-norm
// layer); the pair of `layer` is updated in place from `observed` [B, 2,
// C_l]: batch b's statistics (BatchStatistics), applied b = 0, 1, … . No
// autograd.
void UpdateRunningStatistics(std::vector<at::Tensor>& running, int64_t layer, const at::Tensor& observed,
                             double momentum);

}  // namespace metarl::algorithms::fewshot
