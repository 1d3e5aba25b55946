#include "algorithms/fewshot/matching_net.h"

#include <cmath>

#include <ATen/ATen.h>

#include "core/error.h"
#include "policies/recurrent_cells.h"

namespace metarl::algorithms::fewshot {

namespace {
enum Module { kFwdWih, kFwdWhh, kFwdB, kBwdWih, kBwdWhh, kBwdB, kAttWih, kAttWhh, kAttB, kModuleCount };

std::vector<ModuleParam> MatchingModule(const FunctionalNet& net, const MatchingNetOptions& o) {
  if (!o.fce) return {};
  const int64_t f = net.feature_dim();
  const double bound = 1.0 / std::sqrt(static_cast<double>(f));
  std::vector<ModuleParam> m;
  for (const char* lstm : {"fwd", "bwd", "att"}) {
    const std::string p = std::string("fce.") + lstm;
    const int64_t recurrent = std::string(lstm) == "att" ? 2 * f : f;
    m.push_back({p + ".w_ih", {f, 4 * f}, bound});
    m.push_back({p + ".w_hh", {recurrent, 4 * f}, bound});
    m.push_back({p + ".b", {4 * f}, bound});
  }
  return m;
}

at::Tensor UnitRows(const at::Tensor& x) { return x / x.norm(2, {-1}, true).clamp_min(1e-8); }
}  // namespace

void MatchingNetOptions::Read(ConfigMap& config) {
  config.Read("attention-scale", &attention_scale);
  config.Read("fce", &fce);
  config.Read("fce-steps", &fce_steps);
  config.Read("meta-lr", &adam.lr);
}

void MatchingNetOptions::Validate() const {
  METARL_REQUIRE(std::isfinite(attention_scale) && attention_scale > 0.0, "attention-scale = ", attention_scale,
                 ": expected a positive number");
  METARL_REQUIRE(fce_steps >= 1, "fce-steps = ", fce_steps, ": expected at least 1");
}

MatchingNet::MatchingNet(std::shared_ptr<const FunctionalNet> net, bool classification, MatchingNetOptions options,
                         const Params& init, std::uint64_t seed)
    : EmbeddingLearner("matching", net, classification, options.adam, init, MatchingModule(*net, options), seed),
      options_(options) {
  options_.Validate();
}

at::Tensor MatchingNet::SupportContext(const at::Tensor& g, const Params& m) const {
  const int64_t steps = g.size(1);
  const at::Tensor zero = at::zeros({g.size(0), g.size(2)}, g.options());
  std::vector<at::Tensor> forward(static_cast<std::size_t>(steps)), backward(static_cast<std::size_t>(steps));
  policies::LstmState fwd{zero, zero}, bwd{zero, zero};
  for (int64_t i = 0; i < steps; ++i) {
    fwd = policies::LstmCell(g.select(1, i), fwd.h, fwd.c, m[kFwdWih], m[kFwdWhh], m[kFwdB]);
    forward[static_cast<std::size_t>(i)] = fwd.h;
    const int64_t j = steps - 1 - i;
    bwd = policies::LstmCell(g.select(1, j), bwd.h, bwd.c, m[kBwdWih], m[kBwdWhh], m[kBwdB]);
    backward[static_cast<std::size_t>(j)] = bwd.h;
  }
  return at::stack(forward, 1) + at::stack(backward, 1) + g;
}

at::Tensor MatchingNet::QueryContext(const at::Tensor& f, const at::Tensor& g, const Params& m) const {
  at::Tensor h = at::zeros_like(f), c = at::zeros_like(f);  // [T, Q, F]
  for (int k = 0; k < options_.fce_steps; ++k) {
    const at::Tensor a = at::softmax(at::matmul(h, g.transpose(1, 2)), -1);  // [T, Q, S]
    const at::Tensor r = at::matmul(a, g);                                    // [T, Q, F]
    const policies::LstmState next = policies::LstmCell(f, at::cat({h, r}, -1), c, m[kAttWih], m[kAttWhh], m[kAttB]);
    h = next.h + f;
    c = next.c;
  }
  return h;
}

at::Tensor MatchingNet::Similarities(const envs::fewshot::EpisodeBatch& batch, const Params& body,
                                     const Params& module, int64_t iteration) const {
  const Embeddings e = Embed(batch, body, iteration);
  at::Tensor g = e.support;  // [T, S, F]
  at::Tensor f = e.query;    // [T, Q, F]
  if (options_.fce) {
    METARL_CHECK(module.size() == kModuleCount, "matching: ", module.size(), " module tensors");
    g = SupportContext(g, module);
    f = QueryContext(f, g, module);
  }
  return options_.attention_scale * at::matmul(UnitRows(f), UnitRows(g).transpose(1, 2));
}

at::Tensor MatchingNet::Attention(const envs::fewshot::EpisodeBatch& batch, const at::Tensor& flat) const {
  const Parts parts = ViewParts(flat);
  return at::softmax(Similarities(batch, parts.body, parts.module, kEvaluation), -1);
}

EmbeddingLearner::Output MatchingNet::Forward(const envs::fewshot::EpisodeBatch& batch, const Params& body,
                                              const Params& module, int64_t iteration) const {
  const at::Tensor s = Similarities(batch, body, module, iteration);  // [T, Q, S]
  // log P(n) = logsumexp_{i: y_i = n} s_i − logsumexp_i s_i; non-members are
  // pushed to −1e30 (finite, so gradients stay defined).
  const int64_t ways = WaysOf(batch);
  const at::Tensor member = at::one_hot(batch.support_y, ways).to(at::kBool).unsqueeze(1);  // [T, 1, S, N]
  const at::Tensor masked = at::where(member, s.unsqueeze(-1), at::full({}, -1e30, s.options()));
  const at::Tensor log_p = at::logsumexp(masked, {2}) - at::logsumexp(s, {2}, true);  // [T, Q, N]
  const at::Tensor nll = -log_p.gather(2, batch.query_y.unsqueeze(2)).squeeze(2);     // [T, Q]
  return {nll.mean(1), log_p, {}};
}

}  // namespace metarl::algorithms::fewshot
