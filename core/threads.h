#pragma once
// Threads used by the math libraries (LibTorch's intra-op pool and the BLAS
// it calls). Rollouts keep them at 1: the env-stepping threads own the cores,
// and a spinning BLAS pool competes with them (measured: OpenBLAS's own
// threads cut the single-thread runner from 0.86 to 0.65 of the physics floor).
//
// What makes a result depend on the thread count (measured with LibTorch 1.13
// and OpenBLAS 0.3.21 on AVX-512 and AVX2 kernels, 1 vs 2 vs 3 threads):
//  - a multi-threaded OpenBLAS GEMM ([250, 40]×[40, 40] addmm differs);
//  - oneDNN's convolution weight gradient (it sums per-thread partial
//    gradients): every batched 3×3 conv2d with batch > 1 that was tried;
//  - a reduction to ONE value over at least at::internal::GRAIN_SIZE (32 768)
//    elements (`x.sum()`, `x.norm()`, and autograd's gradient of a scalar
//    broadcast over a large tensor): LibTorch adds one partial sum per thread;
//  - batch norm on a strided or channels-last input, one with a single
//    spatial position (N×C×1×1), or with a strided incoming gradient:
//    per-thread partial statistics.
// Element-wise operations, reductions over some dimensions (each output is
// summed by one thread in a fixed order), batched matmuls with the BLAS on
// one thread, and batch norm on contiguous N×C×H×W (H·W > 1) inputs are
// independent of the thread count. Code that must be bit-identical for any
// thread count reduces per task before reducing over tasks
// (core/ordered_sum.h) and normalises with algorithms/fewshot/batch_norm.h.

namespace metarl {

// LibTorch's intra-op threads and, when the process uses OpenBLAS, its
// thread count (looked up at run time, so other BLAS builds are unaffected);
// oneDNN's CPU kernels on (LibTorch's default). Results may depend on
// `threads`; with threads = 1 they repeat bit for bit.
void SetMathThreads(int threads);

// LibTorch's intra-op threads = `threads` (operations split over independent
// outputs, e.g. batched matmuls over tasks), the BLAS single-threaded and
// oneDNN's convolutions off (LibTorch's own im2col + GEMM kernels instead),
// so that the operations listed above that do not reduce to one value give
// the same bits for any `threads`.
void SetReproducibleMathThreads(int threads);

}  // namespace metarl
