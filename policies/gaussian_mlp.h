#pragma once
// Gaussian MLP policy with a state-independent log-std (the MAML / ProMP
// policy), with a functional forward over an explicit parameter set.
//
// Parameters (ParameterNames() order): for each layer l, weight_l [in, out]
// and bias_l [out] (hidden layers, then the mean head), then log_std [A].
// Weights are stored [in, out] so a per-task stack is [K, in, out] and a
// batched forward is one baddbmm per layer.
//
// Forward(obs, params):
//   unbatched params: obs [N, O]            -> mean [N, A], log_std [A]
//   batched params:   obs [K, N, O]         -> mean [K, N, A], log_std [K, 1, A]
// Thread-safety: Forward is const and may run concurrently; Act() is not
// (it is the runner's, single-threaded).

#include <cstdint>
#include <string>
#include <vector>

#include <torch/nn/module.h>

#include "core/config.h"
#include "core/rng.h"
#include "policies/batch_policy.h"
#include "policies/diag_gaussian.h"
#include "policies/params.h"

namespace metarl::policies {

struct GaussianMlpOptions {
  std::vector<int> hidden_sizes = {100, 100};  // MAML: 2×100 (later frameworks: 2×64)
  std::string nonlinearity = "relu";           // "relu" or "tanh"
  double init_std = 1.0;                       // initial action std (log_std = log(init_std))

  void Read(ConfigMap& config);  // keys: hidden-sizes, nonlinearity, init-std
  void Validate() const;
};

class GaussianMlpPolicy final : public torch::nn::Module, public BatchPolicy {
 public:
  // Initialises weights Xavier-uniform and biases 0 from `rng` (deterministic
  // for a seed, independent of LibTorch's global generator).
  GaussianMlpPolicy(int64_t obs_dim, int64_t act_dim, GaussianMlpOptions options, Rng& rng);

  int64_t obs_dim() const override { return obs_dim_; }
  int64_t act_dim() const override { return act_dim_; }
  const GaussianMlpOptions& options() const { return options_; }

  // The module's own parameters, in ParameterNames() order (they require grad).
  Params parameters_list() const;
  std::vector<std::string> ParameterNames() const;

  // `params` unbatched or batched as described above.
  DiagGaussian Forward(const at::Tensor& obs, const Params& params) const;
  DiagGaussian Forward(const at::Tensor& obs) const { return Forward(obs, parameters_list()); }

  // BatchPolicy: no-grad forward with the module's parameters, on the
  // parameters' device; obs [B, O] CPU.
  std::unique_ptr<RowSampler> Act(const at::Tensor& obs) override;
  c10::Device device() const override { return log_std_.device(); }

  // Stacks K copies of `params` into a batched set ([K, ...] each).
  static Params Stack(const Params& params, int64_t k);

 private:
  int64_t obs_dim_;
  int64_t act_dim_;
  GaussianMlpOptions options_;
  std::vector<at::Tensor> weights_, biases_;
  at::Tensor log_std_;
};

}  // namespace metarl::policies
