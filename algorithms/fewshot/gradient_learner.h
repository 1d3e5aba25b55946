#pragma once
// The MAML family of few-shot learners, batched over tasks:
//   maml      (Finn et al. 2017): second-order meta-gradient through the
//             inner steps; `first-order: true` is FOMAML (the inner
//             gradients are treated as constants: identity Jacobian).
//   meta-sgd  (Li et al. 2017): per-parameter inner step sizes α, one per
//             entry of the adapted parameters, initialised to inner-lr[0]
//             and meta-learned with the initialisation.
//   anil      (Raghu et al. 2020): only the head adapts in the inner loop;
//             the body is meta-learned but shared by all tasks.
//
// Meta-objective: mean over tasks of the query loss after `inner-steps`
// steps; outer optimiser Adam (meta-lr) on one flat buffer [θ; α].
// Evaluation steps beyond the training steps use the last step size.

#include <memory>
#include <string>
#include <vector>

#include "algorithms/common/adam.h"
#include "algorithms/fewshot/functional_net.h"
#include "algorithms/fewshot/learner.h"
#include "core/config.h"

namespace metarl::algorithms::fewshot {

struct GradientLearnerOptions {
  int inner_steps = 1;                  // inner steps in meta-training
  std::vector<double> inner_lr = {0.01};  // step size per inner step (the last repeats); Meta-SGD: α's initial value
  bool first_order = false;             // FOMAML: no second-order terms
  bool learn_inner_lr = false;          // Meta-SGD (set by the learner name, not a key)
  bool head_only = false;               // ANIL (set by the learner name, not a key)
  AdamOptions adam;                     // meta-lr: Adam step size (default 1e-3)

  void Read(ConfigMap& config);  // keys: inner-steps, inner-lr, first-order, meta-lr
  void Validate() const;
  double StepSize(int step) const;  // inner_lr[min(step, size − 1)]
};

class GradientLearner final : public FewShotLearner {
 public:
  // `init`: the net's initial parameters (their dtype and device are used).
  GradientLearner(std::string name, std::shared_ptr<const FunctionalNet> net, bool classification,
                  GradientLearnerOptions options, const Params& init);

  std::string name() const override { return name_; }
  MetaStepStats MetaStep(const envs::fewshot::EpisodeBatch& batch, int64_t iteration) override;
  AdaptationCurve Evaluate(const envs::fewshot::EpisodeBatch& batch, int steps) const override;

  std::vector<std::string> ParameterNames() const override;
  Params parameters_list() const override;
  Params OptimizerState() const override { return adam_.State(); }
  void RestoreOptimizer(const Params& state) override { adam_.Restore(state); }

  // The meta-objective at flat meta-parameters `meta` ([θ; α], differentiable
  // w.r.t. it), and the stats of that evaluation. Exposed for tests (finite
  // differences, batched vs per-task loop).
  at::Tensor MetaObjective(const envs::fewshot::EpisodeBatch& batch, const at::Tensor& meta,
                           MetaStepStats* stats = nullptr) const;
  // Gradient of the meta-objective at the current meta-parameters [numel].
  at::Tensor MetaGradient(const envs::fewshot::EpisodeBatch& batch, MetaStepStats* stats = nullptr) const;

  const at::Tensor& flat() const { return meta_; }
  const GradientLearnerOptions& options() const { return options_; }

 private:
  // Views of θ's tensors in `meta`, then α's (Meta-SGD), by one split.
  Params Views(const at::Tensor& meta) const;

  std::string name_;
  std::shared_ptr<const FunctionalNet> net_;
  bool classification_;
  GradientLearnerOptions options_;
  std::vector<std::vector<int64_t>> shapes_;
  int64_t theta_numel_ = 0;
  at::Tensor meta_;  // [θ; α] leaf, requires grad
  FlatAdam adam_;
};

}  // namespace metarl::algorithms::fewshot
