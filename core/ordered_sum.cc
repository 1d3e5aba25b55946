#include "core/ordered_sum.h"

#include <ATen/ATen.h>
#include <torch/autograd.h>

#include "core/error.h"

namespace metarl {

at::Tensor OrderedSum(const at::Tensor& x) {
  const int64_t n = x.numel();
  if (n <= kOrderedSumBlock) return x.sum();  // below LibTorch's split: one thread, in order
  const at::Tensor flat = x.reshape({-1});
  const int64_t rows = n / kOrderedSumBlock, whole = rows * kOrderedSumBlock;
  at::Tensor partial = flat.narrow(0, 0, whole).view({rows, kOrderedSumBlock}).sum(1);  // [rows], a row per thread
  if (whole < n) partial = at::cat({partial, flat.narrow(0, whole, n - whole).sum().unsqueeze(0)});
  return OrderedSum(partial);
}

at::Tensor OrderedRowSums(const at::Tensor& x) {
  METARL_CHECK(x.dim() == 2, "OrderedRowSums: expected [R, M], got ", x.dim(), " dimensions");
  const int64_t r = x.size(0), m = x.size(1);
  if (m <= kOrderedSumBlock) return x.contiguous().sum(1);  // each row by one thread, in order
  const int64_t blocks = m / kOrderedSumBlock, whole = blocks * kOrderedSumBlock;
  const at::Tensor c = x.contiguous();
  at::Tensor partial = c.narrow(1, 0, whole).reshape({r * blocks, kOrderedSumBlock}).sum(1).view({r, blocks});
  if (whole < m) partial = at::cat({partial, c.narrow(1, whole, m - whole).sum(1, /*keepdim=*/true)}, 1);
  return OrderedRowSums(partial);
}

namespace {

void RequireOneElement(const at::Tensor& s, const char* what) {
  METARL_CHECK(s.numel() == 1, what, ": expected a one-element tensor, got ", s.numel(), " elements");
}

// x · s with the gradient of s summed by OrderedSum.
class MulByScalarFunction : public torch::autograd::Function<MulByScalarFunction> {
 public:
  static at::Tensor forward(torch::autograd::AutogradContext* ctx, const at::Tensor& x, const at::Tensor& s) {
    ctx->save_for_backward({x, s});
    return x * s.reshape({});
  }
  static torch::autograd::tensor_list backward(torch::autograd::AutogradContext* ctx,
                                               torch::autograd::tensor_list grads) {
    const auto saved = ctx->get_saved_variables();
    const at::Tensor& x = saved[0];
    const at::Tensor& s = saved[1];
    const at::Tensor& g = grads[0];
    return {g * s.reshape({}), OrderedSum(g * x).reshape(s.sizes())};
  }
};

// x + b with the gradient of b summed by OrderedSum.
class AddScalarFunction : public torch::autograd::Function<AddScalarFunction> {
 public:
  static at::Tensor forward(torch::autograd::AutogradContext* ctx, const at::Tensor& x, const at::Tensor& b) {
    ctx->saved_data["b_sizes"] = b.sizes().vec();
    return x + b.reshape({});
  }
  static torch::autograd::tensor_list backward(torch::autograd::AutogradContext* ctx,
                                               torch::autograd::tensor_list grads) {
    const std::vector<int64_t> sizes = ctx->saved_data["b_sizes"].toIntVector();
    return {grads[0], OrderedSum(grads[0]).reshape(sizes)};
  }
};

// x ⊙ s (s [D] over x's last dimension) with the gradient of s summed by OrderedRowSums.
class MulByLastDimFunction : public torch::autograd::Function<MulByLastDimFunction> {
 public:
  static at::Tensor forward(torch::autograd::AutogradContext* ctx, const at::Tensor& x, const at::Tensor& s) {
    ctx->save_for_backward({x, s});
    return x * s;
  }
  static torch::autograd::tensor_list backward(torch::autograd::AutogradContext* ctx,
                                               torch::autograd::tensor_list grads) {
    const auto saved = ctx->get_saved_variables();
    const at::Tensor& x = saved[0];
    const at::Tensor& s = saved[1];
    const at::Tensor& g = grads[0];
    const int64_t d = s.size(0);
    return {MulByLastDim(g, s), OrderedRowSums((g * x).reshape({-1, d}).t())};
  }
};

}  // namespace

at::Tensor MulByLastDim(const at::Tensor& x, const at::Tensor& s) {
  METARL_CHECK(s.dim() == 1 && x.dim() >= 1 && x.size(-1) == s.size(0), "MulByLastDim: s [", s.numel(),
               "] does not match x's last dimension");
  return MulByLastDimFunction::apply(x, s);
}

at::Tensor MulByScalar(const at::Tensor& x, const at::Tensor& s) {
  RequireOneElement(s, "MulByScalar");
  return MulByScalarFunction::apply(x, s);
}

at::Tensor AddScalar(const at::Tensor& x, const at::Tensor& b) {
  RequireOneElement(b, "AddScalar");
  return AddScalarFunction::apply(x, b);
}

}  // namespace metarl
