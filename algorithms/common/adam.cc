#include "algorithms/common/adam.h"

#include <cmath>

#include <ATen/ATen.h>
#include <ATen/Dispatch.h>
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
  const double bias1 = 1.0 - std::pow(options_.beta1, static_cast<double>(t_));
  const double bias2 = 1.0 - std::pow(options_.beta2, static_cast<double>(t_));
  if (g.device().is_cpu() && g.is_contiguous() && m_.is_contiguous() && v_.is_contiguous()) {
    // One pass over the entries instead of ~9 tensor operations (their
    // dispatch dominates for small models).
    at::Tensor update = at::empty_like(g);
    AT_DISPATCH_FLOATING_TYPES(g.scalar_type(), "FlatAdam", [&] {
      const scalar_t* gp = g.data_ptr<scalar_t>();
      scalar_t* mp = m_.data_ptr<scalar_t>();
      scalar_t* vp = v_.data_ptr<scalar_t>();
      scalar_t* up = update.data_ptr<scalar_t>();
      const auto b1 = static_cast<scalar_t>(options_.beta1), b2 = static_cast<scalar_t>(options_.beta2);
      const auto c1 = static_cast<scalar_t>(1.0 - options_.beta1), c2 = static_cast<scalar_t>(1.0 - options_.beta2);
      const auto s1 = static_cast<scalar_t>(1.0 / bias1), s2 = static_cast<scalar_t>(1.0 / bias2);
      const auto eps = static_cast<scalar_t>(options_.eps), lr = static_cast<scalar_t>(options_.lr);
      for (int64_t i = 0, n = g.numel(); i < n; ++i) {
        mp[i] = b1 * mp[i] + c1 * gp[i];
        vp[i] = b2 * vp[i] + c2 * gp[i] * gp[i];
        up[i] = lr * (mp[i] * s1) / (std::sqrt(vp[i] * s2) + eps);
      }
    });
    return update;
  }
  m_.mul_(options_.beta1).add_(g, 1.0 - options_.beta1);
  v_.mul_(options_.beta2).addcmul_(g, g, 1.0 - options_.beta2);
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
