#include "algorithms/fewshot/conv_net.h"

#include <cmath>

#include <ATen/ATen.h>

#include "core/error.h"

namespace metarl::algorithms::fewshot {

void ConvNetOptions::Read(ConfigMap& config) {
  config.Read("filters", &filters);
  config.Read("blocks", &blocks);
  config.Read("pooling-blocks", &pooling_blocks);
  ReadBatchNorm(config);
}

void ConvNetOptions::Validate() const {
  METARL_REQUIRE(filters >= 1, "net.filters = ", filters, ": expected a positive channel count");
  METARL_REQUIRE(blocks >= 1, "net.blocks = ", blocks, ": expected at least one conv block");
  METARL_REQUIRE(pooling_blocks == -1 || (pooling_blocks >= 0 && pooling_blocks <= blocks),
                 "net.pooling-blocks = ", pooling_blocks, ": expected -1 (all) or 0..", blocks);
  ValidateBatchNorm();
}

ConvNet::ConvNet(std::vector<int64_t> input_shape, int64_t outputs, ConvNetOptions options)
    : input_shape_(std::move(input_shape)), outputs_(outputs), options_(options) {
  options_.Validate();
  METARL_REQUIRE(input_shape_.size() == 3, "conv net: input shape of ", input_shape_.size(),
                 " dimensions: expected {channels, height, width}");
  pooling_blocks_ = options_.pooling_blocks < 0 ? options_.blocks : options_.pooling_blocks;
  int64_t h = input_shape_[1], w = input_shape_[2];
  for (int b = 0; b < pooling_blocks_; ++b) {
    h /= 2;
    w /= 2;
  }
  METARL_REQUIRE(h >= 1 && w >= 1, "net.blocks = ", options_.blocks, ": ", input_shape_[1], "×", input_shape_[2],
                 " images vanish after that many 2×2 poolings");
  feature_dim_ = options_.filters * h * w;
  feature_shape_ = {options_.filters, h, w};
}

std::vector<std::string> ConvNet::ParameterNames() const {
  std::vector<std::string> names;
  for (int b = 0; b < options_.blocks; ++b) {
    const std::string i = std::to_string(b);
    names.insert(names.end(), {"conv" + i + ".weight", "bn" + i + ".weight", "bn" + i + ".bias"});
  }
  names.insert(names.end(), {"head.weight", "head.bias"});
  return names;
}

std::vector<std::vector<int64_t>> ConvNet::ParameterShapes() const {
  std::vector<std::vector<int64_t>> shapes;
  int64_t in = input_shape_[0];
  const int64_t f = options_.filters;
  for (int b = 0; b < options_.blocks; ++b) {
    shapes.push_back({f, in, 3, 3});
    shapes.push_back({f});
    shapes.push_back({f});
    in = f;
  }
  shapes.push_back({feature_dim_, outputs_});
  shapes.push_back({1, outputs_});
  return shapes;
}

Params ConvNet::Init(Rng& rng) const {
  auto uniform = [&rng](const std::vector<int64_t>& shape, double bound) {
    at::Tensor p = at::empty(shape, at::kFloat);
    float* d = p.data_ptr<float>();
    for (int64_t k = 0; k < p.numel(); ++k) d[k] = static_cast<float>(rng.Uniform(-bound, bound));
    return p;
  };
  Params params;
  const auto shapes = ParameterShapes();
  for (int b = 0; b < options_.blocks; ++b) {
    const auto& w = shapes[3 * b];
    const double fan_in = static_cast<double>(w[1] * 9), fan_out = static_cast<double>(w[0] * 9);
    params.push_back(uniform(w, std::sqrt(6.0 / (fan_in + fan_out))));
    params.push_back(at::ones(shapes[3 * b + 1], at::kFloat));
    params.push_back(at::zeros(shapes[3 * b + 2], at::kFloat));
  }
  const double bound = 1.0 / std::sqrt(static_cast<double>(feature_dim_));
  params.push_back(uniform(shapes[3 * options_.blocks], bound));
  params.push_back(uniform(shapes[3 * options_.blocks + 1], bound));
  return params;
}

ConvNet::RunningStatistics ConvNet::RunningStatisticsSpec() const {
  RunningStatistics spec;
  if (options_.batch_norm != "running") return spec;
  spec.momentum = options_.batch_norm_momentum;
  for (int b = 0; b < options_.blocks; ++b) {
    const std::string i = std::to_string(b);
    spec.names.insert(spec.names.end(), {"bn" + i + ".running_mean", "bn" + i + ".running_var"});
    spec.init.push_back(at::zeros({options_.filters}, at::kFloat));
    spec.init.push_back(at::ones({options_.filters}, at::kFloat));
  }
  return spec;
}

at::Tensor ConvNet::Features(const Params& body, const at::Tensor& x) const {
  return FeaturesWithNorm(body, x, {});
}

at::Tensor ConvNet::FeaturesWithNorm(const Params& body, const at::Tensor& x, const NormPass& pass) const {
  METARL_CHECK(static_cast<int64_t>(body.size()) == num_body_params(), "conv body: ", body.size(),
               " tensors");
  const int64_t t = x.size(0), n = x.size(1);
  const int64_t f = options_.filters;
  // [T, N, C, H, W] -> [N, T·C, H, W]: task t's channels are group t.
  at::Tensor h = x.transpose(0, 1).reshape({n, t * x.size(2), x.size(3), x.size(4)});
  for (int b = 0; b < options_.blocks; ++b) {
    const at::Tensor& w = body[3 * b];
    const at::Tensor& gamma = body[3 * b + 1];
    const at::Tensor& beta = body[3 * b + 2];
    // Per-task weights [T, F, C, 3, 3] -> [T·F, C, 3, 3]; shared ones repeat.
    const at::Tensor weight = w.dim() == 5 ? w.reshape({t * f, w.size(2), 3, 3}) : w.repeat({t, 1, 1, 1});
    h = at::conv2d(h, weight, {}, /*stride=*/1, /*padding=*/1, /*dilation=*/1, /*groups=*/t);
    const at::Tensor g = gamma.dim() == 2 ? gamma.reshape({t * f}) : gamma.repeat({t});
    const at::Tensor s = beta.dim() == 2 ? beta.reshape({t * f}) : beta.repeat({t});
    h = PassBatchNorm(h, g, s, t, b, pass);
    h = at::relu(h);
    if (b < pooling_blocks_) h = at::max_pool2d(h, {2, 2});
  }
  // [N, T·F, h, w] -> [T, N, F·h·w]
  return h.reshape({n, t, feature_dim_}).transpose(0, 1);
}

}  // namespace metarl::algorithms::fewshot
