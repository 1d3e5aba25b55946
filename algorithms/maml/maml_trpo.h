#pragma once
// The MAML-TRPO outer step (Finn et al. 2017; TRPO: Schulman et al. 2015).
//
// Minimises the post-adaptation surrogate subject to the mean KL between the
// sampling (adapted) policies and the new adapted policies staying within
// max-kl: direction from conjugate gradient on products with the KL's
// Hessian (exact Gauss-Newton form over graphs built once per step, see
// meta_kl_hessian.h), step scaled to the KL bound, backtracking line search accepting
// the first step that lowers the surrogate with KL < max-kl (else no step).

#include "algorithms/maml/maml.h"
#include "algorithms/maml/meta_optimizer.h"
#include "core/config.h"
#include "core/thread_pool.h"
#include "policies/gaussian_mlp.h"

namespace metarl::algorithms {

struct MamlTrpoOptions {
  double fast_lr = 0.1;            // inner step size (MAML: 0.1)
  int num_steps = 1;               // inner policy-gradient steps during training
  bool first_order = false;        // drop second-order terms (dθ'/dθ = I)
  double max_kl = 0.01;            // TRPO trust region on the mean KL
  int cg_iters = 10;               // conjugate-gradient iterations
  double cg_damping = 1e-5;        // added to the KL Hessian's diagonal
  int ls_max_steps = 15;           // line-search candidates
  double ls_backtrack_ratio = 0.8; // step shrink factor per candidate
  // Tasks per independently built graph. Chunks are processed in parallel on
  // the thread pool and combined in chunk order: results depend on this value
  // (at rounding level), never on the thread count. One chunk of all tasks
  // suits a GPU.
  int tasks_per_chunk = 5;

  // Keys: fast-lr, num-steps, first-order, tasks-per-chunk (the adaptation,
  // shared by the MAML family) and, with `trpo_keys`, max-kl, cg-iters,
  // cg-damping, ls-max-steps, ls-backtrack-ratio.
  void Read(ConfigMap& config, bool trpo_keys = true);
  void Validate() const;  // std::invalid_argument naming the key and value
};


// Updates `policy`'s parameters in place from one meta-batch (with
// exploration weights: E-MAML-TRPO). Throws std::runtime_error naming the
// quantity when the surrogate, gradient or step is not finite (parameters are
// then left unchanged). Task chunks run on `pool` when given; the result is
// bit-identical for any pool size.
OuterStepStats MamlTrpoStep(policies::GaussianMlpPolicy& policy, const MetaBatch& batch,
                           const MamlTrpoOptions& options, ThreadPool* pool = nullptr);

// MamlTrpoStep as a MetaOptimizer (no state).
class MamlTrpoOptimizer final : public MetaOptimizer {
 public:
  explicit MamlTrpoOptimizer(MamlTrpoOptions options) : options_(options) {}

 protected:
  OuterStepStats DoStep(policies::GaussianMlpPolicy& policy, const MetaBatch& batch, ThreadPool* pool) override {
    return MamlTrpoStep(policy, batch, options_, pool);
  }

 private:
  MamlTrpoOptions options_;
};

}  // namespace metarl::algorithms
