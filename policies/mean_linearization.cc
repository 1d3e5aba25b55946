#include "policies/mean_linearization.h"

#include <ATen/ATen.h>
#include <torch/autograd.h>

#include "core/error.h"

namespace metarl::policies {

MeanLinearization::MeanLinearization(const GaussianMlpPolicy& policy, const Params& batched,
                                     const at::Tensor& obs) {
  torch::NoGradGuard no_grad;
  const std::size_t layers = policy.options().hidden_sizes.size() + 1;
  METARL_REQUIRE(batched.size() == 2 * layers + 1 && batched[0].dim() == 3, "MeanLinearization needs a batched set of ",
                 2 * layers + 1, " tensors");
  METARL_REQUIRE(obs.dim() == 3 && obs.size(0) == batched[0].size(0), "MeanLinearization: obs must be [K, M, obs_dim]");
  for (const auto& p : batched) params_.push_back(p.detach());
  const bool relu = policy.options().nonlinearity == "relu";
  tanh_ = !relu;
  at::Tensor h = obs;
  for (std::size_t l = 0; l < layers; ++l) {
    inputs_.push_back(h);
    if (l + 1 == layers) break;
    const at::Tensor z = at::baddbmm(params_[2 * l + 1].unsqueeze(1), h, params_[2 * l]);
    if (relu) {
      h = at::relu(z);
      slopes_.push_back((z > 0).to(z.scalar_type()));
    } else {
      h = at::tanh(z);
      slopes_.push_back(1 - h * h);
    }
  }
}

MeanLinearization::LayerTangents MeanLinearization::JvpLayers(const Params& tangent) const {
  torch::NoGradGuard no_grad;
  METARL_REQUIRE(tangent.size() == params_.size(), "Jvp: tangent has ", tangent.size(), " tensors; expected ",
                 params_.size());
  const std::size_t layers = inputs_.size();
  LayerTangents out;
  out.inputs.emplace_back();  // the observations have no tangent
  for (std::size_t l = 0; l < layers; ++l) {
    // dz = dh·W + h·dW + db
    at::Tensor dz = at::baddbmm(tangent[2 * l + 1].unsqueeze(1), inputs_[l], tangent[2 * l]);
    if (out.inputs[l].defined()) dz.baddbmm_(out.inputs[l], params_[2 * l]);
    if (l + 1 < layers) out.inputs.push_back(dz * slopes_[l]);
    out.pre_activations.push_back(std::move(dz));
  }
  return out;
}

at::Tensor MeanLinearization::Jvp(const Params& tangent) const {
  return JvpLayers(tangent).pre_activations.back();
}

Params MeanLinearization::Vjp(const at::Tensor& cotangent) const {
  torch::NoGradGuard no_grad;
  const std::size_t layers = inputs_.size();
  Params out(params_.size());
  at::Tensor gz = cotangent;  // cotangent of layer l's pre-activation
  for (std::size_t l = layers; l-- > 0;) {
    out[2 * l] = at::bmm(inputs_[l].transpose(1, 2), gz);
    out[2 * l + 1] = gz.sum(1);
    if (l > 0) gz = at::bmm(gz, params_[2 * l].transpose(1, 2)).mul_(slopes_[l - 1]);
  }
  out.back() = at::zeros_like(params_.back());
  return out;
}

}  // namespace metarl::policies
