#pragma once
// Small fixed problems shared by the meta-RL algorithm tests: a tiny Gaussian
// MLP, fixed random task batches in double precision, finite differences.

#include <algorithm>
#include <cstdint>
#include <functional>
#include <vector>

#include <ATen/ATen.h>

#include "algorithms/common/flat_params.h"
#include "algorithms/maml/maml.h"
#include "algorithms/maml/task_batch.h"
#include "core/rng.h"
#include "policies/gaussian_mlp.h"

namespace metarl::algorithms::testing {

using policies::GaussianMlpOptions;
using policies::GaussianMlpPolicy;
using policies::Params;

inline constexpr int64_t kTasks = 2, kSteps = 6, kObs = 2, kAct = 2;

inline GaussianMlpOptions TinyOptions() {
  GaussianMlpOptions o;
  o.hidden_sizes = {3};
  o.nonlinearity = "tanh";
  o.init_std = 0.8;
  return o;
}

// A fixed random batch in double precision; the last step of task 1 is padding.
inline TaskBatch FixedBatch(std::uint64_t seed) {
  at::manual_seed(static_cast<int64_t>(seed));
  TaskBatch b;
  b.observations = at::randn({kTasks, kSteps, kObs}, at::kDouble);
  b.actions = at::randn({kTasks, kSteps, kAct}, at::kDouble);
  b.advantages = at::randn({kTasks, kSteps}, at::kDouble);
  b.masks = at::ones({kTasks, kSteps}, at::kDouble);
  b.masks[1][kSteps - 1] = 0.0;
  b.advantages[1][kSteps - 1] = 0.0;
  return b;
}

inline Params DoubleLeaves(const Params& p) {
  Params out;
  for (const auto& t : p) out.push_back(t.detach().to(at::kDouble).clone().requires_grad_(true));
  return out;
}

struct Problem {
  Rng rng{7};
  GaussianMlpPolicy policy{kObs, kAct, TinyOptions(), rng};
  Params theta = DoubleLeaves(policy.parameters_list());
  std::vector<TaskBatch> train;
  TaskBatch valid = FixedBatch(100);
  double fast_lr = 0.3;

  explicit Problem(int inner_steps) {
    for (int s = 0; s < inner_steps; ++s) train.push_back(FixedBatch(10 + s));
  }
  OldPolicy Old() const { return MakeOldPolicy(policy, Adapt(policy, theta, train, fast_lr, AdaptGraph::kNone), valid); }
};

// Central differences of f over every entry of `theta`.
inline at::Tensor FiniteDifferenceGradient(const std::function<double(const Params&)>& f, const Params& theta,
                                    double eps) {
  const at::Tensor flat = Flatten(theta).detach();
  at::Tensor out = at::zeros_like(flat);
  for (int64_t i = 0; i < flat.numel(); ++i) {
    at::Tensor plus = flat.clone(), minus = flat.clone();
    plus[i] += eps;
    minus[i] -= eps;
    out[i] = (f(Unflatten(plus, theta)) - f(Unflatten(minus, theta))) / (2 * eps);
  }
  return out;
}

inline double RelativeError(const at::Tensor& a, const at::Tensor& b) {
  return (a - b).norm().item<double>() / std::max(1e-12, b.norm().item<double>());
}

// A float-precision problem on the module's own parameters, for the TRPO step.
struct StepProblem {
  Rng rng{11};
  GaussianMlpPolicy policy{kObs, kAct, TinyOptions(), rng};
  std::vector<TaskBatch> train;
  TaskBatch valid;
  StepProblem() {
    train.push_back(FixedBatch(20).To(c10::kCPU, at::kFloat));
    // Valid actions sampled from the adapted policy, as the runner would.
    const TaskBatch base = FixedBatch(21).To(c10::kCPU, at::kFloat);
    const Params adapted = Adapt(policy, policy.parameters_list(), train, 0.1, AdaptGraph::kNone);
    const policies::DiagGaussian d = policy.Forward(base.observations, adapted);
    valid = base;
    valid.actions = (d.mean() + at::exp(d.log_std()) * at::randn(d.mean().sizes())).detach();
  }
};

}  // namespace metarl::algorithms::testing
