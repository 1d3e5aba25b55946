#include "algorithms/fewshot/protonet.h"

#include <cmath>

#include <ATen/ATen.h>
#include <torch/autograd.h>

#include "algorithms/fewshot/task_loss.h"
#include "core/error.h"

namespace metarl::algorithms::fewshot {

void ProtoNetOptions::Read(ConfigMap& config) {
  config.Read("distance", &distance);
  config.Read("cosine-scale", &cosine_scale);
  config.Read("meta-lr", &adam.lr);
}

void ProtoNetOptions::Validate() const {
  METARL_REQUIRE(distance == "euclidean" || distance == "cosine", "distance = '", distance,
                 "': expected euclidean or cosine");
  METARL_REQUIRE(std::isfinite(cosine_scale) && cosine_scale > 0.0, "cosine-scale = ", cosine_scale,
                 ": expected a positive number");
  METARL_REQUIRE(std::isfinite(adam.lr) && adam.lr > 0.0, "meta-lr = ", adam.lr, ": expected a positive number");
}

ProtoNet::ProtoNet(std::shared_ptr<const FunctionalNet> net, bool classification, ProtoNetOptions options,
                   const Params& init)
    : net_(std::move(net)), options_(std::move(options)), adam_(options_.adam) {
  options_.Validate();
  METARL_REQUIRE(classification, "learner protonet: classifies by distances to class prototypes; the task is a ",
                 "regression task (use maml, meta-sgd, anil, reptile or leo)");
  const auto shapes = net_->ParameterShapes();
  std::vector<at::Tensor> flat;
  for (int64_t i = 0; i < net_->num_body_params(); ++i) {
    shapes_.push_back(shapes[static_cast<std::size_t>(i)]);
    flat.push_back(init[static_cast<std::size_t>(i)].detach().reshape(-1));
  }
  flat_ = at::cat(flat).requires_grad_(true);
}

std::vector<std::string> ProtoNet::ParameterNames() const {
  auto names = net_->ParameterNames();
  names.resize(shapes_.size());
  return names;
}

Params ProtoNet::Views(const at::Tensor& flat) const { return SplitViews(flat, shapes_); }

at::Tensor ProtoNet::Logits(const envs::fewshot::EpisodeBatch& batch, const at::Tensor& flat) const {
  const Params body = Views(flat);
  const at::Tensor fs = net_->Features(body, batch.support_x);  // [T, S, F]
  const at::Tensor fq = net_->Features(body, batch.query_x);    // [T, Q, F]
  // Prototypes: class means through the one-hot membership [T, S, N].
  const at::Tensor member = at::one_hot(batch.support_y, net_->num_outputs()).to(fs.dtype());
  const at::Tensor protos = at::matmul(member.transpose(1, 2), fs) / member.sum(1).unsqueeze(2).clamp_min(1.0);
  if (options_.distance == "cosine") {
    const at::Tensor q = fq / fq.norm(2, {2}, true).clamp_min(1e-8);
    const at::Tensor c = protos / protos.norm(2, {2}, true).clamp_min(1e-8);
    return options_.cosine_scale * at::matmul(q, c.transpose(1, 2));
  }
  // −‖q − c‖² = 2 q·c − ‖q‖² − ‖c‖², one batched matmul.
  return 2.0 * at::matmul(fq, protos.transpose(1, 2)) - fq.pow(2).sum(2, true) - protos.pow(2).sum(2).unsqueeze(1);
}

MetaStepStats ProtoNet::MetaStep(const envs::fewshot::EpisodeBatch& batch, int64_t iteration) {
  MetaStepStats stats;
  const at::Tensor logits = Logits(batch, flat_);
  const at::Tensor loss = TaskLosses(logits, batch.query_y, true).mean();
  stats.query_loss = loss.item<double>();
  stats.support_loss = stats.query_loss;  // no adaptation: the same classifier
  stats.query_accuracy = TaskAccuracy(logits.detach(), batch.query_y).mean().item<double>();
  const at::Tensor g = torch::autograd::grad({loss}, {flat_})[0];
  if (!std::isfinite(stats.query_loss) || !std::isfinite(g.sum().item<double>())) {
    throw std::runtime_error(Cat("protonet: non-finite loss or gradient at iteration ", iteration, " (loss ",
                                 stats.query_loss, "); try a smaller meta-lr"));
  }
  const at::Tensor update = adam_.Step(g);
  torch::NoGradGuard no_grad;
  flat_.sub_(update);
  return stats;
}

AdaptationCurve ProtoNet::Evaluate(const envs::fewshot::EpisodeBatch& batch, int steps) const {
  METARL_REQUIRE(steps == 0, "protonet takes no gradient steps at adaptation: evaluate with --steps 0 ",
                 "(eval-steps: 0), not ", steps);
  torch::NoGradGuard no_grad;
  const at::Tensor logits = Logits(batch, flat_.detach());
  AdaptationCurve curve;
  curve.query_loss.push_back(TaskLosses(logits, batch.query_y, true).to(at::kCPU, at::kDouble));
  curve.query_accuracy.push_back(TaskAccuracy(logits, batch.query_y).to(at::kCPU, at::kDouble));
  return curve;
}

}  // namespace metarl::algorithms::fewshot
