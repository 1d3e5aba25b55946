#pragma once
// LEO, latent embedding optimisation (Rusu et al. 2019), batched over tasks,
// as deepmind/leo's `model.py` defines it (each difference a named option).
//
// The net's body is a feature extractor f (meta-learned, shared by all tasks,
// not adapted). LEO generates the head from the support set instead of
// meta-learning one initial head:
//   encoder    h_i = E [f(x_i) (; y_i for regression)]                (linear, H)
//   relation   r_ij = R([h_i; h_j]) for every support pair i, j     (MLP 2H→2H→2H→2Z, ReLU)
//   latents    (μ_g, σ_g) = mean over i in group g and all j of r_ij
//   codes      codes: per-example (default, the reference's): one latent
//              z_i ~ N(μ_g, σ_g²) per support example i of group g, decoded
//              to its own w_i ~ N(μ_w, σ_w²) = D z_i, and group g's head the
//              mean of its examples' w_i (the reference averages the
//              per-example predictions, the same thing for a linear head);
//              per-group: one z_g and one w_g per group
//   decoder    (μ_w, σ_w) = D z                                     (linear)
// Groups: for N-way classification the N classes, w_g being class g's head
// column (F numbers, + 1 bias with biases: true); for regression one group
// per task whose w is the whole head (F·O, + O biases). biases: false
// (default, the reference's): the encoder, relation and decoder layers and
// the decoded head have no biases; true: all have. init: glorot-uniform
// (default, the reference's) draws every weight from U(±√(6 / (in + out)))
// with zero biases; torch-linear from nn.Linear's U(±1/√in), biases too.
// σ = max(elu(u) + c, 1e-5) of the raw output u (exp(u) − 1 + c for u ≤ 0,
// as in the paper's code, linear above so that it cannot overflow): c = 0
// for the latents and the head's Glorot scale √(2 / (F + O)) for the decoded
// weights, so a fresh network (u ≈ 0) trains with little noise.
//
// Adaptation: inner-steps gradient steps on the support loss in the latent
// space, z ← z − α ∇_z L_support(decode(z)), then finetune-steps steps on the
// decoded weights themselves, w ← w − η ∇_w L_support(w); α and η are
// meta-learned, initialised to inner-lr and finetune-lr: step-sizes:
// per-dimension (default, deepmind/leo) gives α one entry per latent
// dimension [Z] and η one per decoded-weight number [P] (products
// elementwise); scalar one each. inner-loss: sum (default, the reference's
// tf.gradients of the per-example losses) takes these gradients of the
// support loss summed over the support examples; mean of their mean (S
// times smaller steps for the same α and η).
//
// Meta-objective (mean over tasks), as deepmind/leo's `model.py`: query loss
// after adaptation
//   + kl-weight · KL, kl-estimate: sample (default, the reference's
//     `kl_divergence`): log N(z; μ, σ²) − log N(z; 0, I) at the latents z
//     drawn (their means with sample: false), averaged over every latent
//     element; analytic: the closed form summed over the Z dimensions and
//     averaged over the latent rows (Z times the reference's scale)
//   + encoder-penalty · mean((stopgrad(z') − z)²) over the latent elements
//     (z' the adapted latents; the reference's mean_squared_error)
//   + orthogonality-penalty · mean((C − I)²), C the correlation matrix of
//     the decoder's weight rows
//   + l2-penalty · ½‖encoder, relation, decoder weights‖² (TensorFlow's
//     l2_regularizer)
// through all inner steps (second order), optimised by Adam (meta-lr) on one
// flat buffer. The meta-gradient is clipped as deepmind/leo's `runner.py`
// does: each element to ±grad-clip-value, then each parameter tensor's
// gradient to the norm grad-clip-tensor-norm (0.1 and 0.1, 0: off), then
// the whole to max-grad-norm (0: off, metarl's own). A non-finite
// meta-loss or meta-gradient: on-non-finite: regularise (default, the
// reference's grads_and_vars) steps with the gradient of 1e-4·½‖weights‖²
// alone, pulling the weights back, and training goes on (the iteration's
// metrics show the non-finite loss); stop raises an error instead.
//
// Sampling: with sample: true (the paper's training) z and w are drawn by
// reparameterisation in meta-training from the stream {seed, iteration};
// evaluation always uses the means, so it is deterministic. sample: false
// makes training deterministic too (the gradient tests use it).
// dropout: p > 0 drops each feature with probability p (the rest scaled by
// 1/(1 − p)) where deepmind/leo does, in the meta-training objective only:
// the encoder's input, and the classifier's input at every prediction
// (each support loss of the inner loops and the query loss, a fresh mask
// each), from the stream {noise seed, 7}; never in evaluation.
//
// Evaluation curve: step 0 is the encoder's head (no gradient step), steps
// 1..inner-steps are latent steps, later steps fine-tune the head (η).
// Not thread-safe.

#include <cstdint>
#include <memory>
#include <string>
#include <vector>

#include "algorithms/common/adam.h"
#include "algorithms/fewshot/functional_net.h"
#include "algorithms/fewshot/learner.h"
#include "core/config.h"

namespace metarl::algorithms::fewshot {

struct LeoOptions {
  int latent_dim = 64;                  // Z, latent code size per group
  int hidden_dim = 64;                  // H, encoder output size
  int inner_steps = 5;                  // latent-space steps
  double inner_lr = 1.0;                // α's initial value (meta-learned)
  int finetune_steps = 5;               // head steps after the latent steps
  double finetune_lr = 0.001;           // η's initial value (meta-learned)
  double kl_weight = 0.001;             // β
  double encoder_penalty = 1e-9;        // γ
  double orthogonality_penalty = 1e-3;  // λ₂
  double l2_penalty = 1e-8;             // λ₁
  double grad_clip_value = 0.1;         // each meta-gradient element to ±this (0: off; the reference's)
  double grad_clip_tensor_norm = 0.1;   // then each tensor's gradient to this norm (0: off; the reference's)
  double max_grad_norm = 0.0;           // then the global norm of the meta-gradient (0: off)
  bool sample = true;                   // sample z and w in meta-training
  double dropout = 0.0;                 // feature drop probability in meta-training (0: off)
  bool per_dimension_lr = true;         // step-sizes: per-dimension (true, the reference's) | scalar
  bool analytic_kl = false;             // kl-estimate: analytic (true) | sample (false, the reference's)
  bool stop_on_non_finite = false;      // on-non-finite: stop (true) | regularise (false, the reference's)
  bool biases = false;                  // biases in the LEO layers and the decoded head (false: the reference's)
  bool per_example_codes = true;        // codes: per-example (true, the reference's) | per-group
  bool sum_inner_loss = true;           // inner-loss: sum (true, the reference's) | mean over support examples
  bool glorot_init = true;              // init: glorot-uniform (true, the reference's) | torch-linear
  AdamOptions adam;                     // meta-lr: Adam step size (default 1e-3)
  std::uint64_t seed = 0;               // noise stream (set from the run's seed, not a key)

  // keys: latent-dim, hidden-dim, inner-steps, inner-lr, finetune-steps,
  // finetune-lr, kl-weight, encoder-penalty, orthogonality-penalty,
  // l2-penalty, grad-clip-value, grad-clip-tensor-norm, max-grad-norm,
  // sample, dropout, step-sizes (per-dimension | scalar), kl-estimate
  // (sample | analytic), on-non-finite (regularise | stop), biases, codes
  // (per-example | per-group), inner-loss (sum | mean), init (glorot-uniform |
  // torch-linear), meta-lr
  void Read(ConfigMap& config);
  void Validate() const;
};

class Leo final : public FewShotLearner {
 public:
  // `net`: its body is the feature extractor (its head's parameters are not
  // used; for classification its num_outputs() is the number of ways);
  // `init`: the net's initial parameters (dtype and device are used). The
  // LEO modules are initialised from StreamSeed(options.seed, {1}).
  Leo(std::shared_ptr<const FunctionalNet> net, bool classification, LeoOptions options, const Params& init);

  std::string name() const override { return "leo"; }
  MetaStepStats MetaStep(const envs::fewshot::EpisodeBatch& batch, int64_t iteration) override;
  AdaptationCurve Evaluate(const envs::fewshot::EpisodeBatch& batch, int steps) const override;

  std::vector<std::string> ParameterNames() const override;
  Params parameters_list() const override { return Views(meta_); }
  Params OptimizerState() const override { return adam_.State(); }
  void RestoreOptimizer(const Params& state) override { adam_.Restore(state); }

  // The meta-objective at flat meta-parameters `meta` (differentiable w.r.t.
  // it). `noise_seed`: the draws of z and w when sampling; ignored when
  // options().sample is false. Exposed for tests.
  at::Tensor MetaObjective(const envs::fewshot::EpisodeBatch& batch, const at::Tensor& meta, bool sample,
                           std::uint64_t noise_seed, MetaStepStats* stats = nullptr) const;

  // A flat meta-gradient clipped as MetaStep clips it: each element to
  // ±grad-clip-value, each parameter tensor's part to the norm
  // grad-clip-tensor-norm, then the whole to max-grad-norm (each 0: off).
  // Exposed for tests.
  at::Tensor ClipMetaGradient(at::Tensor g) const;

  const at::Tensor& flat() const { return meta_; }
  const LeoOptions& options() const { return options_; }
  // Numbers the decoder generates per latent row: F (+ 1 with biases), or
  // F·O (+ O) for regression.
  int64_t group_params() const { return group_params_; }

 private:
  struct Latents;  // encoder output of a batch
  Params Views(const at::Tensor& meta) const;
  // The view of LEO tensor `which` (a LeoParam of leo.cc); undefined for a
  // bias that biases: false leaves out.
  at::Tensor Part(const Params& views, int which) const;
  Latents Encode(const Params& views, const envs::fewshot::EpisodeBatch& batch, const at::Tensor& features) const;
  // Decoder means and stds [T, R, P] of latents z [T, R, Z].
  std::pair<at::Tensor, at::Tensor> Decode(const Params& views, const at::Tensor& z) const;
  // Logits or predictions [T, N, O] of decoded rows w [T, R, P], averaged
  // into groups by `pool` [T, G, R] (undefined: the rows are the groups), on
  // features [T, N, F].
  at::Tensor Predict(const at::Tensor& w, const at::Tensor& pool, const at::Tensor& features) const;
  // The support loss per task [T] whose gradients adapt: the mean over the
  // support examples, times S with inner-loss: sum.
  at::Tensor SupportLoss(const at::Tensor& w, const at::Tensor& pool, const at::Tensor& features,
                         const at::Tensor& y) const;

  // ½ Σ w² over the encoder, relation and decoder weights (not biases or step sizes).
  at::Tensor WeightPenalty(const Params& views) const;

  std::shared_ptr<const FunctionalNet> net_;
  bool classification_;
  LeoOptions options_;
  int64_t groups_ = 1;           // G: the ways for classification, 1 for regression
  int64_t input_dim_ = 0;        // encoder input: F (+ O for regression)
  int64_t group_params_ = 0;     // P
  std::vector<int64_t> leo_index_;  // per LeoParam: its index in Views() (-1: left out)
  std::vector<std::string> names_;
  std::vector<std::vector<int64_t>> shapes_;
  int64_t num_body_ = 0;
  at::Tensor meta_;  // flat leaf, requires grad
  FlatAdam adam_;
};

}  // namespace metarl::algorithms::fewshot
