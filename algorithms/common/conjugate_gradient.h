#pragma once
// Conjugate gradient for A x = b with A symmetric positive definite, given
// only as a matrix-vector product (TRPO: A = Hessian of the mean KL + damping).

#include <functional>

#include <ATen/core/Tensor.h>

namespace metarl::algorithms {

struct ConjugateGradientResult {
  at::Tensor x;            // the approximate solution, shaped like b
  int iterations = 0;      // matrix-vector products used
  double residual_norm2 = 0.0;  // ‖b − A x‖² of the last iterate (as tracked by CG)
};

// Stops after `max_iters` products or when the residual's squared norm falls
// below `residual_tol`. Starts from x = 0.
ConjugateGradientResult ConjugateGradient(const std::function<at::Tensor(const at::Tensor&)>& matvec,
                                          const at::Tensor& b, int max_iters, double residual_tol = 1e-10);

}  // namespace metarl::algorithms
