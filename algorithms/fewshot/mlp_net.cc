#include "algorithms/fewshot/mlp_net.h"

#include <cmath>

#include <ATen/ATen.h>

#include "algorithms/fewshot/task_loss.h"
#include "core/error.h"

namespace metarl::algorithms::fewshot {

void MlpNetOptions::Read(ConfigMap& config) { config.Read("hidden-sizes", &hidden_sizes); }

void MlpNetOptions::Validate() const {
  METARL_REQUIRE(!hidden_sizes.empty(), "net.hidden-sizes: expected at least one hidden layer");
  for (int h : hidden_sizes) {
    METARL_REQUIRE(h >= 1, "net.hidden-sizes: width ", h, ": expected positive widths");
  }
}

MlpNet::MlpNet(int64_t inputs, int64_t outputs, MlpNetOptions options)
    : inputs_(inputs), outputs_(outputs), options_(std::move(options)) {
  options_.Validate();
  METARL_REQUIRE(inputs_ >= 1 && outputs_ >= 1, "MLP: ", inputs_, " inputs, ", outputs_, " outputs: expected >= 1");
}

std::vector<std::string> MlpNet::ParameterNames() const {
  std::vector<std::string> names;
  for (std::size_t l = 0; l < options_.hidden_sizes.size(); ++l) {
    names.push_back("layer" + std::to_string(l) + ".weight");
    names.push_back("layer" + std::to_string(l) + ".bias");
  }
  names.push_back("head.weight");
  names.push_back("head.bias");
  return names;
}

std::vector<std::vector<int64_t>> MlpNet::ParameterShapes() const {
  std::vector<std::vector<int64_t>> shapes;
  int64_t in = inputs_;
  for (int h : options_.hidden_sizes) {
    shapes.push_back({in, h});
    shapes.push_back({1, h});
    in = h;
  }
  shapes.push_back({in, outputs_});
  shapes.push_back({1, outputs_});
  return shapes;
}

Params MlpNet::Init(Rng& rng) const {
  Params params;
  const auto shapes = ParameterShapes();
  for (std::size_t i = 0; i < shapes.size(); i += 2) {
    const int64_t in = shapes[i][0];
    const double bound = 1.0 / std::sqrt(static_cast<double>(in));
    for (const auto& shape : {shapes[i], shapes[i + 1]}) {
      at::Tensor p = at::empty(shape, at::kFloat);
      float* d = p.data_ptr<float>();
      for (int64_t k = 0; k < p.numel(); ++k) d[k] = static_cast<float>(rng.Uniform(-bound, bound));
      params.push_back(p);
    }
  }
  return params;
}

at::Tensor MlpNet::Features(const Params& body, const at::Tensor& x) const {
  METARL_CHECK(static_cast<int64_t>(body.size()) == num_body_params(), "MLP body: ", body.size(), " tensors");
  at::Tensor h = x;
  for (std::size_t i = 0; i < body.size(); i += 2) h = at::relu(TaskLinear(h, body[i], body[i + 1]));
  return h;
}

std::optional<FunctionalNet::LossGradient> MlpNet::AnalyticLossGradient(const Params& params, const at::Tensor& x,
                                                                        const at::Tensor& y,
                                                                        bool classification) const {
  const std::size_t layers = params.size() / 2;
  std::vector<at::Tensor> inputs;  // input of each layer (post-ReLU activations after the first)
  at::Tensor h = x;
  for (std::size_t l = 0; l + 1 < layers; ++l) {
    inputs.push_back(h);
    h = at::relu(TaskLinear(h, params[2 * l], params[2 * l + 1]));
  }
  inputs.push_back(h);
  const at::Tensor out = TaskLinear(h, params[2 * layers - 2], params[2 * layers - 1]);
  LossGradient result;
  result.grads.resize(params.size());
  at::Tensor d;
  if (classification) {
    result.losses = TaskLosses(out, y, true);
    d = TaskLossOutputGradient(out, y, true);
  } else {  // the residual once for both
    const at::Tensor residual = out - y;
    result.losses = residual.square().mean({1, 2});
    d = residual * (2.0 / static_cast<double>(out.size(1) * out.size(2)));
  }
  for (std::size_t l = layers; l-- > 0;) {
    TaskLinearGrads g = TaskLinearBackward(inputs[l], params[2 * l], d, /*input_grad=*/l > 0);
    result.grads[2 * l] = g.weight;
    result.grads[2 * l + 1] = g.bias;
    // ReLU: the layer input is relu(z), positive exactly where z is; one
    // (differentiable in d) operation.
    if (l > 0) d = at::threshold_backward(g.input, inputs[l], 0);
  }
  return result;
}

}  // namespace metarl::algorithms::fewshot
