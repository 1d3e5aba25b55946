#include "algorithms/fewshot/relation_net.h"

#include <cmath>

#include <ATen/ATen.h>

#include "algorithms/fewshot/batch_norm.h"
#include "core/error.h"
#include "core/ordered_sum.h"

namespace metarl::algorithms::fewshot {

namespace {
// Spatial size after one relation block: pools while at least 2 wide.
int64_t Pooled(int64_t size) { return size >= 2 ? size / 2 : size; }

std::vector<ModuleParam> RelationModule(const FunctionalNet& net, const RelationNetOptions& o) {
  const std::vector<int64_t> shape = net.FeatureShape();
  METARL_REQUIRE(shape.size() == 3, "learner relation: needs feature maps {channels, height, width} from the ",
                 "net (the conv net); this net gives ", shape.size(), "-dimensional features");
  RequireTransductiveBatchNorm(net, "relation",
                               "normalises all (query, class) pairs of an episode together in its relation module, "
                               "as LearningToCompare_FSL does (running statistics for the module are not built)");
  o.Validate();
  std::vector<ModuleParam> m;
  int64_t in = 2 * shape[0], h = shape[1], w = shape[2];
  const int64_t f = o.relation_filters;
  for (int b = 0; b < o.relation_blocks; ++b) {
    const std::string i = std::to_string(b);
    const double fan_in = static_cast<double>(in * 9), fan_out = static_cast<double>(f * 9);
    m.push_back({"rel.conv" + i + ".weight", {f, in, 3, 3}, std::sqrt(6.0 / (fan_in + fan_out))});
    m.push_back({"rel.bn" + i + ".weight", {f}, 0.0, 1.0});
    m.push_back({"rel.bn" + i + ".bias", {f}, 0.0, 0.0});
    in = f;
    h = Pooled(h);
    w = Pooled(w);
  }
  for (const auto& p : LinearModule("rel.fc1", in * h * w, o.hidden_dim)) m.push_back(p);
  for (const auto& p : LinearModule("rel.fc2", o.hidden_dim, 1)) m.push_back(p);
  return m;
}
}  // namespace

void RelationNetOptions::Read(ConfigMap& config) {
  config.Read("relation-blocks", &relation_blocks);
  config.Read("relation-filters", &relation_filters);
  config.Read("hidden-dim", &hidden_dim);
  config.Read("meta-lr", &adam.lr);
}

void RelationNetOptions::Validate() const {
  METARL_REQUIRE(relation_blocks >= 0, "relation-blocks = ", relation_blocks, ": expected 0 or more");
  METARL_REQUIRE(relation_filters >= 1, "relation-filters = ", relation_filters, ": expected a positive count");
  METARL_REQUIRE(hidden_dim >= 1, "hidden-dim = ", hidden_dim, ": expected a positive width");
}

RelationNet::RelationNet(std::shared_ptr<const FunctionalNet> net, bool classification, RelationNetOptions options,
                         const Params& init, std::uint64_t seed)
    : EmbeddingLearner("relation", net, classification, options.adam, init, RelationModule(*net, options), seed),
      options_(options) {}

EmbeddingLearner::Output RelationNet::Forward(const envs::fewshot::EpisodeBatch& batch, const Params& body,
                                              const Params& module, int64_t iteration) const {
  const std::vector<int64_t> shape = net().FeatureShape();
  const int64_t c = shape[0], ways = WaysOf(batch);
  const Embeddings e = Embed(batch, body, iteration);
  const at::Tensor& fs = e.support;  // [T, S, C·h·w]
  const at::Tensor& fq = e.query;    // [T, Q, C·h·w]
  const int64_t t = fq.size(0), q = fq.size(1);
  const at::Tensor member = at::one_hot(batch.support_y, ways).to(fs.dtype());  // [T, S, N]
  const at::Tensor classes = at::matmul(member.transpose(1, 2), fs);           // [T, N, C·h·w] (sums)
  const int64_t h = shape[1], wd = shape[2];
  // The pairs [T, Q, N, 2C, h, w] are laid out as [Q·N, T·2C, h, w] (after
  // the first block: [Q·N, T·F, h', w']): task t's channels form group t, so
  // batch norm's statistics are per task.
  at::Tensor x;
  if (options_.relation_blocks == 0) {
    const at::Tensor query_maps = fq.view({t, q, 1, c, h, wd}).expand({t, q, ways, c, h, wd});
    const at::Tensor class_maps = classes.view({t, 1, ways, c, h, wd}).expand({t, q, ways, c, h, wd});
    x = at::cat({class_maps, query_maps}, 3).permute({1, 2, 0, 3, 4, 5}).reshape({q * ways, t * 2 * c, h, wd});
  }
  for (int b = 0; b < options_.relation_blocks; ++b) {
    const at::Tensor& w = module[static_cast<std::size_t>(3 * b)];
    const at::Tensor& gamma = module[static_cast<std::size_t>(3 * b + 1)];
    const at::Tensor& beta = module[static_cast<std::size_t>(3 * b + 2)];
    if (b == 0) {
      // The first convolution has no bias and is linear in its input
      // channels: conv([class; query], W) = conv(class, W[:, :C]) +
      // conv(query, W[:, C:]). So the N class maps and the Q query maps are
      // convolved once each and the Q·N pairs only added: 2·Q·N / (Q + N)
      // times fewer multiply-adds than convolving every pair (33× for 20-way
      // with 5 queries per class), the same sums up to rounding.
      const int64_t f = w.size(0);
      const at::Tensor by_class = at::conv2d(classes.reshape({t * ways, c, h, wd}), w.narrow(1, 0, c), {}, 1, 1);
      const at::Tensor by_query = at::conv2d(fq.reshape({t * q, c, h, wd}), w.narrow(1, c, c), {}, 1, 1);
      x = (by_query.view({t, q, 1, f, h, wd}) + by_class.view({t, 1, ways, f, h, wd}))
              .permute({1, 2, 0, 3, 4, 5})
              .reshape({q * ways, t * f, h, wd});
    } else {
      x = at::conv2d(x, w.repeat({t, 1, 1, 1}), {}, 1, 1, 1, t);
    }
    x = at::relu(TrainingBatchNorm(x, gamma.repeat({t}), beta.repeat({t})));
    if (x.size(2) >= 2 && x.size(3) >= 2) x = at::max_pool2d(x, {2, 2});
  }
  // [Q·N, T·D] -> [T, Q·N, D]
  const std::size_t k = static_cast<std::size_t>(3 * options_.relation_blocks);
  x = x.reshape({q * ways, t, -1}).transpose(0, 1);
  x = at::relu(at::matmul(x, module[k]) + module[k + 1]);
  // The one-output bias: its gradient summed in a fixed order (core/ordered_sum.h).
  const at::Tensor scores = at::sigmoid(AddScalar(at::matmul(x, module[k + 2]), module[k + 3])).view({t, q, ways});
  const at::Tensor target = at::one_hot(batch.query_y, ways).to(scores.dtype());
  return {(scores - target).pow(2).mean({1, 2}), scores, {}};
}

}  // namespace metarl::algorithms::fewshot
