#pragma once
// Siamese networks (Koch, Zemel & Salakhutdinov 2015), batched over tasks.
//
// Both images of a pair go through the same embedding (the net's body); the
// pair's score is a weighted L1 distance,
//   s(a, b) = Σ_j α_j |f(a)_j − f(b)_j| + β,   P(same) = σ(s),
// trained as verification: every (query, support) pair of an episode is
// labelled same/different and the loss is the binary cross-entropy, with the
// positive and the negative pairs weighted equally within each task (an
// N-way episode has N−1 times more negative pairs). N-way classification is
// by the nearest support example: scores [T, Q, N] = the highest pair score
// among class n's support examples.
// Module parameters: pair.weight α [F] and pair.bias β [1], U(−1/√F, 1/√F).
// Not thread-safe.

#include <memory>

#include "algorithms/fewshot/embedding_learner.h"
#include "core/config.h"

namespace metarl::algorithms::fewshot {

struct SiameseNetOptions {
  AdamOptions adam;  // meta-lr: Adam step size (default 1e-3)

  void Read(ConfigMap& config);  // keys: meta-lr
};

class SiameseNet final : public EmbeddingLearner {
 public:
  bool AnyWays() const override { return true; }  // reads the ways of each batch
  SiameseNet(std::shared_ptr<const FunctionalNet> net, bool classification, SiameseNetOptions options,
             const Params& init, std::uint64_t seed);

  // Pair scores s(query, support) [T, Q, S] at the parameters viewed from `flat`.
  at::Tensor PairScores(const envs::fewshot::EpisodeBatch& batch, const at::Tensor& flat) const;

 private:
  Output Forward(const envs::fewshot::EpisodeBatch& batch, const Params& body, const Params& module,
                 int64_t iteration) const override;
  at::Tensor Pairs(const envs::fewshot::EpisodeBatch& batch, const Params& body, const Params& module,
                   int64_t iteration) const;
};

}  // namespace metarl::algorithms::fewshot
