#pragma once
// The Gaussian MLP's mean network linearised around one batched parameter
// set: Jacobian-vector (forward mode) and vector-Jacobian (reverse mode)
// products of mean(obs; params) with respect to the parameters, written out
// by hand over activations cached once.
//
// Used for Gauss-Newton / Fisher products (J_μᵀ M J_μ v), which autograd
// would otherwise get through a double backward. Everything runs without
// autograd history.
//
// Shapes (K tasks, M samples per task, layer widths d_0 = obs_dim … d_L = A):
//   params / tangents / results: batched sets in ParameterNames() order,
//     weight_l [K, d_l, d_{l+1}], bias_l [K, d_{l+1}], log_std [K, A]
//   obs [K, M, obs_dim]; Jvp output and Vjp cotangent [K, M, A].
// The mean does not depend on log_std: Jvp ignores its tangent and Vjp
// returns zeros for it.
// Thread-safety: const methods may run concurrently.

#include <vector>

#include <ATen/core/Tensor.h>

#include "policies/gaussian_mlp.h"
#include "policies/params.h"

namespace metarl::policies {

class MeanLinearization {
 public:
  MeanLinearization(const GaussianMlpPolicy& policy, const Params& batched, const at::Tensor& obs);

  // Tangents of every layer along `tangent`: pre_activations[l] = dz_l
  // [K, M, d_{l+1}] (the last is the mean's tangent), inputs[l] = dh_l, the
  // tangent of layer l's input (undefined for l = 0: observations are fixed).
  struct LayerTangents {
    std::vector<at::Tensor> pre_activations;
    std::vector<at::Tensor> inputs;
  };
  LayerTangents JvpLayers(const Params& tangent) const;

  at::Tensor Jvp(const Params& tangent) const;
  Params Vjp(const at::Tensor& cotangent) const;

  // Cached forward quantities (shapes as above).
  std::size_t num_layers() const { return inputs_.size(); }
  const Params& params() const { return params_; }
  const at::Tensor& input(std::size_t l) const { return inputs_[l]; }
  const at::Tensor& slope(std::size_t l) const { return slopes_[l]; }  // hidden layers only
  bool tanh() const { return tanh_; }

 private:
  Params params_;                      // detached
  std::vector<at::Tensor> inputs_;     // layer l's input h_{l} [K, M, d_l], l = 0..L-1
  std::vector<at::Tensor> slopes_;     // φ'(z_l) of hidden layer l [K, M, d_{l+1}]
  bool tanh_ = false;                  // φ = tanh (else ReLU)
};

}  // namespace metarl::policies
