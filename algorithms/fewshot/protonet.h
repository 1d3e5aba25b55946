#pragma once
// Prototypical Networks (Snell, Swersky & Zemel 2017), batched over tasks.
//
// The net's body embeds every image (its head is not used). A class's
// prototype is the mean embedding of its support examples; a query's logits
// are the negative distances to the N prototypes:
//   euclidean: −‖f(x) − c_n‖²        cosine: cos(f(x), c_n) · cosine-scale
// Meta-objective: mean over tasks of the query cross-entropy; Adam (meta-lr)
// on one flat buffer of the body's parameters (algorithms/fewshot/
// embedding_learner.h). No gradient steps at adaptation. Classification only.
// Not thread-safe.

#include <memory>
#include <string>
#include <vector>

#include "algorithms/common/adam.h"
#include "algorithms/fewshot/embedding_learner.h"
#include "core/config.h"

namespace metarl::algorithms::fewshot {

struct ProtoNetOptions {
  std::string distance = "euclidean";  // euclidean (squared) | cosine
  double cosine_scale = 10.0;          // logits = scale · cosine similarity (cosine only)
  AdamOptions adam;                    // meta-lr: Adam step size (default 1e-3)

  void Read(ConfigMap& config);  // keys: distance, cosine-scale, meta-lr
  void Validate() const;
};

class ProtoNet final : public EmbeddingLearner {
 public:
  bool AnyWays() const override { return true; }  // reads the ways of each batch
  // `init`: the net's initial parameters (only the body's are kept).
  // std::invalid_argument when `classification` is false.
  ProtoNet(std::shared_ptr<const FunctionalNet> net, bool classification, ProtoNetOptions options,
           const Params& init);

  // Query logits [T, Q, N] of the body parameters viewed from `flat`.
  at::Tensor Logits(const envs::fewshot::EpisodeBatch& batch, const at::Tensor& flat) const {
    return Run(batch, flat, kEvaluation).scores;
  }

 private:
  Output Forward(const envs::fewshot::EpisodeBatch& batch, const Params& body, const Params& module,
                 int64_t iteration) const override;

  ProtoNetOptions options_;
};

// Class means of embeddings through the one-hot membership: features
// [T, S, F], labels [T, S] in 0..ways-1 -> [T, ways, F].
at::Tensor ClassMeans(const at::Tensor& features, const at::Tensor& labels, int64_t ways);

}  // namespace metarl::algorithms::fewshot
