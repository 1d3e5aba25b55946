#pragma once
// Threads used by the math libraries (LibTorch's intra-op pool and the BLAS
// it calls). Rollouts keep them at 1: the env-stepping threads own the cores,
// and a spinning BLAS pool competes with them (measured: OpenBLAS's own
// threads cut the single-thread runner from 0.86 to 0.65 of the physics floor).

namespace metarl {

// Sets LibTorch's intra-op threads and, when the process uses OpenBLAS, its
// thread count (looked up at run time, so other BLAS builds are unaffected).
void SetMathThreads(int threads);

// LibTorch's intra-op threads = `threads` (operations split over independent
// outputs, e.g. batched matmuls over tasks), the BLAS single-threaded: a
// multi-threaded OpenBLAS GEMM is not bitwise reproducible across thread
// counts (measured: a [250, 40]×[40, 40] addmm differs between 1 and 2
// threads), and results must not depend on the thread count.
void SetReproducibleMathThreads(int threads);

}  // namespace metarl
