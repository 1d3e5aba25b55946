#pragma once
// ResNet-12 (Oreshkin et al. 2018; the backbone of MetaOptNet, Lee et al.
// 2019, and RFS, Tian et al. 2020) for the few-shot learners: 4 residual
// blocks, each
//   3 × [3×3 conv (padding 1, no bias) → batch norm → LeakyReLU(slope)]
//   (no activation after the third batch norm) + shortcut [1×1 conv → batch
//   norm], summed → LeakyReLU(slope) → 2×2 max-pool,
// with `channels` = {64, 160, 320, 640} (MetaOptNet, RFS; TADAM's 64, 128,
// 256, 512 by config). Features: the last block's maps flattened
// (`feature-pool: flatten`, MetaOptNet: 640×5×5 at 84×84) or averaged over
// the positions (`average`, RFS: 640). Then a linear head, as the conv net.
//
// Batch norm (`batch-norm`, `batch-norm-momentum`) as the conv net's
// (conv_net.h): transductive (default) or running, the mode of MetaOptNet's
// and RFS's code (model.eval() at test), with 16 running pairs named
// block{b}.bn{1,2,3}.running_{mean,var} and block{b}.shortcut_bn.running_{…}.
// DropBlock (MetaOptNet, RFS) is not built. Parameters per block b:
// block{b}.conv{1,2,3}.weight [F, C, 3, 3], block{b}.bn{1,2,3}.{weight,bias}
// [F], block{b}.shortcut.weight [F, C, 1, 1], block{b}.shortcut_bn.{weight,
// bias} [F]; head.weight [D, O], head.bias [1, O]. Initialisation: conv
// weights normal with std √2/√(F·k·k) (MetaOptNet's kaiming_normal_,
// fan-out, a = 0), γ = 1, β = 0, the head like nn.Linear. Compared with
// kjunelee/MetaOptNet models/ResNet12_embedding.py. Per-task parameters
// run as one grouped convolution over the tasks, as in conv_net.h.
//
// Thread-safety: const methods, may run concurrently.

#include <string>
#include <vector>

#include "algorithms/fewshot/functional_net.h"
#include "core/config.h"

namespace metarl::algorithms::fewshot {

struct ResNet12Options : BatchNormOptions {
  std::vector<int> channels = {64, 160, 320, 640};  // output channels of the 4 blocks
  double leaky_slope = 0.1;                         // LeakyReLU's negative slope
  std::string feature_pool = "flatten";             // flatten (MetaOptNet) | average (RFS)

  // keys (under `net`): channels, leaky-slope, feature-pool, batch-norm, batch-norm-momentum
  void Read(ConfigMap& config);
  void Validate() const;         // std::invalid_argument naming net.<key>
};

class ResNet12 final : public FunctionalNet {
 public:
  // `input_shape` = {C, H, W}; H and W at least 16 (four 2×2 poolings).
  ResNet12(std::vector<int64_t> input_shape, int64_t outputs, ResNet12Options options);

  std::vector<std::string> ParameterNames() const override;
  std::vector<std::vector<int64_t>> ParameterShapes() const override;
  int64_t num_body_params() const override { return 4 * kTensorsPerBlock; }
  int64_t feature_dim() const override { return feature_dim_; }
  std::vector<int64_t> FeatureShape() const override { return feature_shape_; }
  int64_t num_outputs() const override { return outputs_; }
  Params Init(Rng& rng) const override;
  at::Tensor Features(const Params& body, const at::Tensor& x) const override;
  RunningStatistics RunningStatisticsSpec() const override;
  at::Tensor FeaturesWithNorm(const Params& body, const at::Tensor& x, const NormPass& pass) const override;

  static constexpr int kTensorsPerBlock = 12;  // 3 × (conv, γ, β) + shortcut (conv, γ, β), in that order

 private:
  std::vector<int64_t> input_shape_;
  int64_t outputs_;
  ResNet12Options options_;
  int64_t feature_dim_ = 0;
  std::vector<int64_t> feature_shape_;
};

}  // namespace metarl::algorithms::fewshot
