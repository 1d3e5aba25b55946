#pragma once
// Products with the Hessian of the mean post-adaptation KL with respect to
// θ, at θ itself (where the new policy equals the old one), in
// Gauss-Newton form — exact at that point because ∂KL/∂(μ, log σ) = 0 there:
//
//   H v = Σ_k J_kᵀ G_k J_k v,   J_k = ∂θ'_k/∂θ,
//   G_k = (1/K) [ mean_m J_μ,mᵀ diag(1/σ_k²) J_μ,m ] ⊕ (2/K) I on log σ.
//
// J_k v and J_kᵀ u go through the inner updates: for a step θ_{s+1} =
// θ_s − α ∇L_s(θ_s), ∂θ_{s+1}/∂θ_s = I − α ∇²L_s (symmetric), applied with
// the hand-written exact inner-loss Hessian products of
// policies/log_likelihood_hessian.h; with kFirstOrder J_k = I. The mean
// network's J_μ products are by hand over cached activations
// (policies/mean_linearization.h). No product touches autograd: nothing of
// the adaptation graph has to be retained for the conjugate gradient.
//
// Contract: `trace` comes from AdaptWithTrace at the current θ on the inner
// batches `train` with the graph given here (kSecondOrder or kFirstOrder),
// and the old policy is the one at trace.adapted, as in MamlTrpoStep.
// Products are flat [P] → [P], P = θ's number of entries. Thread-safety:
// Product may run concurrently.

#include <ATen/core/Tensor.h>

#include "algorithms/maml/maml.h"
#include "algorithms/maml/task_batch.h"
#include <vector>

#include "policies/log_likelihood_hessian.h"
#include "policies/mean_linearization.h"

namespace metarl::algorithms {

class MetaKlHessian {
 public:
  MetaKlHessian(const policies::GaussianMlpPolicy& policy, const policies::Params& theta, const AdaptTrace& trace,
                const std::vector<TaskBatch>& train, const TaskBatch& valid, AdaptGraph graph);

  at::Tensor Product(const at::Tensor& v) const;

 private:
  // (I − α ∇²L_step) v for batched v: the Jacobian of inner step `step`,
  // symmetric, so it serves both J_k t and J_kᵀ u.
  policies::Params StepJacobianProduct(std::size_t step, policies::Params v) const;

  const policies::Params& theta_;
  double fast_lr_;
  std::vector<policies::LogLikelihoodHessian> inner_;  // per inner step; empty for kFirstOrder
  policies::MeanLinearization mean_;
  at::Tensor sample_weights_;  // [K, M, 1]: mask / (Σ mask · K)
  at::Tensor inv_var_;         // [K, 1, A]: 1/σ²
  int64_t num_tasks_;
};

}  // namespace metarl::algorithms
