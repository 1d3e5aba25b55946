#pragma once
// PPO-style outer steps of the MAML family: several Adam steps on one
// meta-batch with the clipped surrogate (Schulman et al. 2017) on the valid
// episodes. MAML-PPO (REINFORCE inner loss, no inner-KL penalty) and ProMP
// (algorithms/promp/: LVC inner loss, inner-KL penalty) are both this step.
//
// Epoch e (e = 1..epochs) re-adapts the current θ on the inner batches
// (second order unless first-order) and minimises
//
//   L(θ) = −(1/K) Σ_k mean_valid min(r·A, clip(r, 1−ε, 1+ε)·A)
//          + [E-MAML] ExplorationSurrogate
//          + (1/S) Σ_s η_s · (1/K) Σ_k mean_{train s} KL(π_{s,k}^sampling ‖ π_{θ_{s,k}})
//
// with r = π_{θ'_k}/π^sampling on the valid episodes and θ_{s,k} the
// parameters before inner step s; one full-batch Adam step per epoch.
// Sampling distributions are those of the parameters the step started from.

#include <vector>

#include "algorithms/common/adam.h"
#include "algorithms/maml/maml.h"
#include "algorithms/maml/maml_trpo.h"
#include "algorithms/maml/meta_optimizer.h"
#include "core/config.h"

namespace metarl::algorithms {

struct PpoOuterOptions {
  double clip_eps = 0.2;  // `clip-eps`: PPO clip range ε
  int epochs = 5;         // Adam steps per meta-batch (`num-ppo-steps`; ProMP: `num-promp-steps`)

  void Read(ConfigMap& config, const char* epochs_key);
  void Validate(const char* epochs_key) const;
};

// One outer step as described above. `adapt` supplies fast-lr, first-order and
// tasks-per-chunk; `inner_kl_penalty` is empty (no penalty) or has one
// coefficient per inner step. Reports surrogate_before (first epoch),
// surrogate_after and kl_after (at the new parameters), epochs, and per inner
// step the KL of the new pre-update policies from the sampling ones
// (inner_kl) and the coefficients used. Throws std::runtime_error when an
// objective or gradient is not finite; parameters and Adam state are then
// unchanged.
OuterStepStats MetaPpoStep(policies::GaussianMlpPolicy& policy, const MetaBatch& batch,
                           const MamlTrpoOptions& adapt, const PpoOuterOptions& ppo, InnerEstimator estimator,
                           const std::vector<double>& inner_kl_penalty, FlatAdam& adam, ThreadPool* pool = nullptr);

// MAML-PPO: MetaPpoStep with the REINFORCE inner loss and no penalty; state: Adam's.
class MamlPpoOptimizer final : public MetaOptimizer {
 public:
  MamlPpoOptimizer(MamlTrpoOptions adapt, PpoOuterOptions ppo, AdamOptions adam)
      : adapt_(adapt), ppo_(ppo), adam_(adam) {}

 protected:
  OuterStepStats DoStep(policies::GaussianMlpPolicy& policy, const MetaBatch& batch, ThreadPool* pool) override {
    return MetaPpoStep(policy, batch, adapt_, ppo_, InnerEstimator::kReinforce, {}, adam_, pool);
  }
  policies::Params DoState() const override { return adam_.State(); }
  void DoRestore(const policies::Params& state) override { adam_.Restore(state); }

 private:
  MamlTrpoOptions adapt_;
  PpoOuterOptions ppo_;
  FlatAdam adam_;
};

}  // namespace metarl::algorithms
