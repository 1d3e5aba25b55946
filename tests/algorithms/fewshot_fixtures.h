#pragma once
// Small few-shot problems in double precision shared by the learners' tests.

#include <algorithm>
#include <functional>
#include <memory>
#include <string>
#include <tuple>
#include <utility>
#include <vector>

#include <ATen/ATen.h>

#include "algorithms/fewshot/conv_net.h"
#include "algorithms/fewshot/mlp_net.h"
#include "envs/fewshot/sinusoid.h"

namespace metarl::algorithms::fewshot {
namespace testing_fixtures {

using envs::fewshot::EpisodeBatch;

// A small regression problem in double precision: `tasks` sinusoid
// episodes and a 1-8-8-1 net.
struct Problem {
  std::shared_ptr<FunctionalNet> net;
  Params init;
  EpisodeBatch batch;
  bool classification = false;
};

inline Problem MakeProblem(int64_t tasks, uint64_t seed = 3) {
  Problem p;
  MlpNetOptions o;
  o.hidden_sizes = {8, 8};
  p.net = std::make_shared<MlpNet>(1, 1, o);
  Rng rng(seed);
  for (const auto& t : p.net->Init(rng)) p.init.push_back(t.to(at::kDouble));
  envs::fewshot::SinusoidOptions so;
  so.shots = 5;
  so.query = 6;
  const EpisodeBatch b = envs::fewshot::SinusoidTasks(so).Sample(tasks, envs::fewshot::Split::kTrain, rng);
  p.batch = {b.support_x.to(at::kDouble), b.support_y.to(at::kDouble), b.query_x.to(at::kDouble),
             b.query_y.to(at::kDouble)};
  return p;
}

// A small classification problem in double precision: `tasks` 3-way
// 2-shot episodes of random 8×8 images (a class = a prototype plus noise),
// and a 2-block conv net with 4 filters (batch norm `batch_norm`).
inline Problem MakeConvProblem(int64_t tasks, uint64_t seed = 5, const std::string& batch_norm = "transductive") {
  Problem p;
  p.classification = true;
  ConvNetOptions o;
  o.filters = 4;
  o.blocks = 2;
  o.batch_norm = batch_norm;
  p.net = std::make_shared<ConvNet>(std::vector<int64_t>{1, 8, 8}, 3, o);
  Rng rng(seed);
  for (const auto& t : p.net->Init(rng)) p.init.push_back(t.to(at::kDouble));
  at::manual_seed(static_cast<uint64_t>(seed));
  const at::Tensor prototypes = at::rand({tasks, 3, 1, 1, 8, 8}, at::kDouble);
  auto draw = [&](int64_t per_class) {
    at::Tensor x = (prototypes + 0.3 * at::randn({tasks, 3, per_class, 1, 8, 8}, at::kDouble)).reshape({tasks, 3 * per_class, 1, 8, 8});
    at::Tensor y = at::arange(3, at::kLong).repeat_interleave(per_class).unsqueeze(0).expand({tasks, 3 * per_class}).contiguous();
    return std::make_pair(x, y);
  };
  std::tie(p.batch.support_x, p.batch.support_y) = draw(2);
  std::tie(p.batch.query_x, p.batch.query_y) = draw(2);
  return p;
}

inline double RelativeError(const at::Tensor& a, const at::Tensor& b) {
  return (a - b).norm().item<double>() / std::max(1e-12, b.norm().item<double>());
}

// Central differences of `objective` at every entry of `base` [P].
inline at::Tensor CentralDifferences(const at::Tensor& base, const std::function<double(const at::Tensor&)>& objective,
                                     double h = 1e-6) {
  at::Tensor fd = at::zeros_like(base);
  for (int64_t i = 0; i < base.numel(); ++i) {
    double f[2];
    for (int side = 0; side < 2; ++side) {
      at::Tensor x = base.clone();
      x[i] += side == 0 ? h : -h;
      f[side] = objective(x);
    }
    fd[i] = (f[0] - f[1]) / (2 * h);
  }
  return fd;
}

}  // namespace testing_fixtures
}  // namespace metarl::algorithms::fewshot
