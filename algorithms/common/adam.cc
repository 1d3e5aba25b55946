#include "algorithms/common/adam.h"

#include <cmath>

#include <ATen/ATen.h>
#include <torch/autograd.h>

#include "core/error.h"

namespace metarl::algorithms {

FlatAdam::FlatAdam(AdamOptions options) : options_(options) {
  METARL_REQUIRE(options_.lr > 0.0, "Adam learning rate = ", options_.lr, ": expected a positive number");
}

at::Tensor FlatAdam::Step(const at::Tensor& g) {
  torch::NoGradGuard no_grad;
  if (!m_.defined()) {
    m_ = at::zeros_like(g);
    v_ = at::zeros_like(g);
  }
  if (m_.device() != g.device() || m_.scalar_type() != g.scalar_type()) {  // restored from a CPU checkpoint
    m_ = m_.to(g.device(), g.scalar_type());
    v_ = v_.to(g.device(), g.scalar_type());
  }
  METARL_CHECK(g.sizes() == m_.sizes(), "Adam: gradient of ", g.numel(), " entries for a state of ", m_.numel());
  ++t_;
  m_.mul_(options_.beta1).add_(g, 1.0 - options_.beta1);
  v_.mul_(options_.beta2).addcmul_(g, g, 1.0 - options_.beta2);
  const double bias1 = 1.0 - std::pow(options_.beta1, static_cast<double>(t_));
  const double bias2 = 1.0 - std::pow(options_.beta2, static_cast<double>(t_));
  return (m_ / bias1).div_((v_ / bias2).sqrt_().add_(options_.eps)).mul_(options_.lr);
}

policies::Params FlatAdam::State() const {
  if (!m_.defined()) return {};
  return {m_.clone(), v_.clone(), at::tensor({t_}, at::kLong)};
}

void FlatAdam::Restore(const policies::Params& state) {
  if (state.empty()) {
    m_ = at::Tensor();
    v_ = at::Tensor();
    t_ = 0;
    return;
  }
  METARL_REQUIRE(state.size() == 3 && state[0].sizes() == state[1].sizes() && state[2].numel() == 1,
                 "Adam state: expected {m, v, t} with m and v of equal shape");
  m_ = state[0].clone();
  v_ = state[1].clone();
  t_ = state[2].item<int64_t>();
}

}  // namespace metarl::algorithms
