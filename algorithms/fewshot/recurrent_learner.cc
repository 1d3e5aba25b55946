#include "algorithms/fewshot/recurrent_learner.h"

#include <cmath>
#include <numeric>
#include <vector>

#include <ATen/ATen.h>

#include "algorithms/fewshot/task_loss.h"
#include "core/error.h"
#include "core/rng.h"
#include "policies/recurrent_cells.h"

namespace metarl::algorithms::fewshot {

namespace {
std::vector<ModuleParam> RecurrentModule(const FunctionalNet& net, const RecurrentLearnerOptions& o) {
  o.Validate();
  const int64_t in = net.feature_dim() + net.num_outputs(), h = o.hidden_size;
  const double bound = 1.0 / std::sqrt(static_cast<double>(h));
  std::vector<ModuleParam> m;
  if (o.cell == "lstm") {
    m = {{"rnn.w_ih", {in, 4 * h}, bound}, {"rnn.w_hh", {h, 4 * h}, bound}, {"rnn.b", {4 * h}, bound}};
  } else {
    m = {{"rnn.w_ih", {in, 3 * h}, bound},
         {"rnn.w_hh", {h, 3 * h}, bound},
         {"rnn.b_ih", {3 * h}, bound},
         {"rnn.b_hh", {3 * h}, bound}};
  }
  int64_t out_in = h;
  if (o.read != "last") {
    // read: input-attention matches [input, state] of each step (SNAIL's
    // dense concatenation), read: attention the state alone.
    const int64_t match = o.read == "input-attention" ? in + h : h;
    m.push_back({"read.query", {match, h}, bound});
    m.push_back({"read.key", {match, h}, bound});
    out_in = 2 * h + net.num_outputs();  // [h_q, Σ a_i (h_i, onehot(y_i))]
  }
  for (const auto& p : LinearModule("out", out_in, net.num_outputs())) m.push_back(p);
  return m;
}
}  // namespace

void RecurrentLearnerOptions::Read(ConfigMap& config) {
  config.Read("cell", &cell);
  config.Read("hidden-size", &hidden_size);
  config.Read("read", &read);
  config.Read("meta-lr", &adam.lr);
}

void RecurrentLearnerOptions::Validate() const {
  METARL_REQUIRE(cell == "lstm" || cell == "gru", "cell = '", cell, "': expected lstm or gru");
  METARL_REQUIRE(hidden_size >= 1, "hidden-size = ", hidden_size, ": expected a positive width");
  METARL_REQUIRE(read == "last" || read == "attention" || read == "input-attention", "read = '", read,
                 "': expected last, attention or input-attention");
}

RecurrentLearner::RecurrentLearner(std::shared_ptr<const FunctionalNet> net, bool classification,
                                   RecurrentLearnerOptions options, const Params& init, std::uint64_t seed)
    : EmbeddingLearner("recurrent", net, classification, options.adam, init, RecurrentModule(*net, options), seed),
      options_(std::move(options)),
      seed_(seed) {}

void RecurrentLearner::Step(const at::Tensor& x, at::Tensor& h, at::Tensor& c, const Params& m) const {
  if (options_.cell == "lstm") {
    const policies::LstmState next = policies::LstmCell(x, h, c, m[0], m[1], m[2]);
    h = next.h;
    c = next.c;
  } else {
    h = policies::GruCell(x, h, m[0], m[1], m[2], m[3]);
  }
}

at::Tensor RecurrentLearner::SupportOrder(int64_t tasks, int64_t support, int64_t iteration) const {
  Rng rng(iteration == kEvaluation ? StreamSeed(seed_, {5})
                                   : StreamSeed(seed_, {4, static_cast<std::uint64_t>(iteration)}));
  at::Tensor order = at::empty({tasks, support}, at::kLong);
  int64_t* d = order.data_ptr<int64_t>();
  for (int64_t t = 0; t < tasks; ++t) {
    int64_t* row = d + t * support;
    std::iota(row, row + support, int64_t{0});
    for (int64_t i = support - 1; i > 0; --i) {
      std::swap(row[i], row[rng.UniformInt(static_cast<std::uint64_t>(i + 1))]);
    }
  }
  return order;
}

EmbeddingLearner::Output RecurrentLearner::Forward(const envs::fewshot::EpisodeBatch& batch, const Params& body,
                                                   const Params& module, int64_t iteration) const {
  const int64_t ways = net().num_outputs();
  at::Tensor fs, fq;  // [T, S, F], [T, Q, F]
  if (keeps_running_statistics()) {
    // Running statistics: one joint batch at meta-training (a query still sees
    // no other query's label, only the batch statistics); the running
    // averages at evaluation, where no query affects another.
    const Embeddings e = Embed(batch, body, iteration);
    fs = e.support, fq = e.query;
  } else {
    fs = net().Features(body, batch.support_x);
    // Each query embedded with the support set alone: no batch statistics shared between queries.
    fq = net().FeaturesEachWithContext(body, batch.support_x, batch.query_x);
  }
  const int64_t t = fs.size(0), s = fs.size(1), q = fq.size(1);
  // A shard in training draws the whole meta-batch's orders and keeps its part.
  const TaskShard& part = shard();
  const at::Tensor order = (iteration != kEvaluation && part.total > 0
                                ? SupportOrder(part.total, s, iteration).narrow(0, part.first, part.count)
                                : SupportOrder(t, s, iteration))
                               .to(fs.device());
  const at::Tensor xs = fs.gather(1, order.unsqueeze(2).expand_as(fs));
  const at::Tensor ys = batch.support_y.gather(1, order);  // [T, S]
  const at::Tensor shown = at::one_hot(ys, ways).to(fs.dtype());
  // Step t sees the label of step t − 1.
  const at::Tensor previous = at::cat({at::zeros({t, 1, ways}, fs.options()), shown.narrow(1, 0, s - 1)}, 1);
  const at::Tensor inputs = at::cat({xs, previous}, 2);  // [T, S, F + N]
  const std::size_t k = module.size() - 2;  // out.weight, out.bias
  at::Tensor h = at::zeros({t, options_.hidden_size}, fs.options()), c = at::zeros_like(h);
  std::vector<at::Tensor> hidden;
  hidden.reserve(static_cast<std::size_t>(s));
  for (int64_t i = 0; i < s; ++i) {
    Step(inputs.select(1, i), h, c, module);
    hidden.push_back(h);
  }
  const at::Tensor hs = at::stack(hidden, 1);  // [T, S, H]
  // All queries branch from the state after the support set.
  const at::Tensor last = shown.select(1, s - 1).unsqueeze(1).expand({t, q, ways});
  at::Tensor hq = h.unsqueeze(1).expand({t, q, options_.hidden_size});
  at::Tensor cq = c.unsqueeze(1).expand({t, q, options_.hidden_size});
  const at::Tensor query_inputs = at::cat({fq, last}, 2);  // [T, Q, F + N]
  Step(query_inputs, hq, cq, module);
  at::Tensor support_features = hs, query_features = hq;
  if (options_.read != "last") {
    const std::size_t r = module.size() - 4;  // read.query, read.key
    const double scale = 1.0 / std::sqrt(static_cast<double>(options_.hidden_size));
    // What is matched: the state [.., H], or [input, state] [.., F + N + H].
    const bool dense = options_.read == "input-attention";
    const at::Tensor match_s = dense ? at::cat({inputs, hs}, 2) : hs;
    const at::Tensor match_q = dense ? at::cat({query_inputs, hq}, 2) : hq;
    const at::Tensor keys = at::matmul(match_s, module[r + 1]);  // [T, S, H]
    const at::Tensor values = at::cat({hs, shown}, 2);            // [T, S, H + N]
    // Queries read every support step.
    const at::Tensor aq = at::softmax(at::matmul(at::matmul(match_q, module[r]), keys.transpose(1, 2)) * scale, 2);
    query_features = at::cat({hq, at::matmul(aq, values)}, 2);
    // Support step i reads steps j < i only (their labels are in its past);
    // step 0 reads nothing (a zero read).
    const at::Tensor past = at::ones({s, s}, at::TensorOptions().dtype(at::kBool).device(fs.device())).tril(-1);
    const at::Tensor ss = (at::matmul(at::matmul(match_s, module[r]), keys.transpose(1, 2)) * scale)
                              .masked_fill(past.logical_not(), -1e30);
    const at::Tensor any = past.any(1).to(fs.dtype()).view({1, s, 1});
    support_features = at::cat({hs, at::matmul(at::softmax(ss, 2), values) * any}, 2);
  }
  const at::Tensor support_logits = at::matmul(support_features, module[k]) + module[k + 1];  // [T, S, N]
  const at::Tensor logits = at::matmul(query_features, module[k]) + module[k + 1];            // [T, Q, N]
  return {TaskLosses(logits, batch.query_y, true), logits, TaskLosses(support_logits, ys, true)};
}

}  // namespace metarl::algorithms::fewshot
