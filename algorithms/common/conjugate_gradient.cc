#include "algorithms/common/conjugate_gradient.h"

#include <ATen/ATen.h>

namespace metarl::algorithms {

ConjugateGradientResult ConjugateGradient(const std::function<at::Tensor(const at::Tensor&)>& matvec,
                                          const at::Tensor& b, int max_iters, double residual_tol) {
  ConjugateGradientResult result;
  at::Tensor x = at::zeros_like(b);
  at::Tensor r = b.clone();
  at::Tensor p = b.clone();
  double rr = r.dot(r).item<double>();
  for (int i = 0; i < max_iters && rr >= residual_tol; ++i) {
    const at::Tensor ap = matvec(p);
    ++result.iterations;
    const double alpha = rr / p.dot(ap).item<double>();
    x = x + alpha * p;
    r = r - alpha * ap;
    const double rr_new = r.dot(r).item<double>();
    p = r + (rr_new / rr) * p;
    rr = rr_new;
  }
  result.x = x;
  result.residual_norm2 = rr;
  return result;
}

}  // namespace metarl::algorithms
