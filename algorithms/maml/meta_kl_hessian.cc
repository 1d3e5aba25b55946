#include "algorithms/maml/meta_kl_hessian.h"

#include <ATen/ATen.h>
#include <torch/autograd.h>

#include "algorithms/common/flat_params.h"
#include "core/error.h"

namespace metarl::algorithms {

using policies::Params;

MetaKlHessian::MetaKlHessian(const policies::GaussianMlpPolicy& policy, const Params& theta, const AdaptTrace& trace,
                             const std::vector<TaskBatch>& train, const TaskBatch& valid, AdaptGraph graph)
    : theta_(theta),
      fast_lr_(trace.fast_lr),
      mean_(policy, trace.adapted, valid.observations),
      num_tasks_(valid.num_tasks()) {
  METARL_REQUIRE(graph != AdaptGraph::kNone, "MetaKlHessian needs a first- or second-order adaptation");
  METARL_REQUIRE(trace.estimator == InnerEstimator::kReinforce,
                 "MetaKlHessian's inner Hessians are those of the REINFORCE inner loss");
  METARL_REQUIRE(train.size() == trace.starts.size(), "MetaKlHessian: ", train.size(), " inner batches for ",
                 trace.starts.size(), " inner steps");
  torch::NoGradGuard no_grad;
  if (graph == AdaptGraph::kSecondOrder) {
    for (std::size_t s = 0; s < train.size(); ++s) {
      inner_.emplace_back(policy, trace.starts[s], train[s].observations, train[s].actions,
                          ReinforceWeights(train[s]));
    }
  }
  sample_weights_ = (valid.masks / (valid.masks.sum(1, /*keepdim=*/true) * static_cast<double>(num_tasks_)))
                        .unsqueeze(-1);
  inv_var_ = at::exp(-2.0 * trace.adapted.back().detach()).unsqueeze(1);
}

Params MetaKlHessian::StepJacobianProduct(std::size_t step, Params v) const {
  torch::NoGradGuard no_grad;
  const Params hess = inner_[step].Product(v);
  for (std::size_t i = 0; i < v.size(); ++i) v[i] = v[i] - fast_lr_ * hess[i];
  return v;
}

at::Tensor MetaKlHessian::Product(const at::Tensor& v) const {
  Params tangent = policies::GaussianMlpPolicy::Stack(Unflatten(v.detach(), theta_), num_tasks_);
  for (std::size_t s = 0; s < inner_.size(); ++s) tangent = StepJacobianProduct(s, std::move(tangent));
  Params cotangent;
  {
    torch::NoGradGuard no_grad;
    const at::Tensor mean_tangent = mean_.Jvp(tangent);
    cotangent = mean_.Vjp(mean_tangent.mul_(sample_weights_).mul_(inv_var_));
    cotangent.back() = tangent.back() * (2.0 / static_cast<double>(num_tasks_));
  }
  for (std::size_t s = inner_.size(); s-- > 0;) cotangent = StepJacobianProduct(s, std::move(cotangent));
  torch::NoGradGuard no_grad;
  Params summed;
  for (const auto& c : cotangent) summed.push_back(c.sum(0));
  return Flatten(summed);
}

}  // namespace metarl::algorithms
