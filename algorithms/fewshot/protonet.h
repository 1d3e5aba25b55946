#pragma once
// Prototypical Networks (Snell, Swersky & Zemel 2017), batched over tasks.
//
// The net's body embeds every image (its head is not used). A class's
// prototype is the mean embedding of its support examples; a query's logits
// are the negative distances to the N prototypes:
//   euclidean: −‖f(x) − c_n‖²        cosine: cos(f(x), c_n) · cosine-scale
// Meta-objective: mean over tasks of the query cross-entropy; Adam (meta-lr)
// on one flat buffer of the body's parameters. No gradient steps at
// adaptation: Evaluate() accepts steps = 0 only (its one row is the
// prototype classifier). Classification only.
// Not thread-safe.

#include <memory>
#include <string>
#include <vector>

#include "algorithms/common/adam.h"
#include "algorithms/fewshot/functional_net.h"
#include "algorithms/fewshot/learner.h"
#include "core/config.h"

namespace metarl::algorithms::fewshot {

struct ProtoNetOptions {
  std::string distance = "euclidean";  // euclidean (squared) | cosine
  double cosine_scale = 10.0;          // logits = scale · cosine similarity (cosine only)
  AdamOptions adam;                    // meta-lr: Adam step size (default 1e-3)

  void Read(ConfigMap& config);  // keys: distance, cosine-scale, meta-lr
  void Validate() const;
};

class ProtoNet final : public FewShotLearner {
 public:
  // `init`: the net's initial parameters (only the body's are kept).
  // std::invalid_argument when `classification` is false.
  ProtoNet(std::shared_ptr<const FunctionalNet> net, bool classification, ProtoNetOptions options,
           const Params& init);

  std::string name() const override { return "protonet"; }
  MetaStepStats MetaStep(const envs::fewshot::EpisodeBatch& batch, int64_t iteration) override;
  AdaptationCurve Evaluate(const envs::fewshot::EpisodeBatch& batch, int steps) const override;

  std::vector<std::string> ParameterNames() const override;
  Params parameters_list() const override { return Views(flat_); }
  Params OptimizerState() const override { return adam_.State(); }
  void RestoreOptimizer(const Params& state) override { adam_.Restore(state); }

  // Query logits [T, Q, N] of the body parameters viewed from `flat`.
  at::Tensor Logits(const envs::fewshot::EpisodeBatch& batch, const at::Tensor& flat) const;
  const at::Tensor& flat() const { return flat_; }

 private:
  Params Views(const at::Tensor& flat) const;

  std::shared_ptr<const FunctionalNet> net_;
  ProtoNetOptions options_;
  std::vector<std::vector<int64_t>> shapes_;
  at::Tensor flat_;  // the body's parameters, leaf, requires grad
  FlatAdam adam_;
};

}  // namespace metarl::algorithms::fewshot
