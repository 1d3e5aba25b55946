#pragma once
// The MAML-VPG outer step: one plain gradient step on the meta-objective with
// Adam (as E-MAML-VPG / MAML-VPG in Rothfuss et al. 2019's comparison), no
// trust region. With exploration weights in the meta-batch it is E-MAML-VPG.

#include "algorithms/common/adam.h"
#include "algorithms/maml/maml_trpo.h"
#include "algorithms/maml/meta_optimizer.h"
#include "algorithms/maml/task_batch.h"
#include "core/thread_pool.h"
#include "policies/gaussian_mlp.h"

namespace metarl::algorithms {

// Updates `policy`'s parameters in place: θ ← θ − Adam(∇ meta-objective).
// Uses options' fast-lr, first-order and tasks-per-chunk (the TRPO keys play
// no part). Reports the surrogate before and after and the KL of the new
// adapted policies from the sampling ones (line_search_steps 0, accepted
// true, epochs 1). Throws std::runtime_error when the surrogate or gradient is not
// finite (parameters and Adam state then unchanged). Bit-identical for any
// pool size.
OuterStepStats MamlVpgStep(policies::GaussianMlpPolicy& policy, const MetaBatch& batch,
                          const MamlTrpoOptions& options, FlatAdam& adam, ThreadPool* pool = nullptr);

// MamlVpgStep as a MetaOptimizer; its state is Adam's.
class MamlVpgOptimizer final : public MetaOptimizer {
 public:
  MamlVpgOptimizer(MamlTrpoOptions options, AdamOptions adam) : options_(options), adam_(adam) {}

 protected:
  OuterStepStats DoStep(policies::GaussianMlpPolicy& policy, const MetaBatch& batch, ThreadPool* pool) override {
    return MamlVpgStep(policy, batch, options_, adam_, pool);
  }
  policies::Params DoState() const override { return adam_.State(); }
  void DoRestore(const policies::Params& state) override { adam_.Restore(state); }

 private:
  MamlTrpoOptions options_;
  FlatAdam adam_;
};

}  // namespace metarl::algorithms
