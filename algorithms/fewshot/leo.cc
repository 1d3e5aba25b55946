#include "algorithms/fewshot/leo.h"

#include <algorithm>
#include <cmath>

#include <ATen/ATen.h>
#include <torch/autograd.h>

#include "algorithms/fewshot/task_loss.h"
#include "core/error.h"
#include "core/ordered_sum.h"
#include "core/rng.h"

namespace metarl::algorithms::fewshot {
namespace {

// Indices of the LEO tensors after the body's, in Views() order.
enum LeoParam : int64_t {
  kEncoderW, kEncoderB, kRel1W, kRel1B, kRel2W, kRel2B, kRel3W, kRel3B, kDecoderW, kDecoderB,
  kInnerLr, kFinetuneLr, kNumLeoParams
};
const char* const kLeoNames[kNumLeoParams] = {
    "leo/encoder.weight",   "leo/encoder.bias",   "leo/relation1.weight", "leo/relation1.bias",
    "leo/relation2.weight", "leo/relation2.bias", "leo/relation3.weight", "leo/relation3.bias",
    "leo/decoder.weight",   "leo/decoder.bias",   "leo/inner-lr",         "leo/finetune-lr"};

constexpr double kMinStd = 1e-5;

// x w (+ b when the layer has a bias).
at::Tensor Linear(const at::Tensor& x, const at::Tensor& w, const at::Tensor& b) {
  return b.defined() ? at::matmul(x, w) + b : at::matmul(x, w);
}

// Means and stds from the stacked (mean, raw std u) halves of the last dim:
// σ = max(elu(u) + offset, 1e-5), i.e. exp(u) − 1 + offset for u ≤ 0 as in
// the paper's code, continued linearly for u > 0 (exp overflowed to inf there
// in an Omniglot run, making the loss NaN). A raw output near 0 (a fresh
// network's) gives σ ≈ offset, so training starts with little noise (offset
// 0 for the latents, the head's Glorot scale for its weights).
std::pair<at::Tensor, at::Tensor> MeanStd(const at::Tensor& stacked, double offset) {
  const auto halves = stacked.chunk(2, -1);
  return {halves[0], at::clamp_min(at::elu(halves[1]) + offset, kMinStd)};
}

// Standard normal noise of `shape` from `rng` (our generator: the same draws
// on every platform and LibTorch version).
at::Tensor Noise(std::vector<int64_t> shape, Rng& rng, const at::TensorOptions& options) {
  at::Tensor cpu = at::empty(shape, at::TensorOptions().dtype(at::kDouble));
  double* d = cpu.data_ptr<double>();
  for (int64_t i = 0; i < cpu.numel(); ++i) d[i] = rng.Normal();
  return cpu.to(options);
}

}  // namespace

struct Leo::Latents {
  at::Tensor mean, std;  // [T, R, Z]: R = S support rows (codes: per-example) or G groups
  at::Tensor pool;       // [T, G, S]: a group's head = the mean of its rows (undefined: rows are groups)
};

void LeoOptions::Read(ConfigMap& config) {
  config.Read("latent-dim", &latent_dim);
  config.Read("hidden-dim", &hidden_dim);
  config.Read("inner-steps", &inner_steps);
  config.Read("inner-lr", &inner_lr);
  config.Read("finetune-steps", &finetune_steps);
  config.Read("finetune-lr", &finetune_lr);
  config.Read("kl-weight", &kl_weight);
  config.Read("encoder-penalty", &encoder_penalty);
  config.Read("orthogonality-penalty", &orthogonality_penalty);
  config.Read("l2-penalty", &l2_penalty);
  config.Read("grad-clip-value", &grad_clip_value);
  config.Read("grad-clip-tensor-norm", &grad_clip_tensor_norm);
  config.Read("max-grad-norm", &max_grad_norm);
  config.Read("sample", &sample);
  config.Read("dropout", &dropout);
  ReadBinaryChoice(config, "step-sizes", &per_dimension_lr, "per-dimension", "scalar",
                   "deepmind/leo: one step size per latent dimension and per decoded-head number");
  ReadBinaryChoice(config, "kl-estimate", &analytic_kl, "analytic", "sample",
                   "deepmind/leo's: a one-sample estimate, mean over latent elements");
  ReadBinaryChoice(config, "on-non-finite", &stop_on_non_finite, "stop", "regularise",
                   "deepmind/leo's: step on the weight penalty alone");
  config.Read("biases", &biases);
  ReadBinaryChoice(config, "codes", &per_example_codes, "per-example", "per-group",
                   "deepmind/leo's: one latent and one decoded weight vector per support example");
  ReadBinaryChoice(config, "inner-loss", &sum_inner_loss, "sum", "mean",
                   "deepmind/leo's: gradients of the support loss summed over the examples");
  ReadBinaryChoice(config, "init", &glorot_init, "glorot-uniform", "torch-linear",
                   "deepmind/leo's: Glorot-uniform weights, zero biases");
  config.Read("meta-lr", &adam.lr);
}

void LeoOptions::Validate() const {
  METARL_REQUIRE(latent_dim >= 1, "latent-dim = ", latent_dim, ": expected at least 1");
  METARL_REQUIRE(hidden_dim >= 1, "hidden-dim = ", hidden_dim, ": expected at least 1");
  METARL_REQUIRE(inner_steps >= 0, "inner-steps = ", inner_steps, ": expected at least 0");
  METARL_REQUIRE(finetune_steps >= 0, "finetune-steps = ", finetune_steps, ": expected at least 0");
  METARL_REQUIRE(inner_steps + finetune_steps >= 1, "inner-steps + finetune-steps = 0: LEO needs at least one ",
                 "adaptation step");
  METARL_REQUIRE(std::isfinite(inner_lr) && inner_lr > 0.0, "inner-lr = ", inner_lr, ": expected a positive number");
  METARL_REQUIRE(std::isfinite(finetune_lr) && finetune_lr > 0.0, "finetune-lr = ", finetune_lr,
                 ": expected a positive number");
  for (const auto& [key, value] : {std::pair<const char*, double>{"kl-weight", kl_weight},
                                   {"encoder-penalty", encoder_penalty},
                                   {"orthogonality-penalty", orthogonality_penalty},
                                   {"l2-penalty", l2_penalty},
                                   {"grad-clip-value", grad_clip_value},
                                   {"grad-clip-tensor-norm", grad_clip_tensor_norm},
                                   {"max-grad-norm", max_grad_norm}}) {
    METARL_REQUIRE(std::isfinite(value) && value >= 0.0, key, " = ", value, ": expected a number >= 0");
  }
  METARL_REQUIRE(std::isfinite(adam.lr) && adam.lr > 0.0, "meta-lr = ", adam.lr, ": expected a positive number");
  METARL_REQUIRE(std::isfinite(dropout) && dropout >= 0.0 && dropout < 1.0, "dropout = ", dropout,
                 ": expected a probability in [0, 1)");
}

Leo::Leo(std::shared_ptr<const FunctionalNet> net, bool classification, LeoOptions options, const Params& init)
    : net_(std::move(net)), classification_(classification), options_(std::move(options)), adam_(options_.adam) {
  options_.Validate();
  RequireTransductiveBatchNorm(*net_, "leo",
                               "adapts by gradient steps on batches normalised with their own statistics, as its "
                               "reference code does");
  num_body_ = net_->num_body_params();
  const int64_t f = net_->feature_dim(), o = net_->num_outputs();
  const int64_t bias = options_.biases ? 1 : 0;
  groups_ = classification_ ? o : 1;
  input_dim_ = classification_ ? f : f + o;
  group_params_ = classification_ ? f + bias : f * o + o * bias;
  const auto net_names = net_->ParameterNames();
  const auto net_shapes = net_->ParameterShapes();
  METARL_CHECK(init.size() == net_shapes.size(), "initial parameters: ", init.size(), " tensors for ",
               net_shapes.size());
  const int64_t h = options_.hidden_dim, z = options_.latent_dim;
  // Each weight [in, out] is followed by its bias [out].
  const std::vector<std::vector<int64_t>> leo_shapes = {
      {input_dim_, h}, {h}, {2 * h, 2 * h}, {2 * h}, {2 * h, 2 * h}, {2 * h}, {2 * h, 2 * z}, {2 * z},
      {z, 2 * group_params_}, {2 * group_params_},
      {options_.per_dimension_lr ? z : 1}, {options_.per_dimension_lr ? group_params_ : 1}};
  std::vector<at::Tensor> flat;
  for (int64_t i = 0; i < num_body_; ++i) {
    names_.push_back(net_names[i]);
    shapes_.push_back(net_shapes[i]);
    flat.push_back(init[i].detach().reshape(-1));
  }
  // Weights U(±√(6 / (in + out))) and zero biases (glorot-uniform), or
  // U(±1/√in) for both (torch-linear), drawn in Views() order.
  Rng rng(StreamSeed(options_.seed, {1}));
  const at::TensorOptions topt = init[0].options();
  leo_index_.assign(kNumLeoParams, -1);
  for (int64_t i = 0; i < kNumLeoParams; ++i) {
    const bool is_bias = i < kInnerLr && i % 2 == 1;
    if (is_bias && !options_.biases) continue;
    leo_index_[static_cast<std::size_t>(i)] = static_cast<int64_t>(names_.size());
    names_.push_back(kLeoNames[i]);
    shapes_.push_back(leo_shapes[i]);
    at::Tensor t;
    if (i == kInnerLr) {
      t = at::full(leo_shapes[i], options_.inner_lr, topt);
    } else if (i == kFinetuneLr) {
      t = at::full(leo_shapes[i], options_.finetune_lr, topt);
    } else if (is_bias && options_.glorot_init) {
      t = at::zeros(leo_shapes[i], topt);
    } else {
      const std::vector<int64_t>& weight = leo_shapes[is_bias ? i - 1 : i];
      const double fan_in = static_cast<double>(weight[0]), fan_out = static_cast<double>(weight[1]);
      const double bound = options_.glorot_init ? std::sqrt(6.0 / (fan_in + fan_out)) : 1.0 / std::sqrt(fan_in);
      int64_t n = 1;
      for (int64_t d : leo_shapes[i]) n *= d;
      at::Tensor cpu = at::empty({n}, at::TensorOptions().dtype(at::kDouble));
      double* d = cpu.data_ptr<double>();
      for (int64_t k = 0; k < n; ++k) d[k] = rng.Uniform(-bound, bound);
      t = cpu.to(topt);
    }
    flat.push_back(t.reshape(-1));
  }
  meta_ = at::cat(flat).requires_grad_(true);
}

std::vector<std::string> Leo::ParameterNames() const { return names_; }

Params Leo::Views(const at::Tensor& meta) const { return SplitViews(meta, shapes_); }

at::Tensor Leo::Part(const Params& v, int which) const {
  const int64_t i = leo_index_[static_cast<std::size_t>(which)];
  return i < 0 ? at::Tensor() : v[static_cast<std::size_t>(i)];
}

Leo::Latents Leo::Encode(const Params& v, const envs::fewshot::EpisodeBatch& batch, const at::Tensor& features) const {
  const auto p = [&](int which) { return Part(v, which); };
  const int64_t t = features.size(0), s = features.size(1);
  const at::Tensor input = classification_ ? features : at::cat({features, batch.support_y.to(features.dtype())}, -1);
  const at::Tensor h = Linear(input, p(kEncoderW), p(kEncoderB));  // [T, S, H]
  const int64_t hd = h.size(2);
  const at::Tensor pairs = at::cat({h.unsqueeze(2).expand({t, s, s, hd}), h.unsqueeze(1).expand({t, s, s, hd})}, -1);
  at::Tensor r = at::relu(Linear(pairs, p(kRel1W), p(kRel1B)));
  r = at::relu(Linear(r, p(kRel2W), p(kRel2B)));
  r = Linear(r, p(kRel3W), p(kRel3B)).mean(2);  // [T, S, 2Z]: each example's mean over its partners
  // Group membership [T, S, G]: the one-hot classes, or every example in the task's one group.
  const at::Tensor member = classification_ ? at::one_hot(batch.support_y, groups_).to(r.dtype())
                                            : at::ones({t, s, 1}, r.options());
  const at::Tensor pool = member.transpose(1, 2) / member.sum(1).unsqueeze(2).clamp_min(1.0);  // [T, G, S]
  const at::Tensor grouped = at::matmul(pool, r);                                                // [T, G, 2Z]
  Latents latents;
  std::tie(latents.mean, latents.std) = MeanStd(options_.per_example_codes ? at::matmul(member, grouped) : grouped, 0.0);
  if (options_.per_example_codes) latents.pool = pool;
  return latents;
}

std::pair<at::Tensor, at::Tensor> Leo::Decode(const Params& v, const at::Tensor& z) const {
  // The head's Glorot scale √(2 / (fan_in + fan_out)): F features in, O outputs.
  const double offset = std::sqrt(2.0 / static_cast<double>(net_->feature_dim() + net_->num_outputs()));
  return MeanStd(Linear(z, Part(v, kDecoderW), Part(v, kDecoderB)), offset);
}

at::Tensor Leo::Predict(const at::Tensor& w, const at::Tensor& pool, const at::Tensor& features) const {
  const at::Tensor head = pool.defined() ? at::matmul(pool, w) : w;  // [T, G, P]
  const int64_t t = head.size(0), f = net_->feature_dim(), o = net_->num_outputs();
  if (classification_) {
    // Class g's column (and bias): logits [T, N, G] = f Wᵀ (+ b).
    const at::Tensor weight = head.narrow(2, 0, f);  // [T, G, F]
    if (!options_.biases) return at::bmm(features, weight.transpose(1, 2));
    return at::baddbmm(head.narrow(2, f, 1).transpose(1, 2), features, weight.transpose(1, 2));
  }
  const at::Tensor flat = head.squeeze(1);  // [T, P]
  const at::Tensor weight = flat.narrow(1, 0, f * o).view({t, f, o});
  if (!options_.biases) return at::bmm(features, weight);
  return TaskLinear(features, weight, flat.narrow(1, f * o, o).view({t, 1, o}));
}

at::Tensor Leo::SupportLoss(const at::Tensor& w, const at::Tensor& pool, const at::Tensor& features,
                             const at::Tensor& y) const {
  const at::Tensor mean = TaskLosses(Predict(w, pool, features), y, classification_);
  return options_.sum_inner_loss ? mean * static_cast<double>(features.size(1)) : mean;
}

at::Tensor Leo::MetaObjective(const envs::fewshot::EpisodeBatch& batch, const at::Tensor& meta, bool sample,
                              std::uint64_t noise_seed, MetaStepStats* stats) const {
  const Params v = Views(meta);
  const Params body(v.begin(), v.begin() + num_body_);
  const at::Tensor fs = net_->Features(body, batch.support_x);  // [T, S, F]
  const at::Tensor fq = net_->Features(body, batch.query_x);    // [T, Q, F]
  // Dropout masks (keep 1 − p, scaled), a shard's part of the whole meta-batch's draws.
  Rng drop_rng(StreamSeed(noise_seed, {7}));
  const double p = options_.dropout;
  const auto dropped = [&](const at::Tensor& x) {
    if (p <= 0.0) return x;
    std::vector<int64_t> shape = x.sizes().vec();
    const TaskShard& part = shard();
    if (part.total > 0) shape[0] = part.total;
    at::Tensor mask = at::empty(shape, at::TensorOptions().dtype(at::kDouble));
    double* d = mask.data_ptr<double>();
    for (int64_t i = 0; i < mask.numel(); ++i) d[i] = drop_rng.Uniform() < p ? 0.0 : 1.0 / (1.0 - p);
    if (part.total > 0) mask = mask.narrow(0, part.first, part.count);
    return x * mask.to(x.options());
  };
  const Latents latents = Encode(v, batch, dropped(fs));
  Rng rng(noise_seed);
  // A shard draws the whole meta-batch's noise and keeps its episodes' part.
  const TaskShard& part = shard();
  const auto draw = [&](const at::Tensor& mean, const at::Tensor& sd) {
    if (!sample) return mean;
    if (part.total == 0) return mean + sd * Noise(mean.sizes().vec(), rng, mean.options());
    METARL_CHECK(mean.size(0) == part.count, "leo: ", mean.size(0), " episodes in a shard of ", part.count);
    std::vector<int64_t> shape = mean.sizes().vec();
    shape[0] = part.total;
    return mean + sd * Noise(shape, rng, mean.options()).narrow(0, part.first, part.count);
  };
  const auto decode = [&](const at::Tensor& z) {
    const auto [mean, sd] = Decode(v, z);
    return draw(mean, sd);
  };
  const at::Tensor alpha = Part(v, kInnerLr);
  const at::Tensor eta = Part(v, kFinetuneLr);
  // g ⊙ step size: one per last-dimension entry, or one for all.
  const auto Scale = [&](const at::Tensor& g, const at::Tensor& step) {
    return options_.per_dimension_lr ? MulByLastDim(g, step) : MulByScalar(g, step);
  };

  const at::Tensor z0 = draw(latents.mean, latents.std);
  at::Tensor z = z0;
  at::Tensor w = decode(z);
  const at::Tensor& pool = latents.pool;
  const at::Tensor first_support = SupportLoss(w, pool, dropped(fs), batch.support_y);
  at::Tensor support = first_support;
  for (int s = 0; s < options_.inner_steps; ++s) {
    if (s > 0) support = SupportLoss(w, pool, dropped(fs), batch.support_y);
    const at::Tensor gz = torch::autograd::grad({support.sum()}, {z}, {}, /*retain_graph=*/true,
                                                /*create_graph=*/true)[0];
    z = z - Scale(gz, alpha);  // the step size's gradient summed in a fixed order
    w = decode(z);
  }
  for (int s = 0; s < options_.finetune_steps; ++s) {
    const at::Tensor loss = SupportLoss(w, pool, dropped(fs), batch.support_y);
    const at::Tensor gw = torch::autograd::grad({loss.sum()}, {w}, {}, /*retain_graph=*/true,
                                                /*create_graph=*/true)[0];
    w = w - Scale(gw, eta);
  }
  const at::Tensor pred = Predict(w, pool, dropped(fq));
  const at::Tensor query = TaskLosses(pred, batch.query_y, classification_).mean();

  // Penalties.
  const at::Tensor& m = latents.mean;
  const at::Tensor& sd = latents.std;
  // KL: log q(z0) − log p(z0) per element (the ½ log 2π cancel), or the closed form.
  const at::Tensor kl = options_.analytic_kl
                            ? (0.5 * (sd * sd + m * m - 1.0) - at::log(sd)).sum(-1).mean()
                            : (-0.5 * ((z0 - m) / sd).pow(2) - at::log(sd) + 0.5 * z0.pow(2)).mean();
  const at::Tensor encoder = (z.detach() - z0).pow(2).mean();
  const at::Tensor dw = Part(v, kDecoderW);  // [Z, 2P]
  const at::Tensor rows = dw / dw.norm(2, {1}, /*keepdim=*/true).clamp_min(1e-12);
  const at::Tensor corr = at::matmul(rows, rows.t());
  const at::Tensor orth = OrderedSum((corr - at::eye(corr.size(0), corr.options())).pow(2)) / corr.numel();
  const at::Tensor l2 = WeightPenalty(v);
  const at::Tensor objective = query + options_.kl_weight * kl + options_.encoder_penalty * encoder +
                               options_.orthogonality_penalty * orth + options_.l2_penalty * l2;
  if (stats) {
    // The mean per support example, whichever inner-loss the steps use.
    const double examples = options_.sum_inner_loss ? static_cast<double>(fs.size(1)) : 1.0;
    stats->support_loss = first_support.mean().item<double>() / examples;
    stats->query_loss = query.item<double>();
    if (classification_) stats->query_accuracy = TaskAccuracy(pred.detach(), batch.query_y).mean().item<double>();
  }
  return objective;
}

at::Tensor Leo::WeightPenalty(const Params& v) const {
  at::Tensor l2 = at::zeros({}, v[0].options());
  for (int64_t i : {kEncoderW, kRel1W, kRel2W, kRel3W, kDecoderW}) {
    l2 = l2 + OrderedSum(Part(v, i).pow(2));
  }
  return 0.5 * l2;
}

MetaStepStats Leo::MetaStep(const envs::fewshot::EpisodeBatch& batch, int64_t iteration) {
  MetaStepStats stats;
  const at::Tensor objective = MetaObjective(batch, meta_, options_.sample,
                                             StreamSeed(options_.seed, {2, static_cast<std::uint64_t>(iteration)}),
                                             &stats);
  at::Tensor g = MeanOverShard(torch::autograd::grad({objective}, {meta_})[0]);
  MeanStatsOverShard(&stats);
  if (!std::isfinite(stats.query_loss) || !std::isfinite(OrderedSum(g * g).item<double>())) {
    if (options_.stop_on_non_finite) {
      throw std::runtime_error(Cat("leo: non-finite meta-loss or meta-gradient (query loss ", stats.query_loss,
                                   "); try a smaller inner-lr, finetune-lr or meta-lr"));
    }
    // deepmind/leo: the gradient of 1e-4 · ½‖weights‖² alone (the same on every rank).
    g = torch::autograd::grad({1e-4 * WeightPenalty(Views(meta_))}, {meta_})[0];
  }
  const at::Tensor update = adam_.Step(ClipMetaGradient(g));
  torch::NoGradGuard no_grad;
  meta_.sub_(update);
  return stats;
}

at::Tensor Leo::ClipMetaGradient(at::Tensor g) const {
  if (options_.grad_clip_value > 0.0) g = g.clamp(-options_.grad_clip_value, options_.grad_clip_value);
  if (options_.grad_clip_tensor_norm > 0.0) {
    // tf.clip_by_norm on each parameter tensor's part of the flat gradient.
    std::vector<at::Tensor> parts;
    int64_t offset = 0;
    for (const auto& shape : shapes_) {
      int64_t n = 1;
      for (int64_t d : shape) n *= d;
      at::Tensor part = g.narrow(0, offset, n);
      const double norm = std::sqrt(OrderedSum(part * part).item<double>());
      parts.push_back(norm > options_.grad_clip_tensor_norm ? part * (options_.grad_clip_tensor_norm / norm) : part);
      offset += n;
    }
    g = at::cat(parts);
  }
  if (options_.max_grad_norm > 0.0) {
    const double norm = std::sqrt(OrderedSum(g * g).item<double>());
    if (norm > options_.max_grad_norm) g = g * (options_.max_grad_norm / norm);
  }
  return g;
}

AdaptationCurve Leo::Evaluate(const envs::fewshot::EpisodeBatch& batch, int steps) const {
  const Params v = Views(meta_.detach());
  const Params body(v.begin(), v.begin() + num_body_);
  at::Tensor fs, fq;
  Latents latents;
  {
    torch::NoGradGuard no_grad;
    fs = net_->Features(body, batch.support_x);
    fq = net_->Features(body, batch.query_x);
    latents = Encode(v, batch, fs);
  }
  const at::Tensor alpha = Part(v, kInnerLr);   // [Z] or [1], broadcast
  const at::Tensor eta = Part(v, kFinetuneLr);  // [P] or [1]
  AdaptationCurve curve;
  at::Tensor z = latents.mean;
  at::Tensor w;
  {
    torch::NoGradGuard no_grad;
    w = Decode(v, z).first;
  }
  const auto record = [&] {
    torch::NoGradGuard no_grad;
    const at::Tensor pred = Predict(w, latents.pool, fq);
    curve.query_loss.push_back(TaskLosses(pred, batch.query_y, classification_).to(at::kCPU, at::kDouble));
    if (classification_) curve.query_accuracy.push_back(TaskAccuracy(pred, batch.query_y).to(at::kCPU, at::kDouble));
  };
  record();
  for (int s = 0; s < steps; ++s) {
    if (s < options_.inner_steps) {
      const at::Tensor zg = z.detach().requires_grad_(true);
      const at::Tensor loss = SupportLoss(Decode(v, zg).first, latents.pool, fs, batch.support_y).sum();
      const at::Tensor gz = torch::autograd::grad({loss}, {zg})[0];
      torch::NoGradGuard no_grad;
      z = zg.detach() - alpha * gz;
      w = Decode(v, z).first;
    } else {
      const at::Tensor wg = w.detach().requires_grad_(true);
      const at::Tensor loss = SupportLoss(wg, latents.pool, fs, batch.support_y).sum();
      const at::Tensor gw = torch::autograd::grad({loss}, {wg})[0];
      torch::NoGradGuard no_grad;
      w = wg.detach() - eta * gw;
    }
    record();
  }
  return curve;
}

}  // namespace metarl::algorithms::fewshot
