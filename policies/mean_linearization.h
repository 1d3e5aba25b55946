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

  at::Tensor Jvp(const Params& tangent) const;
  Params Vjp(const at::Tensor& cotangent) const;

 private:
  Params params_;                      // detached
  std::vector<at::Tensor> inputs_;     // layer l's input h_{l} [K, M, d_l], l = 0..L-1
  std::vector<at::Tensor> slopes_;     // φ'(z_l) of hidden layer l [K, M, d_{l+1}]
};

}  // namespace metarl::policies
