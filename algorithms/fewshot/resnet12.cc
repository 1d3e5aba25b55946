#include "algorithms/fewshot/resnet12.h"

#include <cmath>

#include <ATen/ATen.h>

#include "core/error.h"

namespace metarl::algorithms::fewshot {

void ResNet12Options::Read(ConfigMap& config) {
  config.Read("channels", &channels);
  config.Read("leaky-slope", &leaky_slope);
  config.Read("feature-pool", &feature_pool);
  ReadBatchNorm(config);
}

void ResNet12Options::Validate() const {
  METARL_REQUIRE(channels.size() == 4, "net.channels: ", channels.size(), " values; expected 4 (one per block)");
  for (int c : channels) METARL_REQUIRE(c >= 1, "net.channels: ", c, ": expected positive channel counts");
  METARL_REQUIRE(std::isfinite(leaky_slope) && leaky_slope >= 0.0 && leaky_slope < 1.0, "net.leaky-slope = ",
                 leaky_slope, ": expected a number in [0, 1)");
  METARL_REQUIRE(feature_pool == "flatten" || feature_pool == "average", "net.feature-pool = '", feature_pool,
                 "': expected flatten or average");
  ValidateBatchNorm();
}

ResNet12::ResNet12(std::vector<int64_t> input_shape, int64_t outputs, ResNet12Options options)
    : input_shape_(std::move(input_shape)), outputs_(outputs), options_(std::move(options)) {
  options_.Validate();
  METARL_REQUIRE(input_shape_.size() == 3, "resnet12: input shape of ", input_shape_.size(),
                 " dimensions: expected {channels, height, width}");
  METARL_REQUIRE(input_shape_[1] >= 16 && input_shape_[2] >= 16, "resnet12: ", input_shape_[1], "×",
                 input_shape_[2], " images vanish after its four 2×2 poolings: expected at least 16×16");
  const int64_t h = input_shape_[1] / 16, w = input_shape_[2] / 16, f = options_.channels.back();
  feature_shape_ = options_.feature_pool == "average" ? std::vector<int64_t>{f} : std::vector<int64_t>{f, h, w};
  feature_dim_ = options_.feature_pool == "average" ? f : f * h * w;
}

std::vector<std::string> ResNet12::ParameterNames() const {
  std::vector<std::string> names;
  for (int b = 0; b < 4; ++b) {
    const std::string p = "block" + std::to_string(b) + ".";
    for (int i = 1; i <= 3; ++i) {
      const std::string k = std::to_string(i);
      names.insert(names.end(), {p + "conv" + k + ".weight", p + "bn" + k + ".weight", p + "bn" + k + ".bias"});
    }
    names.insert(names.end(), {p + "shortcut.weight", p + "shortcut_bn.weight", p + "shortcut_bn.bias"});
  }
  names.insert(names.end(), {"head.weight", "head.bias"});
  return names;
}

std::vector<std::vector<int64_t>> ResNet12::ParameterShapes() const {
  std::vector<std::vector<int64_t>> shapes;
  int64_t in = input_shape_[0];
  for (int b = 0; b < 4; ++b) {
    const int64_t f = options_.channels[static_cast<std::size_t>(b)];
    for (int i = 0; i < 3; ++i) {
      shapes.push_back({f, i == 0 ? in : f, 3, 3});
      shapes.push_back({f});
      shapes.push_back({f});
    }
    shapes.push_back({f, in, 1, 1});
    shapes.push_back({f});
    shapes.push_back({f});
    in = f;
  }
  shapes.push_back({feature_dim_, outputs_});
  shapes.push_back({1, outputs_});
  return shapes;
}

Params ResNet12::Init(Rng& rng) const {
  Params params;
  const auto shapes = ParameterShapes();
  // kaiming_normal_(mode='fan_out', nonlinearity='leaky_relu') with PyTorch's
  // default a = 0, as MetaOptNet calls it: gain √2 (the 0.1 slope unused).
  const double gain = std::sqrt(2.0);
  for (std::size_t i = 0; i + 2 < shapes.size(); ++i) {
    const auto& s = shapes[i];
    if (s.size() == 4) {
      // Kaiming normal, fan-out mode: std = gain / √(F · k · k).
      const double std = gain / std::sqrt(static_cast<double>(s[0] * s[2] * s[3]));
      at::Tensor w = at::empty(s, at::kFloat);
      float* d = w.data_ptr<float>();
      for (int64_t k = 0; k < w.numel(); ++k) d[k] = static_cast<float>(std * rng.Normal());
      params.push_back(w);
    } else {
      // γ (the first of each pair) = 1, β = 0.
      const bool gamma = shapes[i - 1].size() == 4;
      params.push_back(gamma ? at::ones(s, at::kFloat) : at::zeros(s, at::kFloat));
    }
  }
  const double bound = 1.0 / std::sqrt(static_cast<double>(feature_dim_));
  for (std::size_t i = shapes.size() - 2; i < shapes.size(); ++i) {
    at::Tensor p = at::empty(shapes[i], at::kFloat);
    float* d = p.data_ptr<float>();
    for (int64_t k = 0; k < p.numel(); ++k) d[k] = static_cast<float>(rng.Uniform(-bound, bound));
    params.push_back(p);
  }
  return params;
}

namespace {

// One conv (padding k/2, no bias) + batch norm `layer` over all tasks: h
// [N, T·C, H, W]; w [F, C, k, k] shared or [T, F, C, k, k] per task; γ, β
// [F] or [T, F].
at::Tensor ConvNorm(const at::Tensor& h, const at::Tensor& w, const at::Tensor& gamma, const at::Tensor& beta,
                    int64_t t, int64_t layer, const FunctionalNet::NormPass& pass) {
  const int64_t f = gamma.size(-1), k = w.size(-1);
  const at::Tensor weight = w.dim() == 5 ? w.reshape({t * f, w.size(2), k, k}) : w.repeat({t, 1, 1, 1});
  const at::Tensor out = at::conv2d(h, weight, {}, /*stride=*/1, /*padding=*/k / 2, /*dilation=*/1, /*groups=*/t);
  const at::Tensor g = gamma.dim() == 2 ? gamma.reshape({t * f}) : gamma.repeat({t});
  const at::Tensor s = beta.dim() == 2 ? beta.reshape({t * f}) : beta.repeat({t});
  return PassBatchNorm(out, g, s, t, layer, pass);
}

}  // namespace

ResNet12::RunningStatistics ResNet12::RunningStatisticsSpec() const {
  RunningStatistics spec;
  if (options_.batch_norm != "running") return spec;
  spec.momentum = options_.batch_norm_momentum;
  for (int b = 0; b < 4; ++b) {
    const std::string p = "block" + std::to_string(b) + ".";
    const int64_t f = options_.channels[static_cast<std::size_t>(b)];
    for (const std::string bn : {"bn1", "bn2", "bn3", "shortcut_bn"}) {
      spec.names.insert(spec.names.end(), {p + bn + ".running_mean", p + bn + ".running_var"});
      spec.init.push_back(at::zeros({f}, at::kFloat));
      spec.init.push_back(at::ones({f}, at::kFloat));
    }
  }
  return spec;
}

at::Tensor ResNet12::Features(const Params& body, const at::Tensor& x) const { return FeaturesWithNorm(body, x, {}); }

at::Tensor ResNet12::FeaturesWithNorm(const Params& body, const at::Tensor& x, const NormPass& pass) const {
  METARL_CHECK(static_cast<int64_t>(body.size()) == num_body_params(), "resnet12 body: ", body.size(), " tensors");
  const int64_t t = x.size(0), n = x.size(1);
  const double slope = options_.leaky_slope;
  at::Tensor h = x.transpose(0, 1).reshape({n, t * x.size(2), x.size(3), x.size(4)});
  for (int b = 0; b < 4; ++b) {
    const auto p = [&](int i) -> const at::Tensor& { return body[static_cast<std::size_t>(kTensorsPerBlock * b + i)]; };
    const int64_t layer = 4 * b;  // bn1, bn2, bn3, shortcut_bn
    at::Tensor y = at::leaky_relu(ConvNorm(h, p(0), p(1), p(2), t, layer, pass), slope);
    y = at::leaky_relu(ConvNorm(y, p(3), p(4), p(5), t, layer + 1, pass), slope);
    y = ConvNorm(y, p(6), p(7), p(8), t, layer + 2, pass);
    const at::Tensor shortcut = ConvNorm(h, p(9), p(10), p(11), t, layer + 3, pass);
    h = at::max_pool2d(at::leaky_relu(y + shortcut, slope), {2, 2});
  }
  // [N, T·F, h, w] -> [T, N, F·h·w] or, averaged over positions, [T, N, F]
  const int64_t f = options_.channels.back();
  if (options_.feature_pool == "average") return h.mean({2, 3}).reshape({n, t, f}).transpose(0, 1);
  return h.reshape({n, t, feature_dim_}).transpose(0, 1);
}

}  // namespace metarl::algorithms::fewshot
