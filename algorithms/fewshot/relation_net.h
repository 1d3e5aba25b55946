#pragma once
// Relation Networks (Sung et al. 2018), batched over tasks.
//
// The net's body embeds every image as a feature map [C, h, w]; a class's
// feature map is the sum of its support embeddings (the paper's K-shot rule;
// 1-shot: the one embedding). Every (query, class) pair is concatenated along
// the channels, [2C, h, w], and a relation module scores it:
//   relation-blocks × [3×3 conv, relation-filters channels, padding 1 → batch
//   norm → ReLU → 2×2 max-pool while the map is at least 2×2] → flatten →
//   linear (hidden-dim) → ReLU → linear (1) → sigmoid
// scores [T, Q, N] in (0, 1); meta-objective: the mean squared error against
// the one-hot labels. Batch norm normalises per task (the pairs of one
// episode), like the body's, through one grouped convolution over all tasks.
// The first convolution is computed as conv(class, W[:, :C]) + conv(query,
// W[:, C:]) — the same sum — so its cost grows with Q + N, not Q·N.
//
// The paper's Omniglot embedding has 4 conv blocks of which the last two do
// not pool: set net.pooling-blocks: 2 (64×7×7 maps from 28×28 images here,
// where the paper's unpadded first convolutions give 64×5×5).
// Module parameters: rel.conv{b}.weight [F, C_in, 3, 3] (Xavier-uniform),
// rel.bn{b}.weight [F] (1), rel.bn{b}.bias [F] (0), rel.fc1.{weight, bias},
// rel.fc2.{weight, bias} (like nn.Linear).
// Not thread-safe.

#include <memory>
#include <vector>

#include "algorithms/fewshot/embedding_learner.h"
#include "core/config.h"

namespace metarl::algorithms::fewshot {

struct RelationNetOptions {
  int relation_blocks = 2;    // conv blocks of the relation module
  int relation_filters = 64;  // their channels
  int hidden_dim = 8;         // width of the relation module's hidden linear layer
  AdamOptions adam;           // meta-lr: Adam step size (default 1e-3)

  void Read(ConfigMap& config);  // keys: relation-blocks, relation-filters, hidden-dim, meta-lr
  void Validate() const;
};

class RelationNet final : public EmbeddingLearner {
 public:
  bool AnyWays() const override { return true; }  // reads the ways of each batch
  // std::invalid_argument when the net's features are not maps ({C, h, w}).
  RelationNet(std::shared_ptr<const FunctionalNet> net, bool classification, RelationNetOptions options,
              const Params& init, std::uint64_t seed);

 private:
  Output Forward(const envs::fewshot::EpisodeBatch& batch, const Params& body, const Params& module,
                 int64_t iteration) const override;

  RelationNetOptions options_;
};

}  // namespace metarl::algorithms::fewshot
