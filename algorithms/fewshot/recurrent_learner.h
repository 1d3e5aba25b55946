#pragma once
// A black-box recurrent meta-learner in the style of memory-augmented
// networks (Santoro et al. 2016) and SNAIL (Mishra et al. 2018), batched over
// tasks: an LSTM or GRU reads the support set as a sequence and predicts the
// query's class from its state; no gradient steps at adaptation.
//
// Input at step t: [f(x_t), onehot(y_{t−1})] (f = the net's body; y_0 = 0),
// so the label of an example arrives one step after the example and the
// network must bind the two in its state. The support set is read in an
// order shuffled per episode (drawn from the stream {seed, 4, iteration} in
// meta-training and from {seed, 5} in evaluation, so evaluation is
// deterministic). Every query then takes one step from the state after the
// last support example, with input [f(x̂), onehot(y_S)], all queries in
// parallel; logits = h·W_out + b_out. A query never sees another query:
// f(x̂) is computed in one batch with the episode's support images only
// (FunctionalNet::FeaturesEachWithContext), so the net's batch statistics
// cannot carry information between queries either. With net.batch-norm:
// running, support and queries are one batch at meta-training and every
// image is normalised with the running averages at evaluation
// (embedding_learner.h).
// read: attention adds a SNAIL-style causal soft-attention read over the
// support steps' states: a = softmax((h_q W_q)(h_i W_k)ᵀ / √H) over i, and
// logits = [h_q, Σ_i a_i (h_i, onehot(y_i))]·W_out + b_out (the labels y_i
// are inputs of later steps, so this reads only the past). A support step i
// reads the steps before it the same way (step 0 reads zeros).
// read: input-attention matches [input, state] instead of the state alone,
// z_i = [f(x_i), onehot(y_{i−1}), h_i] and z_q = [f(x̂), onehot(y_S), h_q]
// (SNAIL's dense blocks concatenate each layer's input to its output):
// a = softmax((z_q W_q)(z_i W_k)ᵀ / √H), the values as above. The keys then
// hold the image features directly, not only what the state kept of them.
// Meta-objective: the query cross-entropy. The reported support loss is the
// cross-entropy of the predictions made along the support sequence (each
// example's label predicted before it is shown).
// Module parameters (cell lstm): rnn.w_ih [F+N, 4H], rnn.w_hh [H, 4H],
// rnn.b [4H]; (cell gru): rnn.w_ih [F+N, 3H], rnn.w_hh [H, 3H], rnn.b_ih,
// rnn.b_hh [3H]; with read: attention read.query [H, H], read.key [H, H]
// (input-attention: [F + N + H, H] each); then out.weight [H, N] (with an
// attention read [2H + N, N]), out.bias [N]. Cells as
// policies/recurrent_cells.h, U(−1/√H, 1/√H) like PyTorch's.
// Not thread-safe.

#include <memory>
#include <string>

#include "algorithms/fewshot/embedding_learner.h"
#include "core/config.h"

namespace metarl::algorithms::fewshot {

struct RecurrentLearnerOptions {
  std::string cell = "lstm";  // lstm | gru
  int hidden_size = 128;      // H
  std::string read = "last";  // last (the state alone) | attention (also a soft read of the support steps,
                              // matched by state) | input-attention (matched by [input, state])
  AdamOptions adam;           // meta-lr: Adam step size (default 1e-3)

  void Read(ConfigMap& config);  // keys: cell, hidden-size, read, meta-lr
  void Validate() const;
};

class RecurrentLearner final : public EmbeddingLearner {
 public:
  RecurrentLearner(std::shared_ptr<const FunctionalNet> net, bool classification, RecurrentLearnerOptions options,
                   const Params& init, std::uint64_t seed);

 private:
  Output Forward(const envs::fewshot::EpisodeBatch& batch, const Params& body, const Params& module,
                 int64_t iteration) const override;
  // One recurrent step; `state` holds h (and c for the LSTM).
  void Step(const at::Tensor& x, at::Tensor& h, at::Tensor& c, const Params& module) const;
  // A random order of the S support rows per task [T, S] (int64, CPU).
  at::Tensor SupportOrder(int64_t tasks, int64_t support, int64_t iteration) const;

  RecurrentLearnerOptions options_;
  std::uint64_t seed_;
};

}  // namespace metarl::algorithms::fewshot
