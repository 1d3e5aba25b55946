#include "algorithms/fewshot/protonet.h"

#include <cmath>

#include <ATen/ATen.h>

#include "algorithms/fewshot/task_loss.h"
#include "core/error.h"

namespace metarl::algorithms::fewshot {

void ProtoNetOptions::Read(ConfigMap& config) {
  config.Read("distance", &distance);
  config.Read("cosine-scale", &cosine_scale);
  config.Read("meta-lr", &adam.lr);
}

void ProtoNetOptions::Validate() const {
  METARL_REQUIRE(distance == "euclidean" || distance == "cosine", "distance = '", distance,
                 "': expected euclidean or cosine");
  METARL_REQUIRE(std::isfinite(cosine_scale) && cosine_scale > 0.0, "cosine-scale = ", cosine_scale,
                 ": expected a positive number");
  METARL_REQUIRE(std::isfinite(adam.lr) && adam.lr > 0.0, "meta-lr = ", adam.lr, ": expected a positive number");
}

ProtoNet::ProtoNet(std::shared_ptr<const FunctionalNet> net, bool classification, ProtoNetOptions options,
                   const Params& init)
    : EmbeddingLearner("protonet", std::move(net), classification, options.adam, init, {}, 0),
      options_(std::move(options)) {
  options_.Validate();
}

at::Tensor ClassMeans(const at::Tensor& features, const at::Tensor& labels, int64_t ways) {
  const at::Tensor member = at::one_hot(labels, ways).to(features.dtype());  // [T, S, N]
  return at::matmul(member.transpose(1, 2), features) / member.sum(1).unsqueeze(2).clamp_min(1.0);
}

EmbeddingLearner::Output ProtoNet::Forward(const envs::fewshot::EpisodeBatch& batch, const Params& body,
                                           const Params& module, int64_t iteration) const {
  (void)module;
  const Embeddings e = Embed(batch, body, iteration);
  const at::Tensor& fs = e.support;  // [T, S, F]
  const at::Tensor& fq = e.query;    // [T, Q, F]
  const at::Tensor protos = ClassMeans(fs, batch.support_y, WaysOf(batch));
  at::Tensor logits;
  if (options_.distance == "cosine") {
    const at::Tensor q = fq / fq.norm(2, {2}, true).clamp_min(1e-8);
    const at::Tensor c = protos / protos.norm(2, {2}, true).clamp_min(1e-8);
    logits = options_.cosine_scale * at::matmul(q, c.transpose(1, 2));
  } else {
    // −‖q − c‖² = 2 q·c − ‖q‖² − ‖c‖², one batched matmul.
    logits = 2.0 * at::matmul(fq, protos.transpose(1, 2)) - fq.pow(2).sum(2, true) -
             protos.pow(2).sum(2).unsqueeze(1);
  }
  return {TaskLosses(logits, batch.query_y, true), logits, {}};
}

}  // namespace metarl::algorithms::fewshot
