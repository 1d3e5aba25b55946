#pragma once
// The few-shot regression MLP (Finn et al. 2017: 1-40-40-1, ReLU).
//
// Parameters: weight_l [in, out], bias_l [1, out] per hidden layer (the
// body), then head weight [H, O], head bias [1, O]. Initialised like PyTorch's
// nn.Linear: weights and biases ~ U(−1/√in, 1/√in).
// Input x [T, N, D] (D = input_shape[0]).

#include <vector>

#include "algorithms/fewshot/functional_net.h"
#include "core/config.h"

namespace metarl::algorithms::fewshot {

struct MlpNetOptions {
  std::vector<int> hidden_sizes = {40, 40};  // hidden layer widths (ReLU)

  void Read(ConfigMap& config);  // key: hidden-sizes
  void Validate() const;
};

class MlpNet final : public FunctionalNet {
 public:
  MlpNet(int64_t inputs, int64_t outputs, MlpNetOptions options);

  std::vector<std::string> ParameterNames() const override;
  std::vector<std::vector<int64_t>> ParameterShapes() const override;
  int64_t num_body_params() const override { return 2 * static_cast<int64_t>(options_.hidden_sizes.size()); }
  int64_t feature_dim() const override { return options_.hidden_sizes.back(); }
  int64_t num_outputs() const override { return outputs_; }
  Params Init(Rng& rng) const override;
  at::Tensor Features(const Params& body, const at::Tensor& x) const override;
  // Explicit backpropagation through the ReLU layers.
  std::optional<LossGradient> AnalyticLossGradient(const Params& params, const at::Tensor& x, const at::Tensor& y,
                                                   bool classification) const override;

 private:
  int64_t inputs_, outputs_;
  MlpNetOptions options_;
};

}  // namespace metarl::algorithms::fewshot
