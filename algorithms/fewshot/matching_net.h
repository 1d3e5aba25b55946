#pragma once
// Matching Networks (Vinyals et al. 2016), batched over tasks.
//
// Support images embed as g(x_i), queries as f(x̂); a query's label
// distribution is an attention over the support labels:
//   a(x̂, x_i) = softmax_i(attention-scale · cos(f(x̂), g(x_i)))
//   P(y = n | x̂) = Σ_{i: y_i = n} a(x̂, x_i)
// scores = log P [T, Q, N] (computed with log-sum-exp; the meta-objective is
// the query's −log P(true class)). attention-scale 1 is the paper's form.
//
// Without full-context embeddings g = f = the net's body f'. With `fce`:
//   g(x_i) = h→_i + h←_i + f'(x_i): a bidirectional LSTM (hidden F) over the
//     support embeddings in the episode's order;
//   f(x̂) = h_K after K = fce-steps steps of the attention LSTM
//     r_{k−1} = Σ_i softmax_i(h_{k−1} · g(x_i)) g(x_i)
//     ĥ_k, c_k = LSTM(f'(x̂), [h_{k−1}, r_{k−1}], c_{k−1}),  h_k = ĥ_k + f'(x̂)
//   from h_0 = c_0 = 0 (paper appendix A.2). The LSTM cells are
//   policies/recurrent_cells.h; all F wide.
// Module parameters (fce only): fce.fwd.{w_ih, w_hh, b}, fce.bwd.{…},
// fce.att.{w_ih [F, 4F], w_hh [2F, 4F], b}; U(−1/√F, 1/√F).
// Not thread-safe.

#include <memory>
#include <vector>

#include "algorithms/fewshot/embedding_learner.h"
#include "core/config.h"

namespace metarl::algorithms::fewshot {

struct MatchingNetOptions {
  double attention_scale = 1.0;  // multiplies the cosine similarities
  bool fce = false;              // full-context embeddings
  int fce_steps = 5;             // K: attention-LSTM steps (fce only)
  AdamOptions adam;              // meta-lr: Adam step size (default 1e-3)

  void Read(ConfigMap& config);  // keys: attention-scale, fce, fce-steps, meta-lr
  void Validate() const;
};

class MatchingNet final : public EmbeddingLearner {
 public:
  bool AnyWays() const override { return true; }  // reads the ways of each batch
  MatchingNet(std::shared_ptr<const FunctionalNet> net, bool classification, MatchingNetOptions options,
              const Params& init, std::uint64_t seed);

  // Attention weights a(x̂, x_i) [T, Q, S] at the parameters viewed from `flat`.
  at::Tensor Attention(const envs::fewshot::EpisodeBatch& batch, const at::Tensor& flat) const;

 private:
  Output Forward(const envs::fewshot::EpisodeBatch& batch, const Params& body, const Params& module,
                 int64_t iteration) const override;
  // Scaled cosine similarities [T, Q, S] (the attention's logits).
  at::Tensor Similarities(const envs::fewshot::EpisodeBatch& batch, const Params& body, const Params& module,
                          int64_t iteration) const;
  at::Tensor SupportContext(const at::Tensor& g, const Params& module) const;  // [T, S, F] -> [T, S, F]
  at::Tensor QueryContext(const at::Tensor& f, const at::Tensor& g, const Params& module) const;  // -> [T, Q, F]

  MatchingNetOptions options_;
};

}  // namespace metarl::algorithms::fewshot
