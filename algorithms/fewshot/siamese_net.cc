#include "algorithms/fewshot/siamese_net.h"

#include <cmath>

#include <ATen/ATen.h>

#include "core/ordered_sum.h"

namespace metarl::algorithms::fewshot {

void SiameseNetOptions::Read(ConfigMap& config) { config.Read("meta-lr", &adam.lr); }

SiameseNet::SiameseNet(std::shared_ptr<const FunctionalNet> net, bool classification, SiameseNetOptions options,
                       const Params& init, std::uint64_t seed)
    : EmbeddingLearner("siamese", net, classification, options.adam, init,
                       {{"pair.weight", {net->feature_dim()}, 1.0 / std::sqrt(static_cast<double>(net->feature_dim()))},
                        {"pair.bias", {1}, 1.0 / std::sqrt(static_cast<double>(net->feature_dim()))}},
                       seed) {}

at::Tensor SiameseNet::Pairs(const envs::fewshot::EpisodeBatch& batch, const Params& body, const Params& module,
                             int64_t iteration) const {
  const Embeddings e = Embed(batch, body, iteration);
  const at::Tensor& fs = e.support;  // [T, S, F]
  const at::Tensor& fq = e.query;    // [T, Q, F]
  const at::Tensor l1 = (fq.unsqueeze(2) - fs.unsqueeze(1)).abs();  // [T, Q, S, F]
  return AddScalar(at::matmul(l1, module[0]), module[1]);          // [T, Q, S]; bias gradient in a fixed order
}

at::Tensor SiameseNet::PairScores(const envs::fewshot::EpisodeBatch& batch, const at::Tensor& flat) const {
  const Parts parts = ViewParts(flat);
  return Pairs(batch, parts.body, parts.module, kEvaluation);
}

EmbeddingLearner::Output SiameseNet::Forward(const envs::fewshot::EpisodeBatch& batch, const Params& body,
                                             const Params& module, int64_t iteration) const {
  const at::Tensor s = Pairs(batch, body, module, iteration);  // [T, Q, S]
  const at::Tensor same = at::eq(batch.query_y.unsqueeze(2), batch.support_y.unsqueeze(1)).to(s.dtype());
  // Binary cross-entropy from logits, stable: softplus(s) − same·s.
  const at::Tensor bce = at::softplus(s) - same * s;
  const at::Tensor positive = (bce * same).sum({1, 2}) / same.sum({1, 2}).clamp_min(1.0);
  const at::Tensor negative = (bce * (1.0 - same)).sum({1, 2}) / (1.0 - same).sum({1, 2}).clamp_min(1.0);
  // Nearest support example per class: the highest score among its members.
  const int64_t ways = WaysOf(batch);
  const at::Tensor member = at::one_hot(batch.support_y, ways).to(at::kBool).unsqueeze(1);  // [T, 1, S, N]
  const at::Tensor scores =
      std::get<0>(at::where(member, s.unsqueeze(-1), at::full({}, -1e30, s.options())).max(2));  // [T, Q, N]
  return {0.5 * (positive + negative), scores, {}};
}

}  // namespace metarl::algorithms::fewshot
