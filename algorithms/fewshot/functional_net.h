#pragma once
// A network for the few-shot learners with a functional forward over an
// explicit parameter set, so adaptation returns new parameters instead of
// mutating a module and all tasks of a batch run in one computation.
//
// Parameters (ParameterNames() order): the body (feature extractor) first,
// then the head (the last layer: weight [F, O], bias [1, O]); num_body_params()
// says where the head starts. In a set passed to Features/Head/Forward each
// tensor is either shared by all tasks (the parameter's own shape) or per
// task ([T, ...shape]); both may be mixed (ANIL: shared body, per-task head).
//
//   x [T, N, ...input_shape] -> Features [T, N, F] -> Head [T, N, O]
//
// Thread-safety: all methods are const and may run concurrently.

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include <ATen/core/Tensor.h>

#include "core/config.h"
#include "core/rng.h"
#include "policies/params.h"

namespace metarl::algorithms::fewshot {

using policies::Params;

class FunctionalNet {
 public:
  virtual ~FunctionalNet() = default;

  virtual std::vector<std::string> ParameterNames() const = 0;
  virtual std::vector<std::vector<int64_t>> ParameterShapes() const = 0;
  virtual int64_t num_body_params() const = 0;
  virtual int64_t feature_dim() const = 0;  // F
  // The features' shape before flattening ({C, h, w} for a conv net's
  // feature maps; {F} otherwise). Its product is F.
  virtual std::vector<int64_t> FeatureShape() const { return {feature_dim()}; }
  virtual int64_t num_outputs() const = 0;  // O

  // Initial parameters (unbatched, float32, CPU), deterministic for `rng`.
  virtual Params Init(Rng& rng) const = 0;

  virtual at::Tensor Features(const Params& body, const at::Tensor& x) const = 0;

  // Running batch-norm statistics (a conv net with batch-norm: running):
  // buffers that a learner keeps beside its meta-parameters and checkpoints
  // with them, named like PyTorch's (bn{l}.running_mean, bn{l}.running_var,
  // [F] each, in layer order), their initial values (zeros and ones,
  // float32, CPU) and the averaging momentum. Empty names: the net keeps none
  // and normalises every batch with its own statistics.
  struct RunningStatistics {
    std::vector<std::string> names;
    Params init;
    double momentum = 0.1;
  };
  virtual RunningStatistics RunningStatisticsSpec() const { return {}; }

  // One batch-norm layer's statistics in one pass, detached: `stats` [T, 2,
  // F_l], per task the mean and the unbiased variance of each channel
  // (batch_norm.h BatchStatistics); `layer` indexes the running pairs.
  struct ObservedStatistics {
    int64_t layer = 0;
    at::Tensor stats;
  };
  // How one forward pass of a net with running statistics normalises.
  struct NormPass {
    // Normalise with these running statistics (evaluation; every example on
    // its own) instead of the batch's.
    const Params* running = nullptr;
    // Append this pass's batch statistics, one entry per batch-norm layer, for
    // the caller to fold into the running ones.
    std::vector<ObservedStatistics>* observed = nullptr;
  };
  // Features with `pass`; nets without batch norm ignore it.
  virtual at::Tensor FeaturesWithNorm(const Params& body, const at::Tensor& x, const NormPass& pass) const {
    (void)pass;
    return Features(body, x);
  }
  at::Tensor Head(const Params& head, const at::Tensor& features) const;  // the linear head
  at::Tensor Forward(const Params& params, const at::Tensor& x) const;
  // Features [T, Q, F] of every example of x [T, Q, ...], each computed in one
  // batch with that task's `context` [T, S, ...] (S + 1 inputs, the example
  // last), so batch statistics never let one example of x see another: how
  // supervised-reptile predicts a query without transduction. Body tensors
  // shared or per task ([T, ...]). Q times the cost of one context batch.
  at::Tensor FeaturesEachWithContext(const Params& body, const at::Tensor& context, const at::Tensor& x) const;

  // Per-task losses [T] of `params` (each tensor shared or per task) on
  // (x, y) and every task's gradients [T, ...] w.r.t. them, written out as ordinary
  // differentiable tensor operations (explicit backpropagation). A second-
  // order outer gradient then differentiates these operations once instead
  // of autograd's double backward, which is several times cheaper for small
  // nets. std::nullopt when the net has no such form (autograd is used).
  struct LossGradient {
    at::Tensor losses;  // [T]
    Params grads;       // like params
  };
  virtual std::optional<LossGradient> AnalyticLossGradient(const Params& params, const at::Tensor& x,
                                                           const at::Tensor& y, bool classification) const {
    (void)params, (void)x, (void)y, (void)classification;
    return std::nullopt;
  }

  // Splits a full set into body / head.
  Params Body(const Params& params) const;
  Params HeadOf(const Params& params) const;
};

// The batch-norm keys of the image nets (under `net`): transductive (every
// batch normalised with its own statistics) or running (running averages at
// evaluation, PyTorch's train/eval behaviour; conv_net.h).
struct BatchNormOptions {
  std::string batch_norm = "transductive";  // transductive | running
  double batch_norm_momentum = 0.1;         // running averages' momentum (PyTorch's default)

  void ReadBatchNorm(ConfigMap& config);  // keys: batch-norm, batch-norm-momentum
  void ValidateBatchNorm() const;         // std::invalid_argument naming net.<key>
};

// Batch norm of a grouped activation h [N, T·F, H, W] (task t's channels
// are group t) as `pass` asks: with the running pair of `layer` (shared by
// the tasks) when pass.running is set, else with each task's batch
// statistics (batch_norm.h TrainingBatchNorm), appending them to
// pass.observed when it is set. γ, β [T·F].
at::Tensor PassBatchNorm(const at::Tensor& h, const at::Tensor& gamma, const at::Tensor& beta, int64_t tasks,
                         int64_t layer, const FunctionalNet::NormPass& pass);

// std::invalid_argument when `net` keeps running batch-norm statistics
// (net.batch-norm: running), naming `learner` and `why` it normalises every
// batch with its own statistics.
void RequireTransductiveBatchNorm(const FunctionalNet& net, const std::string& learner, const std::string& why);

// Views of a flat buffer `flat` [P] with `shapes`, in order (one
// split_with_sizes): how the learners keep their meta-parameters in one
// buffer (one optimiser update) and still hand tensors to the net.
Params SplitViews(const at::Tensor& flat, const std::vector<std::vector<int64_t>>& shapes);

// y = x W + b over tasks: x [T, N, in]; W [in, out] or [T, in, out]; b [1, out]
// or [T, 1, out] (biases are rows, so a per-task stack broadcasts over the
// examples) -> [T, N, out]. One addmm / baddbmm.
at::Tensor TaskLinear(const at::Tensor& x, const at::Tensor& w, const at::Tensor& b);

// Backpropagation through TaskLinear (W shared or per task): from
// d = dL/dy [T, N, out] and the layer input x, the per-task gradients
// dW = xᵀd [T, in, out] and db = Σ_n d [T, 1, out], and dL/dx = d Wᵀ
// [T, N, in] (when `input_grad`).
struct TaskLinearGrads {
  at::Tensor weight, bias, input;
};
TaskLinearGrads TaskLinearBackward(const at::Tensor& x, const at::Tensor& w, const at::Tensor& d, bool input_grad);

}  // namespace metarl::algorithms::fewshot
