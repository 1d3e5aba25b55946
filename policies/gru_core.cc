#include "policies/gru_core.h"

#include <cmath>

#include <ATen/ATen.h>

#include "core/error.h"
#include "policies/recurrent_cells.h"

namespace metarl::policies {

namespace {
enum Index { kWih, kWhh, kBih, kBhh, kHeadW, kHeadB, kValueW, kValueB, kCount };
const char* const kNames[kCount] = {"w_ih", "w_hh", "b_ih", "b_hh", "head_weight", "head_bias", "value_weight",
                                    "value_bias"};

at::Tensor XavierUniform(int64_t in, int64_t out, Rng& rng) {
  const double bound = std::sqrt(6.0 / static_cast<double>(in + out));
  at::Tensor w = at::empty({in, out}, at::kFloat);
  float* data = w.data_ptr<float>();
  for (int64_t i = 0; i < in * out; ++i) data[i] = static_cast<float>(rng.Uniform(-bound, bound));
  return w;
}
}  // namespace

GruCore::GruCore(GruCoreOptions options, Rng& rng) : options_(options) {
  const int64_t i = options_.input_dim, h = options_.hidden_size, p = options_.outputs;
  METARL_REQUIRE(i >= 1 && h >= 1 && p >= 1, "GRU sizes input=", i, " hidden=", h, " outputs=", p,
                 ": expected positive sizes");
  const at::Tensor initial[kCount] = {XavierUniform(i, 3 * h, rng), XavierUniform(h, 3 * h, rng),
                                      at::zeros({3 * h}),           at::zeros({3 * h}),
                                      XavierUniform(h, p, rng),     at::zeros({p}),
                                      XavierUniform(h, 1, rng),     at::zeros({1})};
  for (int k = 0; k < kCount; ++k) params_.push_back(register_parameter(kNames[k], initial[k]));
}

Params GruCore::parameters_list() const { return params_; }

std::vector<std::string> GruCore::ParameterNames() const { return {kNames, kNames + kCount}; }

at::Tensor GruCore::Step(const at::Tensor& x, const at::Tensor& h, const Params& params) const {
  METARL_CHECK(params.size() == kCount, "GruCore: ", params.size(), " parameters; expected ", kCount);
  return GruCell(x, h, params[kWih], params[kWhh], params[kBih], params[kBhh]);
}

at::Tensor GruCore::Unroll(const at::Tensor& x, const at::Tensor& h0, const at::Tensor& resets,
                           const Params& params) const {
  METARL_CHECK(x.dim() == 3 && resets.dim() == 2 && resets.size(0) == x.size(0) && resets.size(1) == x.size(1),
               "GruCore::Unroll: x must be [T, B, I] and resets [T, B]");
  at::Tensor h = h0;
  std::vector<at::Tensor> hidden;
  hidden.reserve(static_cast<std::size_t>(x.size(0)));
  for (int64_t t = 0; t < x.size(0); ++t) {
    h = h * (1.0 - resets[t]).unsqueeze(-1);
    h = Step(x[t], h, params);
    hidden.push_back(h);
  }
  return at::stack(hidden);
}

GruHeads GruCore::Heads(const at::Tensor& hidden, const Params& params) const {
  METARL_CHECK(params.size() == kCount, "GruCore: ", params.size(), " parameters; expected ", kCount);
  return {at::matmul(hidden, params[kHeadW]) + params[kHeadB],
          (at::matmul(hidden, params[kValueW]) + params[kValueB]).squeeze(-1)};
}

}  // namespace metarl::policies
