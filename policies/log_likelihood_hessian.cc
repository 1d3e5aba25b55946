#include "policies/log_likelihood_hessian.h"

#include <ATen/ATen.h>
#include <torch/autograd.h>

#include "core/error.h"

namespace metarl::policies {

// With e = μ − a and ι = 1/σ² (per action dim), per sample
//   −log π = Σ_a e²ι/2 + log σ + const,
//   ∂/∂μ = e ι,  ∂/∂log σ = 1 − e²ι,
//   R(∂/∂μ) = ι Rμ − 2 e ι Rℓ,  R(∂/∂log σ) = 2 e ι (e Rℓ − Rμ),
// where Rμ is the mean's tangent and Rℓ the log σ component of v.
LogLikelihoodHessian::LogLikelihoodHessian(const GaussianMlpPolicy& policy, const Params& batched,
                                           const at::Tensor& obs, const at::Tensor& actions,
                                           const at::Tensor& weights)
    : mean_(policy, batched, obs) {
  torch::NoGradGuard no_grad;
  const std::size_t layers = mean_.num_layers();
  const Params& params = mean_.params();
  METARL_REQUIRE(actions.dim() == 3 && weights.dim() == 2 && weights.size(0) == obs.size(0) &&
                     weights.size(1) == obs.size(1),
                 "LogLikelihoodHessian: actions must be [K, M, A] and weights [K, M] matching obs [K, M, obs_dim]");
  weights_ = weights.unsqueeze(-1);
  inv_var_ = at::exp(-2.0 * params.back()).unsqueeze(1);
  const at::Tensor mean =
      at::baddbmm(params[2 * layers - 1].unsqueeze(1), mean_.input(layers - 1), params[2 * layers - 2]);
  error_ = mean - actions;
  cotangents_.resize(layers);
  cotangents_[layers - 1] = error_ * inv_var_ * weights_;
  for (std::size_t l = layers - 1; l > 0; --l) {
    cotangents_[l - 1] = at::bmm(cotangents_[l], params[2 * l].transpose(1, 2)).mul_(mean_.slope(l - 1));
  }
  if (mean_.tanh()) {
    for (std::size_t l = 0; l + 1 < layers; ++l) curvature_.push_back(-2.0 * mean_.input(l + 1) * cotangents_[l]);
  }
}

Params LogLikelihoodHessian::Gradient() const {
  torch::NoGradGuard no_grad;
  const std::size_t layers = mean_.num_layers();
  Params out(2 * layers + 1);
  for (std::size_t l = 0; l < layers; ++l) {
    out[2 * l] = at::bmm(mean_.input(l).transpose(1, 2), cotangents_[l]);
    out[2 * l + 1] = cotangents_[l].sum(1);
  }
  out.back() = (weights_ * (1.0 - error_ * error_ * inv_var_)).sum(1);
  return out;
}

Params LogLikelihoodHessian::Product(const Params& v) const {
  torch::NoGradGuard no_grad;
  const std::size_t layers = mean_.num_layers();
  const Params& params = mean_.params();
  METARL_REQUIRE(v.size() == params.size(), "LogLikelihoodHessian: v has ", v.size(), " tensors; expected ",
                 params.size());
  const MeanLinearization::LayerTangents t = mean_.JvpLayers(v);
  const at::Tensor& r_mean = t.pre_activations.back();
  const at::Tensor r_log_std = v.back().unsqueeze(1);
  const at::Tensor& g_mean = cotangents_.back();
  Params out(params.size());
  out.back() = (2.0 * g_mean * (error_ * r_log_std - r_mean)).sum(1);
  // R(∂L/∂z_l), from the mean down to the first layer.
  at::Tensor r_gz = r_mean * inv_var_ * weights_ - 2.0 * g_mean * r_log_std;
  for (std::size_t l = layers; l-- > 0;) {
    at::Tensor r_gw = at::bmm(mean_.input(l).transpose(1, 2), r_gz);
    if (l > 0) r_gw.baddbmm_(t.inputs[l].transpose(1, 2), cotangents_[l]);
    out[2 * l] = std::move(r_gw);
    out[2 * l + 1] = r_gz.sum(1);
    if (l == 0) break;
    // R(∂L/∂h_l) = R(∂L/∂z_l) Wᵀ + ∂L/∂z_l Vᵀ, then through φ.
    at::Tensor r_gh = at::bmm(r_gz, params[2 * l].transpose(1, 2));
    r_gh.baddbmm_(cotangents_[l], v[2 * l].transpose(1, 2));
    r_gz = r_gh.mul_(mean_.slope(l - 1));
    if (!curvature_.empty()) r_gz.addcmul_(curvature_[l - 1], t.pre_activations[l - 1]);
  }
  return out;
}

}  // namespace metarl::policies
