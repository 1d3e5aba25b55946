#pragma once
// The standard few-shot conv net (Vinyals et al. 2016; Finn et al. 2017):
// `blocks` × [3×3 conv with `filters` channels (padding 1, no bias: batch
// norm removes it) → batch norm → ReLU → 2×2 max-pool], then a linear head
// on the flattened features. 28×28 inputs end at 1×1×filters features.
// With `pooling-blocks` < blocks only the first that many blocks pool (the
// Relation Network's embedding: 4 blocks, 2 pooling, 64×7×7 feature maps).
//
// Batch norm (`batch-norm`), per task and channel; its scale γ and shift β
// are parameters and adapt with the rest:
//  - transductive (default): every batch is normalised with its own
//    statistics, at meta-training and at evaluation (MAML's reference code and
//    its successors); there are no running statistics.
//  - running: PyTorch's BatchNorm2d in train mode at meta-training (batch
//    statistics, folded into running averages with `batch-norm-momentum`) and
//    in eval mode at evaluation (the running averages, so one query never
//    affects another): jakesnell/prototypical-networks. The net only
//    declares the buffers (RunningStatisticsSpec); a learner keeps them.
//
// Parameters: block l: conv{l}.weight [F, C_in, 3, 3], bn{l}.weight [F],
// bn{l}.bias [F]; head.weight [D, O], head.bias [1, O] (D = F·h·w).
// Initialisation: conv weights Xavier-uniform, γ = 1, β = 0, the head like
// nn.Linear. Input x [T, N, C, H, W].
//
// All tasks run in one grouped convolution (groups = T) over the examples
// laid out as [N, T·C, H, W], which also makes batch norm's per-channel
// statistics per task; this needs the same N for every task (episodes have).

#include <string>
#include <vector>

#include "algorithms/fewshot/functional_net.h"
#include "core/config.h"

namespace metarl::algorithms::fewshot {

struct ConvNetOptions : BatchNormOptions {
  int filters = 64;  // channels of every conv block
  int blocks = 4;    // conv blocks
  int pooling_blocks = -1;  // the first this many blocks max-pool; −1 = all

  // keys: filters, blocks, pooling-blocks, batch-norm, batch-norm-momentum
  void Read(ConfigMap& config);
  void Validate() const;
};

class ConvNet final : public FunctionalNet {
 public:
  // `input_shape` = {C, H, W}.
  ConvNet(std::vector<int64_t> input_shape, int64_t outputs, ConvNetOptions options);

  std::vector<std::string> ParameterNames() const override;
  std::vector<std::vector<int64_t>> ParameterShapes() const override;
  int64_t num_body_params() const override { return 3 * options_.blocks; }
  int64_t feature_dim() const override { return feature_dim_; }
  std::vector<int64_t> FeatureShape() const override { return feature_shape_; }
  int64_t num_outputs() const override { return outputs_; }
  Params Init(Rng& rng) const override;
  at::Tensor Features(const Params& body, const at::Tensor& x) const override;
  RunningStatistics RunningStatisticsSpec() const override;
  at::Tensor FeaturesWithNorm(const Params& body, const at::Tensor& x, const NormPass& pass) const override;

 private:
  std::vector<int64_t> input_shape_;
  int64_t outputs_;
  ConvNetOptions options_;
  int pooling_blocks_ = 0;
  int64_t feature_dim_ = 0;
  std::vector<int64_t> feature_shape_;  // {filters, h, w}
};

}  // namespace metarl::algorithms::fewshot
