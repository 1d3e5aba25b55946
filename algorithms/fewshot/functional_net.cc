#include "algorithms/fewshot/functional_net.h"

#include <cmath>

#include <ATen/ATen.h>

#include "algorithms/fewshot/batch_norm.h"

#include "core/error.h"

namespace metarl::algorithms::fewshot {

at::Tensor TaskLinear(const at::Tensor& x, const at::Tensor& w, const at::Tensor& b) {
  if (w.dim() == 3) return at::baddbmm(b, x, w);
  const int64_t t = x.size(0), n = x.size(1);
  if (b.dim() == 2) return at::addmm(b, x.reshape({t * n, x.size(2)}), w).view({t, n, w.size(1)});
  return at::matmul(x, w) + b;
}

TaskLinearGrads TaskLinearBackward(const at::Tensor& x, const at::Tensor& w, const at::Tensor& d, bool input_grad) {
  TaskLinearGrads g;
  g.weight = at::bmm(x.transpose(1, 2), d);
  g.bias = d.sum(1, /*keepdim=*/true);
  if (input_grad) g.input = w.dim() == 3 ? at::bmm(d, w.transpose(1, 2)) : at::matmul(d, w.t());
  return g;
}

at::Tensor FunctionalNet::Head(const Params& head, const at::Tensor& features) const {
  METARL_CHECK(head.size() == 2, "the head is a weight and a bias, got ", head.size(), " tensors");
  return TaskLinear(features, head[0], head[1]);
}

at::Tensor FunctionalNet::Forward(const Params& params, const at::Tensor& x) const {
  return Head(HeadOf(params), Features(Body(params), x));
}

Params FunctionalNet::Body(const Params& params) const {
  METARL_CHECK(static_cast<int64_t>(params.size()) == num_body_params() + 2, "expected ", num_body_params() + 2,
               " parameters, got ", params.size());
  return Params(params.begin(), params.begin() + num_body_params());
}

at::Tensor FunctionalNet::FeaturesEachWithContext(const Params& body, const at::Tensor& context,
                                                  const at::Tensor& x) const {
  const int64_t t = x.size(0), q = x.size(1);
  std::vector<int64_t> one = x.sizes().vec();  // [T, Q, ...] → [T·Q, 1, ...]
  one[0] = t * q;
  one[1] = 1;
  const at::Tensor inputs = at::cat({context.repeat_interleave(q, 0), x.reshape(one)}, 1);  // [T·Q, S + 1, ...]
  Params expanded;
  const auto shapes = ParameterShapes();
  for (std::size_t i = 0; i < body.size(); ++i) {
    const bool per_task = body[i].dim() == static_cast<int64_t>(shapes[i].size()) + 1;
    expanded.push_back(per_task ? body[i].repeat_interleave(q, 0) : body[i]);
  }
  const at::Tensor f = Features(expanded, inputs);  // [T·Q, S + 1, F]
  return f.select(1, f.size(1) - 1).reshape({t, q, f.size(2)});
}

Params FunctionalNet::HeadOf(const Params& params) const {
  METARL_CHECK(static_cast<int64_t>(params.size()) == num_body_params() + 2, "expected ", num_body_params() + 2,
               " parameters, got ", params.size());
  return Params(params.begin() + num_body_params(), params.end());
}

void BatchNormOptions::ReadBatchNorm(ConfigMap& config) {
  config.Read("batch-norm", &batch_norm);
  config.Read("batch-norm-momentum", &batch_norm_momentum);
}

void BatchNormOptions::ValidateBatchNorm() const {
  METARL_REQUIRE(batch_norm == "transductive" || batch_norm == "running", "net.batch-norm = '", batch_norm,
                 "': expected transductive (each batch's own statistics) or running (running averages at evaluation)");
  METARL_REQUIRE(std::isfinite(batch_norm_momentum) && batch_norm_momentum > 0.0 && batch_norm_momentum <= 1.0,
                 "net.batch-norm-momentum = ", batch_norm_momentum, ": expected a number in (0, 1]");
}

at::Tensor PassBatchNorm(const at::Tensor& h, const at::Tensor& gamma, const at::Tensor& beta, int64_t tasks,
                         int64_t layer, const FunctionalNet::NormPass& pass) {
  const int64_t f = h.size(1) / tasks;
  if (pass.running != nullptr) {
    const Params& r = *pass.running;
    const auto k = static_cast<std::size_t>(2 * layer);
    METARL_CHECK(k + 1 < r.size(), "running statistics: layer ", layer, " of ", r.size() / 2);
    return StatisticsBatchNorm(h, gamma, beta, r[k].to(h.dtype()).repeat({tasks}),
                               r[k + 1].to(h.dtype()).repeat({tasks}));
  }
  if (pass.observed != nullptr) {  // [2, T·F] -> [T, 2, F]
    pass.observed->push_back({layer, BatchStatistics(h).view({2, tasks, f}).transpose(0, 1).contiguous()});
  }
  return TrainingBatchNorm(h, gamma, beta);
}

void RequireTransductiveBatchNorm(const FunctionalNet& net, const std::string& learner, const std::string& why) {
  METARL_REQUIRE(net.RunningStatisticsSpec().names.empty(), "net.batch-norm = running: learner ", learner, " ", why,
                 "; running statistics are for protonet, matching, siamese and recurrent (use batch-norm: ",
                 "transductive)");
}

Params SplitViews(const at::Tensor& flat, const std::vector<std::vector<int64_t>>& shapes) {
  std::vector<int64_t> sizes;
  for (const auto& shape : shapes) {
    int64_t n = 1;
    for (int64_t s : shape) n *= s;
    sizes.push_back(n);
  }
  Params views = at::split_with_sizes(flat, sizes);
  for (std::size_t i = 0; i < views.size(); ++i) views[i] = views[i].view(shapes[i]);
  return views;
}

}  // namespace metarl::algorithms::fewshot
