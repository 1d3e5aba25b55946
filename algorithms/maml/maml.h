#pragma once
// MAML for policy gradients (Finn et al. 2017): batched per-task inner
// adaptation and the post-adaptation objective.
//
// Parameter sets: θ is the policy's own (unbatched) set; adapted sets θ'_k are
// batched [K, ...] (policies/params.h). All tasks adapt in one computation:
// the inner losses of all K tasks are evaluated by one batched forward over
// θ stacked K times, and one backward gives every task's gradient (task k's
// loss depends only on its own slice).

#include <vector>

#include <ATen/core/Tensor.h>

#include "algorithms/maml/task_batch.h"
#include "policies/diag_gaussian.h"
#include "policies/gaussian_mlp.h"
#include "policies/params.h"

namespace metarl::algorithms {

// How the adapted parameters depend on θ.
enum class AdaptGraph {
  kSecondOrder,  // full dependence, through the inner gradients (MAML)
  kFirstOrder,   // inner gradients treated as constants (FOMAML): dθ'/dθ = I
  kNone,         // no graph at all (sampling, evaluation, line search)
};

// The inner-loop policy-gradient estimator (the loss each inner step descends).
enum class InnerEstimator {
  kReinforce,  // −Σ c·log π(a|s): MAML, E-MAML
  // −Σ c·π(a|s)/π_sampling(a|s): ProMP's low-variance curvature (LVC)
  // estimator (Rothfuss et al. 2019). Same gradient at the sampling
  // parameters; its Hessian adds Σ c·∇log π ∇log πᵀ. Needs the batch's
  // sampling_log_probs.
  kLvc,
};

// Σ_n m·values / Σ_n m per task: values, masks [K, M] -> [K].
at::Tensor MaskedMeanPerTask(const at::Tensor& values, const at::Tensor& masks);

// Per-sample weights of the REINFORCE loss, c = A·m / Σ m per task, [K, M].
at::Tensor ReinforceWeights(const TaskBatch& batch);

// Per-task REINFORCE loss −Σ c·log π(a|s), c = ReinforceWeights, shape [K];
// `batched` parameter set [K, ...].
at::Tensor ReinforceLoss(const policies::GaussianMlpPolicy& policy, const policies::Params& batched,
                         const TaskBatch& batch);

// Per-task inner loss of `estimator`, shape [K]; `batched` parameter set [K, ...].
at::Tensor InnerLoss(const policies::GaussianMlpPolicy& policy, const policies::Params& batched,
                     const TaskBatch& batch, InnerEstimator estimator);

// One inner step of every task: `params` [K, ...] − lr · ∇ InnerLoss on
// `batch`. With kSecondOrder the result and the gradients keep their graph;
// with kFirstOrder the gradients are detached; with kNone the new
// parameters are fresh leaves that require grad (so the next step can be
// differentiated), and `params` must require grad.
struct InnerStepResult {
  policies::Params params;
  policies::Params gradients;
};
InnerStepResult InnerStep(const policies::GaussianMlpPolicy& policy, const policies::Params& params,
                          const TaskBatch& batch, double lr, AdaptGraph graph,
                          InnerEstimator estimator = InnerEstimator::kReinforce);

// θ'_k after one vanilla policy-gradient step per element of `steps` (step s
// uses steps[s]'s episodes, sampled with the parameters after s steps):
// θ ← θ − fast_lr · ∇ InnerLoss. Returns a batched set [K, ...]; with no
// steps, θ stacked K times. `theta` is unbatched.
policies::Params Adapt(const policies::GaussianMlpPolicy& policy, const policies::Params& theta,
                       const std::vector<TaskBatch>& steps, double fast_lr, AdaptGraph graph,
                       InnerEstimator estimator = InnerEstimator::kReinforce);

// Adapt, keeping every inner step: step s maps starts[s] to
// starts[s] − fast_lr · gradients[s] (batched sets). With kSecondOrder the
// gradients keep their graph, so products with the inner Hessians ∇²L_s are
// one more backward of gradients[s] (see MetaKlHessian).
struct AdaptTrace {
  std::vector<policies::Params> starts;
  std::vector<policies::Params> gradients;
  policies::Params adapted;
  double fast_lr = 0.0;
  InnerEstimator estimator = InnerEstimator::kReinforce;
};
AdaptTrace AdaptWithTrace(const policies::GaussianMlpPolicy& policy, const policies::Params& theta,
                          const std::vector<TaskBatch>& steps, double fast_lr, AdaptGraph graph,
                          InnerEstimator estimator = InnerEstimator::kReinforce);

// The sampling distribution of the valid episodes, fixed (no graph) for the
// surrogate's importance ratio and the KL.
struct OldPolicy {
  at::Tensor log_probs;  // [K, M]
  policies::DiagGaussian dist;  // mean [K, M, A], log_std [K, 1, A]
};
OldPolicy MakeOldPolicy(const policies::GaussianMlpPolicy& policy, const policies::Params& adapted,
                        const TaskBatch& valid);

struct MetaObjective {
  // Mean over tasks of −Σ m·ratio·A / Σ m, plus the exploration term when one
  // is given (scalar, to minimise).
  at::Tensor surrogate;
  at::Tensor kl;  // mean over tasks of Σ m·KL(old ‖ new) / Σ m (scalar)
};

// E-MAML's exploration term (Stadie et al. 2018): the score-function part of
// the post-adaptation objective's gradient that MAML drops — the pre-update
// episodes' log-likelihood under the parameters that sampled them, credited
// with the post-update return:
//
//   −(1/K) Σ_k Σ_s w_{k,s} Σ_n m·log π_{θ_{k,s}}(a_n|s_n)   over train[s]_k,
//
// θ_{k,s} = starts[s] (the parameters before inner step s, as functions of θ),
// w [K, S] from ExplorationWeights (exploration.h): the reference code's
// per-step means, or the exact score-function term of the objective MAML's
// per-step-mean surrogate ascends.
// Scalar; zero gradient when every weight is zero.
at::Tensor ExplorationSurrogate(const policies::GaussianMlpPolicy& policy,
                                const std::vector<policies::Params>& starts, const std::vector<TaskBatch>& train,
                                const at::Tensor& weights);

// The surrogate and KL of already adapted parameters (batched).
MetaObjective ObjectiveAt(const policies::GaussianMlpPolicy& policy, const policies::Params& adapted,
                          const TaskBatch& valid, const OldPolicy& old);

// The post-adaptation surrogate and KL at θ (adapting on `train` first);
// with `exploration_weights` defined ([K, S]), the surrogate includes
// ExplorationSurrogate (E-MAML).
MetaObjective ComputeMetaObjective(const policies::GaussianMlpPolicy& policy, const policies::Params& theta,
                                   const std::vector<TaskBatch>& train, const TaskBatch& valid,
                                   const OldPolicy& old, double fast_lr, AdaptGraph graph,
                                   const at::Tensor& exploration_weights = {});

}  // namespace metarl::algorithms
