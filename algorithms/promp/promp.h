#pragma once
// ProMP (Rothfuss et al. 2019, "ProMP: Proximal Meta-Policy Search"): the
// LVC inner estimator (maml.h, InnerEstimator::kLvc), the PPO clipped outer
// objective and a penalty on the KL between the pre-update sampling policies
// and the current pre-update policies, one coefficient per inner step
// (algorithms/maml/maml_ppo.h, MetaPpoStep). Defaults from the paper's code:
// clip 0.3, 5 Adam steps (lr 1e-3) per batch, penalty 5e-4, fixed.

#include <vector>

#include "algorithms/common/adam.h"
#include "algorithms/maml/maml_ppo.h"
#include "core/config.h"

namespace metarl::algorithms {

struct ProMpOptions {
  PpoOuterOptions ppo{0.3, 5};             // clip-eps (0.3), num-promp-steps (5)
  double init_inner_kl_penalty = 5e-4;     // `init-inner-kl-penalty`: η_s at the start of training
  bool adaptive_inner_kl_penalty = false;  // `adaptive-inner-kl-penalty`: adapt η_s after every step
  double target_inner_kl = 0.01;           // `target-inner-kl`: the adaptive rule's target

  void Read(ConfigMap& config);  // target-inner-kl only with adaptive-inner-kl-penalty: true
  void Validate() const;
};

// The adaptive rule: per inner step, η/2 when KL < target/1.5, 2η when
// KL > 1.5·target, else η.
std::vector<double> AdaptInnerKlPenalty(const std::vector<double>& penalty, const std::vector<double>& inner_kl,
                                        double target);

// State: Adam's tensors, then the coefficients η [S] (float64).
class ProMpOptimizer final : public MetaOptimizer {
 public:
  ProMpOptimizer(MamlTrpoOptions adapt, ProMpOptions options, AdamOptions adam);

  const std::vector<double>& inner_kl_penalty() const { return penalty_; }

 protected:
  OuterStepStats DoStep(policies::GaussianMlpPolicy& policy, const MetaBatch& batch, ThreadPool* pool) override;
  policies::Params DoState() const override;
  void DoRestore(const policies::Params& state) override;

 private:
  MamlTrpoOptions adapt_;
  ProMpOptions options_;
  FlatAdam adam_;
  std::vector<double> penalty_;  // η_s, one per inner step
};

}  // namespace metarl::algorithms
