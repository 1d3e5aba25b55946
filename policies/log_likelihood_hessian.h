#pragma once
// Exact Hessian-vector products of a weighted negative log-likelihood of the
// Gaussian MLP policy, task by task:
//
//   L_k(θ_k) = −Σ_m c_{k,m} log π(a_{k,m} | s_{k,m}; θ_k),   c fixed,
//
// which is MAML's REINFORCE inner loss for c = advantage · mask / Σ mask.
// H_k v_k = ∇²L_k(θ_k) v_k by Pearlmutter's R-operator written out by hand:
// one tangent pass through the mean network (MeanLinearization::JvpLayers)
// and one backward pass of the tangents of the first-order cotangents, over
// activations and cotangents cached once at construction. Every second-order
// term is included: the Gaussian's curvature in μ and log σ and their cross
// term, the network's weight cross terms, and φ'' for tanh (zero for ReLU).
// Compared with differentiating an autograd gradient a second time, nothing
// is retained from the adaptation graph and each product costs about three
// forward passes.
//
// Shapes (K tasks, M samples, A action dims): params, v and results are
// batched sets in ParameterNames() order ([K, ...]); obs [K, M, obs_dim],
// actions [K, M, A], weights [K, M]. Everything runs without autograd
// history. Thread-safety: const methods may run concurrently.

#include <vector>

#include <ATen/core/Tensor.h>

#include "policies/gaussian_mlp.h"
#include "policies/mean_linearization.h"
#include "policies/params.h"

namespace metarl::policies {

class LogLikelihoodHessian {
 public:
  LogLikelihoodHessian(const GaussianMlpPolicy& policy, const Params& batched, const at::Tensor& obs,
                       const at::Tensor& actions, const at::Tensor& weights);

  // ∇²L_k v_k for every task k.
  Params Product(const Params& v) const;
  // ∇L_k from the cached pass (the quantity Product differentiates).
  Params Gradient() const;

 private:
  MeanLinearization mean_;
  at::Tensor weights_;                  // c [K, M, 1]
  at::Tensor inv_var_;                  // 1/σ² [K, 1, A]
  at::Tensor error_;                    // e = μ − a [K, M, A]
  std::vector<at::Tensor> cotangents_;  // ∂L/∂z_l [K, M, d_{l+1}], l = 0..L-1 (the last is ∂L/∂μ)
  std::vector<at::Tensor> curvature_;   // tanh only: ∂L/∂h_{l+1} ⊙ φ''(z_l) = −2 h_{l+1} ⊙ ∂L/∂z_l
};

}  // namespace metarl::policies
