#pragma once
// An explicit parameter set for a functional policy forward.
//
// Params is an ordered list of tensors matching the policy's
// ParameterNames(). A set is either unbatched (each tensor with the module's
// own shape) or batched over K tasks (each tensor with a leading K dimension,
// e.g. weights [K, in, out]); batched sets let all tasks of a meta-batch run
// (and adapt) in one computation.

#include <string>
#include <vector>

#include <ATen/core/Tensor.h>

namespace metarl::policies {

using Params = std::vector<at::Tensor>;

}  // namespace metarl::policies
