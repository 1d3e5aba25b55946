#include "algorithms/common/flat_params.h"

#include <ATen/ATen.h>
#include <torch/autograd.h>

#include "core/error.h"

namespace metarl::algorithms {

at::Tensor Flatten(const policies::Params& params) {
  std::vector<at::Tensor> parts;
  for (const auto& p : params) parts.push_back(p.reshape(-1));
  return at::cat(parts);
}

policies::Params Unflatten(const at::Tensor& flat, const policies::Params& like) {
  policies::Params out;
  int64_t offset = 0;
  for (const auto& p : like) {
    out.push_back(flat.narrow(0, offset, p.numel()).view(p.sizes()));
    offset += p.numel();
  }
  METARL_CHECK(offset == flat.numel(), "flat vector has ", flat.numel(), " entries; parameters need ", offset);
  return out;
}

void AssignFlat(const policies::Params& params, const at::Tensor& flat) {
  torch::NoGradGuard no_grad;
  const policies::Params parts = Unflatten(flat, params);
  for (std::size_t i = 0; i < params.size(); ++i) {
    auto target = params[i];
    target.copy_(parts[i]);
  }
}

}  // namespace metarl::algorithms
