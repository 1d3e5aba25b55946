#pragma once
// Flat-vector views of parameter sets, for second-order optimisers (TRPO's
// conjugate gradient and line search work on one vector).

#include <ATen/core/Tensor.h>

#include "policies/params.h"

namespace metarl::algorithms {

// Concatenation of the flattened tensors, [Σ numel].
at::Tensor Flatten(const policies::Params& params);
// Splits `flat` into tensors shaped like `like` (views of `flat`).
policies::Params Unflatten(const at::Tensor& flat, const policies::Params& like);
// Copies `flat` into the (leaf) tensors of `params` in place, without
// recording autograd history.
void AssignFlat(const policies::Params& params, const at::Tensor& flat);

}  // namespace metarl::algorithms
