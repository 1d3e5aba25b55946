#pragma once
// Sums to one value whose bits do not depend on LibTorch's thread count.
//
// LibTorch (CPU) reduces a tensor of at least at::internal::GRAIN_SIZE
// (32 768) elements to ONE value with one partial sum per intra-op thread,
// so `x.sum()`, `x.norm()` and autograd's gradient of a scalar broadcast over
// a large tensor change in the last bits with the thread count (see
// core/threads.h). These functions sum in an order fixed by the shape alone:
// blocks of kOrderedSumBlock consecutive elements are summed by a reduction
// over one dimension (each block by one thread, always in the same order),
// then the block sums are summed the same way until fewer than a block
// remain. All are differentiable (any order: the backward passes are built
// from the same operations), on any device; the result is a 0-dim tensor of
// x's dtype.

#include <cstdint>

#include <ATen/core/Tensor.h>

namespace metarl {

inline constexpr int64_t kOrderedSumBlock = 4096;

// Σ x over every element (0-dim).
at::Tensor OrderedSum(const at::Tensor& x);

// x · s for a one-element tensor `s` (any shape with one element, e.g. a
// learned step size [1]); the gradient with respect to s is OrderedSum(grad ⊙ x)
// (instead of LibTorch's thread-split sum), with respect to x grad · s.
// The result has x's shape.
at::Tensor MulByScalar(const at::Tensor& x, const at::Tensor& s);

// x ⊙ s for s [D] broadcast over x [..., D] (e.g. a learned step size per
// dimension); the gradient with respect to s is, per d, the sum of (grad ⊙
// x)[..., d] in an order fixed by the shape (OrderedRowSums), with respect
// to x grad ⊙ s. The result has x's shape.
at::Tensor MulByLastDim(const at::Tensor& x, const at::Tensor& s);

// Σ over the columns of x [R, M] per row ([R]), in an order fixed by the
// shape (blocks of kOrderedSumBlock, as OrderedSum). Differentiable.
at::Tensor OrderedRowSums(const at::Tensor& x);

// x + b for a one-element tensor `b` (e.g. the bias of a layer with one
// output); the gradient with respect to b is OrderedSum(grad).
at::Tensor AddScalar(const at::Tensor& x, const at::Tensor& b);

}  // namespace metarl
