#include "policies/gaussian_mlp.h"

#include <cmath>

#include <ATen/ATen.h>
#include <torch/autograd.h>

#include "core/error.h"

namespace metarl::policies {

GaussianRowSampler::GaussianRowSampler(const at::Tensor& mean, const at::Tensor& log_std)
    : act_dim_(mean.size(-1)) {
  METARL_CHECK(mean.dim() == 2, "mean must be [B, A], got ", mean.dim(), " dims");
  mean_ = mean.detach().to(at::kCPU, at::kFloat).contiguous();
  std_ = at::exp(log_std.detach()).to(at::kCPU, at::kFloat).expand_as(mean_).contiguous();
}

void GaussianRowSampler::Sample(int64_t row, Rng& rng, float* out) const {
  const float* mean = mean_.data_ptr<float>() + row * act_dim_;
  const float* std = std_.data_ptr<float>() + row * act_dim_;
  for (int64_t a = 0; a < act_dim_; ++a) {
    out[a] = mean[a] + std[a] * static_cast<float>(rng.Normal());
  }
}

void GaussianMlpOptions::Read(ConfigMap& config) {
  config.Read("hidden-sizes", &hidden_sizes);
  config.Read("nonlinearity", &nonlinearity);
  config.Read("init-std", &init_std);
}

void GaussianMlpOptions::Validate() const {
  for (int h : hidden_sizes) {
    METARL_REQUIRE(h >= 1, "policy.hidden-sizes contains ", h, ": expected positive layer widths");
  }
  METARL_REQUIRE(nonlinearity == "relu" || nonlinearity == "tanh", "policy.nonlinearity = '",
                 nonlinearity, "': expected 'relu' or 'tanh'");
  METARL_REQUIRE(init_std > 0.0, "policy.init-std = ", init_std, ": expected a positive number");
}

GaussianMlpPolicy::GaussianMlpPolicy(int64_t obs_dim, int64_t act_dim, GaussianMlpOptions options,
                                     Rng& rng)
    : obs_dim_(obs_dim), act_dim_(act_dim), options_(std::move(options)) {
  options_.Validate();
  METARL_REQUIRE(obs_dim >= 1 && act_dim >= 1, "policy dims obs=", obs_dim, " act=", act_dim,
                 ": expected positive sizes");
  std::vector<int64_t> sizes = {obs_dim};
  for (int h : options_.hidden_sizes) sizes.push_back(h);
  sizes.push_back(act_dim);
  for (std::size_t l = 0; l + 1 < sizes.size(); ++l) {
    const int64_t in = sizes[l], out = sizes[l + 1];
    const double bound = std::sqrt(6.0 / static_cast<double>(in + out));
    at::Tensor w = at::empty({in, out}, at::kFloat);
    float* data = w.data_ptr<float>();
    for (int64_t i = 0; i < in * out; ++i) data[i] = static_cast<float>(rng.Uniform(-bound, bound));
    weights_.push_back(register_parameter("weight_" + std::to_string(l), w));
    biases_.push_back(register_parameter("bias_" + std::to_string(l), at::zeros({out}, at::kFloat)));
  }
  log_std_ = register_parameter("log_std",
                                at::full({act_dim}, std::log(options_.init_std), at::kFloat));
}

Params GaussianMlpPolicy::parameters_list() const {
  Params params;
  for (std::size_t l = 0; l < weights_.size(); ++l) {
    params.push_back(weights_[l]);
    params.push_back(biases_[l]);
  }
  params.push_back(log_std_);
  return params;
}

std::vector<std::string> GaussianMlpPolicy::ParameterNames() const {
  std::vector<std::string> names;
  for (std::size_t l = 0; l < weights_.size(); ++l) {
    names.push_back("weight_" + std::to_string(l));
    names.push_back("bias_" + std::to_string(l));
  }
  names.push_back("log_std");
  return names;
}

DiagGaussian GaussianMlpPolicy::Forward(const at::Tensor& obs, const Params& params) const {
  const std::size_t layers = weights_.size();
  METARL_REQUIRE(params.size() == 2 * layers + 1, "parameter set has ", params.size(),
                 " tensors; expected ", 2 * layers + 1);
  const bool batched = params[0].dim() == 3;
  METARL_REQUIRE(obs.size(-1) == obs_dim_, "observation has ", obs.size(-1),
                 " features; expected obs_dim = ", obs_dim_);
  METARL_REQUIRE(obs.dim() == (batched ? 3 : 2), "observations are ", obs.dim(),
                 "-d; expected ", batched ? "[K, N, obs_dim] for batched parameters" : "[N, obs_dim]");
  const bool relu = options_.nonlinearity == "relu";
  at::Tensor h = obs;
  for (std::size_t l = 0; l < layers; ++l) {
    const at::Tensor& w = params[2 * l];
    const at::Tensor& b = params[2 * l + 1];
    h = batched ? at::baddbmm(b.unsqueeze(1), h, w) : at::addmm(b, h, w);
    if (l + 1 < layers) h = relu ? at::relu(h) : at::tanh(h);
  }
  at::Tensor log_std = params.back();
  if (batched) log_std = log_std.unsqueeze(1);
  return DiagGaussian(h, log_std);
}

std::unique_ptr<RowSampler> GaussianMlpPolicy::Act(const at::Tensor& obs) {
  torch::NoGradGuard no_grad;
  const at::Tensor on_device = obs.to(log_std_.device(), /*non_blocking=*/true);
  DiagGaussian dist = Forward(on_device);
  return std::make_unique<GaussianRowSampler>(dist.mean(), dist.log_std());
}

Params GaussianMlpPolicy::Stack(const Params& params, int64_t k) {
  Params out;
  for (const auto& p : params) {
    std::vector<int64_t> shape = {k};
    for (auto s : p.sizes()) shape.push_back(s);
    out.push_back(p.unsqueeze(0).expand(shape).contiguous());
  }
  return out;
}

}  // namespace metarl::policies
