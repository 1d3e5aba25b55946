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
// Inner loop. Training examples: the support set, or support ∪ query with
// train-on-query (meta-training only; the paper trains 1-shot Omniglot on 10
// drawings per class). Step s uses a minibatch of inner-batch of them (0: all),
// consecutive in a random order drawn per meta-iteration from the stream
// {seed, iteration} and shared by the tasks, wrapping around. Optimiser
// (inner-optimizer): sgd, or adam, the paper's Adam with β1 = 0 (β2 0.999,
// ε 1e-8), its state fresh for every adaptation. Evaluation adapts on the
// support set in its own order, same minibatch size (at most the set) and
// optimiser.

#include <cstdint>
#include <functional>
#include <memory>
#include <string>
#include <vector>

#include "algorithms/fewshot/functional_net.h"
#include "algorithms/fewshot/learner.h"
#include "core/config.h"

namespace metarl::algorithms::fewshot {

struct ReptileOptions {
  int inner_steps = 5;              // SGD steps per task
  double inner_lr = 0.01;           // SGD step size (also at evaluation)
  double outer_lr = 1.0;            // ε: fraction of the way from θ to the adapted parameters
  bool anneal_outer_lr = true;      // ε linearly to 0 over num_iterations
  bool serial = false;              // one task at a time (the paper's serial version)
  int inner_batch = 0;              // examples per inner step; 0: all of them
  bool inner_adam = false;          // inner-optimizer: adam (β1 = 0) instead of sgd
  bool train_on_query = false;      // meta-training adapts on support ∪ query
  int64_t num_iterations = 1;       // the run's length, for annealing (set from num-batches)
  std::uint64_t seed = 0;           // minibatch orders (set from the run's seed)

  // keys: inner-steps, inner-lr, outer-lr, anneal-outer-lr, serial,
  // inner-batch, inner-optimizer (sgd | adam), train-on-query
  void Read(ConfigMap& config);
  void Validate() const;
  double OuterStepSize(int64_t iteration) const;
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
  Params OptimizerState() const override { return {}; }
  void RestoreOptimizer(const Params& state) override;

  const ReptileOptions& options() const { return options_; }

 private:
  // Adapts `theta` to every task of `batch` (meta-training); the adapted
  // stacks [T, ...]. Adds its stats to `stats`.
  Params AdaptAll(const envs::fewshot::EpisodeBatch& batch, const Params& theta, const at::Tensor& order,
                  MetaStepStats* stats) const;
  // The inner loop: `steps` steps from θ on examples (x, y) [T, S, ...]
  // taken in `order` (a permutation of 0..S−1) in minibatches of `batch`.
  // `after_step(s, params)` runs after each step. Returns the adapted
  // per-task stacks; *first_loss: the per-task losses of the first minibatch
  // before the first step.
  Params InnerLoop(const Params& theta, const at::Tensor& x, const at::Tensor& y, const at::Tensor& order,
                   int64_t batch, int steps, at::Tensor* first_loss,
                   const std::function<void(int, const Params&)>& after_step) const;

  std::shared_ptr<const FunctionalNet> net_;
  bool classification_;
  ReptileOptions options_;
  at::Tensor flat_;  // θ, one buffer
  Params theta_;     // views of flat_
};

}  // namespace metarl::algorithms::fewshot
