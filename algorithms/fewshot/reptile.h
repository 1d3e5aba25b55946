#pragma once
// Reptile (Nichol, Achiam & Schulman 2018): each task adapts by plain SGD on
// its support set (inner-steps steps of inner-lr, full support set per
// step) from θ to φ_t, and the meta-parameters move toward the adapted ones:
//   batched: θ ← θ + ε_i · (mean_t φ_t − θ)      (all tasks adapt at once)
//   serial:  θ ← θ + ε_i · (φ_t − θ), task after task, each from the θ
//            the previous one left
// with ε_i = outer-lr, linearly annealed to 0 over the run when
// anneal-outer-lr (ε_i = outer-lr · (1 − i / num_iterations)).
// No second-order terms and no outer optimiser state.

#include <memory>
#include <string>
#include <vector>

#include "algorithms/fewshot/functional_net.h"
#include "algorithms/fewshot/learner.h"
#include "core/config.h"

namespace metarl::algorithms::fewshot {

struct ReptileOptions {
  int inner_steps = 5;              // SGD steps per task
  double inner_lr = 0.01;           // SGD step size (also at evaluation)
  double outer_lr = 1.0;            // ε: fraction of the way from θ to the adapted parameters
  bool anneal_outer_lr = true;      // ε linearly to 0 over num_iterations
  bool serial = false;              // one task at a time (the paper's serial version)
  int64_t num_iterations = 1;       // the run's length, for annealing (set from num-batches)

  void Read(ConfigMap& config);     // keys: inner-steps, inner-lr, outer-lr, anneal-outer-lr, serial
  void Validate() const;
  double OuterStepSize(int64_t iteration) const;
};

class Reptile final : public FewShotLearner {
 public:
  Reptile(std::shared_ptr<const FunctionalNet> net, bool classification, ReptileOptions options, const Params& init);

  std::string name() const override { return "reptile"; }
  MetaStepStats MetaStep(const envs::fewshot::EpisodeBatch& batch, int64_t iteration) override;
  AdaptationCurve Evaluate(const envs::fewshot::EpisodeBatch& batch, int steps) const override;

  std::vector<std::string> ParameterNames() const override { return net_->ParameterNames(); }
  Params parameters_list() const override { return theta_; }
  Params OptimizerState() const override { return {}; }
  void RestoreOptimizer(const Params& state) override;

  const ReptileOptions& options() const { return options_; }

 private:
  // Adapts `theta` to every task of `batch`; the adapted stacks [T, ...].
  Params AdaptAll(const envs::fewshot::EpisodeBatch& batch, const Params& theta, MetaStepStats* stats) const;

  std::shared_ptr<const FunctionalNet> net_;
  bool classification_;
  ReptileOptions options_;
  at::Tensor flat_;  // θ, one buffer
  Params theta_;     // views of flat_
};

}  // namespace metarl::algorithms::fewshot
