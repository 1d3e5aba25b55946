#include "algorithms/fewshot/registry.h"

#include "algorithms/fewshot/gradient_learner.h"
#include "algorithms/fewshot/leo.h"
#include "algorithms/fewshot/matching_net.h"
#include "algorithms/fewshot/protonet.h"
#include "algorithms/fewshot/recurrent_learner.h"
#include "algorithms/fewshot/relation_net.h"
#include "algorithms/fewshot/reptile.h"
#include "algorithms/fewshot/siamese_net.h"
#include "core/error.h"

namespace metarl::algorithms::fewshot {

const std::vector<LearnerEntry>& LearnerRegistry() {
  static const std::vector<LearnerEntry> entries = {
      {"maml", "MAML, second order (first-order: true for FOMAML)"},
      {"meta-sgd", "Meta-SGD: meta-learned per-parameter inner step sizes"},
      {"anil", "ANIL: inner loop on the head only"},
      {"reptile", "Reptile: move toward SGD-adapted parameters (batched or serial)"},
      {"leo", "LEO: heads generated from a latent code per class, adapted in the latent space"},
      {"protonet", "Prototypical Networks: softmax over distances to class-mean embeddings"},
      {"matching", "Matching Networks: cosine attention over the support set (optional full-context embeddings)"},
      {"relation", "Relation Networks: a learned relation module scores (query, class) feature-map pairs"},
      {"siamese", "Siamese networks: pair verification, N-way by the nearest support example"},
      {"recurrent", "black-box LSTM/GRU reading (x, previous label) support sequences, then the query"},
  };
  return entries;
}

std::unique_ptr<FewShotLearner> MakeLearner(const std::string& name, ConfigMap& config,
                                            std::shared_ptr<const FunctionalNet> net, bool classification,
                                            const Params& init, int64_t num_iterations, std::uint64_t seed) {
  if (name == "maml" || name == "meta-sgd" || name == "anil") {
    GradientLearnerOptions o;
    o.Read(config);
    o.learn_inner_lr = name == "meta-sgd";
    o.head_only = name == "anil";
    return std::make_unique<GradientLearner>(name, std::move(net), classification, o, init);
  }
  if (name == "reptile") {
    ReptileOptions o;
    o.Read(config);
    o.num_iterations = num_iterations;
    o.seed = seed;
    return std::make_unique<Reptile>(std::move(net), classification, o, init);
  }
  if (name == "leo") {
    LeoOptions o;
    o.Read(config);
    o.seed = seed;
    return std::make_unique<Leo>(std::move(net), classification, o, init);
  }
  if (name == "protonet") {
    ProtoNetOptions o;
    o.Read(config);
    return std::make_unique<ProtoNet>(std::move(net), classification, o, init);
  }
  if (name == "matching") {
    MatchingNetOptions o;
    o.Read(config);
    return std::make_unique<MatchingNet>(std::move(net), classification, o, init, seed);
  }
  if (name == "relation") {
    RelationNetOptions o;
    o.Read(config);
    return std::make_unique<RelationNet>(std::move(net), classification, o, init, seed);
  }
  if (name == "siamese") {
    SiameseNetOptions o;
    o.Read(config);
    return std::make_unique<SiameseNet>(std::move(net), classification, o, init, seed);
  }
  if (name == "recurrent") {
    RecurrentLearnerOptions o;
    o.Read(config);
    return std::make_unique<RecurrentLearner>(std::move(net), classification, o, init, seed);
  }
  std::string known;
  for (const auto& e : LearnerRegistry()) known += (known.empty() ? "" : ", ") + e.name;
  throw std::invalid_argument(Cat("learner = '", name, "': expected one of: ", known));
}

}  // namespace metarl::algorithms::fewshot
