#pragma once
// The common frame of the learners that classify a query from the support set
// in one forward pass, with no gradient steps at adaptation: the metric
// learners (Prototypical, Matching, Relation, Siamese networks) and the
// black-box recurrent learner.
//
// Meta-parameters: the net's body (the embedding, shared with the gradient-
// based learners; the net's head is not used) followed by the learner's own
// module parameters (a relation module, LSTMs, a pair head …), all in one
// flat buffer with one Adam update per meta-step. A subclass supplies
// Forward(): per-task query losses and class scores for the whole batch in
// one computation (no loop over tasks).
//
// Batch norm with running statistics (net.batch-norm: running): the learner
// keeps the net's running averages (parameters_list() and ParameterNames()
// end with them, so checkpoints hold them), embeds an episode's support and
// query sets in one batch at meta-training, as jakesnell/prototypical-
// networks does, folds that batch's statistics into the averages after each
// successful meta-step (task by task in meta-batch order, gathered from every
// rank in a distributed job), and evaluates with the averages, so no query
// affects another. Without them (transductive) the support and the query
// sets are two batches, each normalised with its own statistics.
//
// Evaluate() accepts steps = 0 only; its single row is the learner's
// prediction. Classification only. Not thread-safe.

#include <cstdint>
#include <memory>
#include <string>
#include <vector>

#include "algorithms/common/adam.h"
#include "algorithms/fewshot/functional_net.h"
#include "algorithms/fewshot/learner.h"

namespace metarl::algorithms::fewshot {

// One module parameter: initialised U(−bound, bound) when bound > 0, else
// filled with `constant`.
struct ModuleParam {
  std::string name;
  std::vector<int64_t> shape;
  double bound = 0.0;
  double constant = 0.0;
};

// Linear layer parameters like nn.Linear: weight [in, out] and bias [out],
// both U(−1/√in, 1/√in), named prefix.weight / prefix.bias.
std::vector<ModuleParam> LinearModule(const std::string& prefix, int64_t in, int64_t out);

class EmbeddingLearner : public FewShotLearner {
 public:
  // What Forward() returns for a batch of T episodes with Q queries, N ways.
  struct Output {
    at::Tensor losses;          // [T] per-task meta-objective (differentiable)
    at::Tensor scores;          // [T, Q, N]: argmax = the predicted class
    at::Tensor support_losses;  // [T] a support-side loss to report, or undefined (then = losses)
  };
  // Forward() is told which pass it serves: a meta-training step (with its
  // 0-based iteration) or evaluation.
  static constexpr int64_t kEvaluation = -1;

  std::string name() const override { return name_; }
  MetaStepStats MetaStep(const envs::fewshot::EpisodeBatch& batch, int64_t iteration) override;
  AdaptationCurve Evaluate(const envs::fewshot::EpisodeBatch& batch, int steps) const override;

  // The meta-parameters, then the running batch-norm statistics (if any).
  std::vector<std::string> ParameterNames() const override;
  Params parameters_list() const override;
  Params OptimizerState() const override { return adam_.State(); }
  void RestoreOptimizer(const Params& state) override { adam_.Restore(state); }

  // Forward() at the parameters viewed from `flat` [P] (tests differentiate
  // through it).
  Output Run(const envs::fewshot::EpisodeBatch& batch, const at::Tensor& flat, int64_t iteration) const;
  const at::Tensor& flat() const { return flat_; }

  // The body's and the module's parameters viewed from `flat` [P].
  struct Parts {
    Params body, module;
  };
  Parts ViewParts(const at::Tensor& flat) const;

 protected:
  // `init`: the net's initial parameters (only the body's are kept; their
  // dtype and device are the buffer's). `module`: the learner's own
  // parameters, drawn from Rng(StreamSeed(seed, {1})). std::invalid_argument
  // when `classification` is false.
  EmbeddingLearner(std::string name, std::shared_ptr<const FunctionalNet> net, bool classification,
                   AdamOptions adam, const Params& init, const std::vector<ModuleParam>& module, std::uint64_t seed);

  virtual Output Forward(const envs::fewshot::EpisodeBatch& batch, const Params& body, const Params& module,
                         int64_t iteration) const = 0;

  const FunctionalNet& net() const { return *net_; }
  bool keeps_running_statistics() const { return !running_.empty(); }
  // The support and query embeddings [T, S, F], [T, Q, F] of `batch` for the
  // pass `iteration` serves (see the top of this file). At meta-training
  // with running statistics, records the batch's statistics for MetaStep.
  struct Embeddings {
    at::Tensor support, query;
  };
  Embeddings Embed(const envs::fewshot::EpisodeBatch& batch, const Params& body, int64_t iteration) const;
  // The ways of `batch`: EpisodeBatch::ways, or the net's outputs for a batch
  // that does not say (built by hand).
  int64_t WaysOf(const envs::fewshot::EpisodeBatch& batch) const {
    return batch.ways > 0 ? batch.ways : net_->num_outputs();
  }

 private:
  Params Views(const at::Tensor& flat) const { return SplitViews(flat, shapes_); }

  std::string name_;
  std::shared_ptr<const FunctionalNet> net_;
  int64_t num_body_ = 0;
  std::vector<std::string> names_;
  std::vector<std::vector<int64_t>> shapes_;
  at::Tensor flat_;  // body then module parameters, leaf, requires grad
  FlatAdam adam_;
  FunctionalNet::RunningStatistics running_spec_;  // names and momentum
  Params running_;  // the running batch-norm statistics (empty: transductive), on flat_'s device
  mutable std::vector<FunctionalNet::ObservedStatistics> observed_;  // of the meta-step in progress
};

}  // namespace metarl::algorithms::fewshot
