#pragma once
// Reptile (Nichol, Achiam & Schulman 2018): each task adapts from θ to φ_t by
// inner-steps steps of inner-lr on its training examples, and the
// meta-parameters move toward the adapted ones:
//   batched: θ ← θ + ε_i · (mean_t φ_t − θ)      (all tasks adapt at once)
//   serial:  θ ← θ + ε_i · (φ_t − θ), task after task, each from the θ
//            the previous one left
// with ε_i = outer-lr, linearly annealed to 0 over the run when
// anneal-outer-lr (ε_i = outer-lr · (1 − i / num_iterations)).
// No second-order terms and no outer optimiser state.
//
// Inner loop, as openai/supervised-reptile (`reptile.py`) runs it. Training
// examples: the support set, or support ∪ query with train-on-query
// (meta-training only; the paper trains 1-shot Omniglot on 10 drawings per
// class). Minibatches (`_mini_batches`): each task walks through fresh
// shuffles of its examples, one epoch after another, inner-batch at a time
// (0: all of them), so a minibatch may span two epochs; the shuffles come
// from the stream {seed, iteration} per task of the whole meta-batch
// (evaluation: {seed, kEvaluationStream}). Optimiser (inner-optimizer): sgd,
// or adam as the paper's TensorFlow Adam with β1 = 0:
//   t ← t + 1,  v ← β2·v + (1 − β2)·g²,  φ ← φ − lr·√(1 − β2^t)·g/(√v + ε)
// (β2 0.999, ε 1e-8). inner-adam-state: carried (the reference: its Adam
// slots are not trainable variables, so v and t carry over from task to task
// in meta-batch order and from one iteration to the next, are checkpointed,
// and every evaluation episode starts from a copy of them) or fresh (v = 0,
// t = 0 for every adaptation; tasks adapt in one batch, and the run can be
// spread over ranks). Evaluation adapts on the support set with minibatches
// of eval-inner-batch (0: inner-batch), at most the set, and predicts the
// queries `transductive`ly (all of an episode's queries in one batch, so batch
// normalisation couples them; supervised-reptile's --transductive) or not
// (the default, as supervised-reptile: each query in one batch with the
// support set, its prediction the last row, so a query never sees another).
#include <cstdint>
#include <functional>
#include <memory>
#include <string>
#include <vector>

#include "algorithms/fewshot/functional_net.h"
#include "algorithms/fewshot/learner.h"
#include "core/config.h"
#include "core/rng.h"

namespace metarl::algorithms::fewshot {

struct ReptileOptions {
  int inner_steps = 5;              // SGD steps per task
  double inner_lr = 0.01;           // SGD step size (also at evaluation)
  double outer_lr = 1.0;            // ε: fraction of the way from θ to the adapted parameters
  bool anneal_outer_lr = true;      // ε linearly to 0 over num_iterations
  bool serial = false;              // one task at a time (the paper's serial version)
  int inner_batch = 0;              // examples per inner step; 0: all of them
  bool inner_adam = false;          // inner-optimizer: adam (β1 = 0) instead of sgd
  bool carry_adam_state = true;     // inner-adam-state: carried (true) | fresh
  int eval_inner_batch = 0;         // examples per inner step at evaluation; 0: inner-batch
  bool transductive = false;        // evaluation: all queries in one batch (true) or each with the support set
  bool train_on_query = false;      // meta-training adapts on support ∪ query
  int64_t num_iterations = 1;       // the run's length, for annealing (set from num-batches)
  std::uint64_t seed = 0;           // minibatch orders (set from the run's seed)

  // keys: inner-steps, inner-lr, outer-lr, anneal-outer-lr, serial,
  // inner-batch, inner-optimizer (sgd | adam), inner-adam-state (carried |
  // fresh), eval-inner-batch, transductive, train-on-query
  void Read(ConfigMap& config);
  void Validate() const;
  double OuterStepSize(int64_t iteration) const;
};

// supervised-reptile's `_mini_batches` for `tasks` tasks at once: the
// example indices [tasks, steps · b] of `steps` minibatches of
// b = min(batch, n) (batch 0: b = n) drawn from n examples, each task's row
// the concatenation of fresh uniform shuffles of 0..n−1 (Fisher–Yates from
// `rng`, task after task), cut into consecutive minibatches of b.
at::Tensor MinibatchIndices(int64_t tasks, int64_t n, int64_t batch, int steps, Rng& rng);

// The inner Adam's state that carries over between adaptations: v per
// parameter (θ's shapes) and the step count t. Empty v: no step taken yet.
struct InnerAdamState {
  Params v;
  int64_t t = 0;
  InnerAdamState Copy() const;  // v cloned
};

class Reptile final : public FewShotLearner {
 public:
  Reptile(std::shared_ptr<const FunctionalNet> net, bool classification, ReptileOptions options, const Params& init);

  std::string name() const override { return "reptile"; }
  MetaStepStats MetaStep(const envs::fewshot::EpisodeBatch& batch, int64_t iteration) override;
  void SetShard(const TaskShard& shard) override;  // refuses serial: true across ranks
  AdaptationCurve Evaluate(const envs::fewshot::EpisodeBatch& batch, int steps) const override;

  std::vector<std::string> ParameterNames() const override { return net_->ParameterNames(); }
  Params parameters_list() const override { return theta_; }
  // {v..., t} of the carried inner Adam ({} before its first step, or when
  // nothing carries over).
  Params OptimizerState() const override;
  void RestoreOptimizer(const Params& state) override;

  const ReptileOptions& options() const { return options_; }

  // The query outputs [T, Q, O] of `batch` under per-task parameters
  // `params` ([T, ...] stacks, or θ's own shapes for every task), as
  // evaluation predicts them (options().transductive).
  at::Tensor PredictQueries(const Params& params, const envs::fewshot::EpisodeBatch& batch) const;

 private:
  // Adapts `theta` to every task of `batch` (meta-training; `indices` [T,
  // steps · b] from MinibatchIndices); the adapted stacks [T, ...]. Adds its
  // stats to `stats`; advances the carried Adam state.
  Params AdaptAll(const envs::fewshot::EpisodeBatch& batch, const Params& theta, const at::Tensor& indices,
                  int64_t b, MetaStepStats* stats);
  // The inner loop: `steps` steps from θ on examples (x, y) [T, S, ...],
  // step s on the examples indices[:, s·b .. s·b + b − 1]. `adam`: the
  // state to continue from and advance, one task at a time (T = 1); null
  // with inner-optimizer adam: fresh state per task. `after_step(s,
  // params)` runs after each step. Returns the adapted per-task stacks;
  // *first_loss: the per-task losses of the first minibatch before the
  // first step.
  Params InnerLoop(const Params& theta, const at::Tensor& x, const at::Tensor& y, const at::Tensor& indices,
                   int64_t b, int steps, InnerAdamState* adam, at::Tensor* first_loss,
                   const std::function<void(int, const Params&)>& after_step) const;
  // True when the inner Adam's state carries over between adaptations.
  bool Carries() const { return options_.inner_adam && options_.carry_adam_state; }

  std::shared_ptr<const FunctionalNet> net_;
  bool classification_;
  ReptileOptions options_;
  at::Tensor flat_;  // θ, one buffer
  Params theta_;     // views of flat_
  InnerAdamState adam_;  // the carried inner Adam state (Carries())
};

}  // namespace metarl::algorithms::fewshot
