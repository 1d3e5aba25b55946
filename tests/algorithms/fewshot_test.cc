// Gradient-based few-shot learners: second-order meta-gradients against
// central finite differences, FOMAML against an independently computed
// first-order gradient, batched adaptation against a per-task loop, ANIL's
// frozen body, Meta-SGD's step sizes, and Reptile's update.

#include <algorithm>
#include <cmath>
#include <memory>

#include <ATen/ATen.h>
#include <ATen/CPUGeneratorImpl.h>
#include <gtest/gtest.h>
#include <torch/autograd.h>

#include "algorithms/fewshot/adaptation.h"
#include "algorithms/fewshot/conv_net.h"
#include "algorithms/fewshot/gradient_learner.h"
#include "algorithms/fewshot/mlp_net.h"
#include "algorithms/fewshot/reptile.h"
#include "algorithms/fewshot/task_loss.h"
#include "core/rng.h"
#include "envs/fewshot/sinusoid.h"
#include "tests/algorithms/fewshot_fixtures.h"

namespace metarl::algorithms::fewshot {
namespace {
using namespace testing_fixtures;  // NOLINT: Problem, MakeProblem, MakeConvProblem, RelativeError

using envs::fewshot::EpisodeBatch;

GradientLearner MakeLearner(const Problem& p, const std::string& name, int steps, bool first_order) {
  GradientLearnerOptions o;
  o.inner_steps = steps;
  o.inner_lr = {0.05, 0.03};
  o.first_order = first_order;
  o.learn_inner_lr = name == "meta-sgd";
  o.head_only = name == "anil";
  return GradientLearner(name, p.net, p.classification, o, p.init);
}

// Central differences of the meta-objective w.r.t. every meta-parameter.
at::Tensor FiniteDifferences(const GradientLearner& learner, const EpisodeBatch& batch) {
  return CentralDifferences(learner.flat().detach().clone(), [&](const at::Tensor& x) {
    return learner.MetaObjective(batch, x.clone().requires_grad_(true)).item<double>();
  });
}

class SecondOrder : public ::testing::TestWithParam<std::string> {};

TEST_P(SecondOrder, MetaGradientMatchesFiniteDifferences) {
  for (const Problem& p : {MakeProblem(3), MakeConvProblem(2)}) {
    for (int steps : {1, 2}) {
      const GradientLearner learner = MakeLearner(p, GetParam(), steps, /*first_order=*/false);
      const at::Tensor g = learner.MetaGradient(p.batch);
      const at::Tensor fd = FiniteDifferences(learner, p.batch);
      EXPECT_LT(RelativeError(g, fd), 1e-4) << GetParam() << ", " << steps << " inner steps, "
                                            << (p.classification ? "conv net" : "MLP");
      EXPECT_GT(fd.abs().max().item<double>(), 1e-3);
    }
  }
}

INSTANTIATE_TEST_SUITE_P(Learners, SecondOrder, ::testing::Values("maml", "meta-sgd", "anil"));

TEST(SecondOrder, DiffersFromFirstOrder) {
  const Problem p = MakeProblem(3);
  const at::Tensor second = MakeLearner(p, "maml", 2, false).MetaGradient(p.batch);
  const at::Tensor first = MakeLearner(p, "maml", 2, true).MetaGradient(p.batch);
  EXPECT_GT(RelativeError(first, second), 1e-3);  // the Hessian terms matter here
}

// Per-task reference, written without the batched code: unbatched
// parameters, one task at a time, plain autograd.
struct Reference {
  std::vector<Params> adapted;  // per task
  at::Tensor meta_gradient;     // w.r.t. θ
};

Reference PerTaskLoop(const Problem& p, int steps, const std::vector<double>& lrs, bool first_order) {
  Params theta;
  for (const auto& t : p.init) theta.push_back(t.detach().clone().requires_grad_(true));
  Reference ref;
  at::Tensor objective = at::zeros({}, at::kDouble);
  const int64_t tasks = p.batch.num_tasks();
  for (int64_t t = 0; t < tasks; ++t) {
    const at::Tensor xs = p.batch.support_x.narrow(0, t, 1), ys = p.batch.support_y.narrow(0, t, 1);
    const at::Tensor xq = p.batch.query_x.narrow(0, t, 1), yq = p.batch.query_y.narrow(0, t, 1);
    Params phi = theta;
    for (int s = 0; s < steps; ++s) {
      const at::Tensor loss = TaskLosses(p.net->Forward(phi, xs), ys, p.classification).sum();
      const auto grads = torch::autograd::grad({loss}, phi, {}, true, !first_order);
      const double lr = lrs[std::min<std::size_t>(s, lrs.size() - 1)];
      for (std::size_t i = 0; i < phi.size(); ++i) {
        phi[i] = phi[i] - lr * (first_order ? grads[i].detach() : grads[i]);
      }
    }
    ref.adapted.push_back(phi);
    objective = objective + TaskLosses(p.net->Forward(phi, xq), yq, p.classification).sum();
  }
  objective = objective / static_cast<double>(tasks);
  std::vector<at::Tensor> g = torch::autograd::grad({objective}, theta);
  for (auto& x : g) x = x.reshape(-1);
  ref.meta_gradient = at::cat(g);
  return ref;
}

TEST(BatchedAdaptation, EqualsAPerTaskLoop) {
  for (const Problem& p : {MakeProblem(4), MakeConvProblem(4)}) {
  for (bool first_order : {false, true}) {
    const Reference ref = PerTaskLoop(p, 2, {0.05, 0.03}, first_order);
    const GradientLearner learner = MakeLearner(p, "maml", 2, first_order);
    EXPECT_LT(RelativeError(learner.MetaGradient(p.batch), ref.meta_gradient), 1e-10)
        << (first_order ? "first order" : "second order") << (p.classification ? ", conv net" : ", MLP");

    BatchedAdaptation adaptation(*p.net, learner.parameters_list(), p.batch, p.classification, false);
    adaptation.Step(0.05, nullptr, !first_order);
    adaptation.Step(0.03, nullptr, !first_order);
    for (int64_t t = 0; t < 4; ++t) {
      for (std::size_t i = 0; i < p.init.size(); ++i) {
        EXPECT_TRUE(at::allclose(adaptation.adapted()[i][t], ref.adapted[t][i], 1e-12, 1e-12)) << "task " << t;
      }
    }
  }
  }
}

// The MLP's explicit backpropagation (used by the inner loop) equals
// autograd's gradient, for both losses, and stays differentiable.
TEST(AnalyticGradient, MlpEqualsAutograd) {
  const Problem p = MakeProblem(4);
  MlpNetOptions o;
  o.hidden_sizes = {8, 8};
  for (bool classification : {false, true}) {
    const MlpNet net(1, classification ? 3 : 1, o);
    Rng rng(9);
    Params stacked;
    for (const auto& t : net.Init(rng)) {
      stacked.push_back((t.to(at::kDouble).unsqueeze(0).repeat_interleave(4, 0) +
                         0.1 * at::randn({4}, at::kDouble).view({4, 1}).expand({4, t.numel()}).reshape(
                                   [&] { std::vector<int64_t> s{4}; for (auto d : t.sizes()) s.push_back(d); return s; }()))
                            .requires_grad_(true));
    }
    const at::Tensor y = classification ? (p.batch.support_y.squeeze(2) > 0).to(at::kLong) * 2 : p.batch.support_y;
    const auto analytic = net.AnalyticLossGradient(stacked, p.batch.support_x, y, classification);
    ASSERT_TRUE(analytic.has_value());
    const at::Tensor losses = TaskLosses(net.Forward(stacked, p.batch.support_x), y, classification);
    EXPECT_TRUE(at::allclose(analytic->losses, losses, 1e-14, 1e-14));
    const auto reference = torch::autograd::grad({losses.sum()}, stacked);
    for (std::size_t i = 0; i < stacked.size(); ++i) {
      EXPECT_TRUE(at::allclose(analytic->grads[i], reference[i], 1e-12, 1e-12))
          << (classification ? "classification" : "regression") << " parameter " << i;
      EXPECT_TRUE(analytic->grads[i].requires_grad());
    }
  }
  // Shared parameters (the first inner step) give every task's own gradient.
  const auto shared = p.net->AnalyticLossGradient(p.init, p.batch.support_x, p.batch.support_y, false);
  ASSERT_TRUE(shared.has_value());
  Params stacked;
  for (const auto& t : p.init) stacked.push_back(t.unsqueeze(0).repeat_interleave(4, 0).requires_grad_(true));
  const at::Tensor losses = TaskLosses(p.net->Forward(stacked, p.batch.support_x), p.batch.support_y, false);
  const auto reference = torch::autograd::grad({losses.sum()}, stacked);
  for (std::size_t i = 0; i < stacked.size(); ++i) {
    EXPECT_TRUE(at::allclose(shared->grads[i], reference[i], 1e-12, 1e-12)) << "shared parameter " << i;
  }
}

// FOMAML's gradient is the mean query gradient at the adapted parameters,
// the inner steps' Jacobian taken as the identity.
TEST(FirstOrder, IsTheQueryGradientAtTheAdaptedParameters) {
  const Problem p = MakeProblem(3);
  const Reference ref = PerTaskLoop(p, 2, {0.05, 0.03}, /*first_order=*/true);
  std::vector<at::Tensor> sum;
  for (int64_t t = 0; t < 3; ++t) {
    Params phi;
    for (const auto& x : ref.adapted[t]) phi.push_back(x.detach().clone().requires_grad_(true));
    const at::Tensor loss =
        (p.net->Forward(phi, p.batch.query_x.narrow(0, t, 1)) - p.batch.query_y.narrow(0, t, 1)).square().mean();
    const auto g = torch::autograd::grad({loss}, phi);
    for (std::size_t i = 0; i < g.size(); ++i) {
      if (sum.size() <= i) sum.push_back(g[i].reshape(-1) / 3.0);
      else sum[i] = sum[i] + g[i].reshape(-1) / 3.0;
    }
  }
  const GradientLearner learner = MakeLearner(p, "maml", 2, true);
  EXPECT_LT(RelativeError(learner.MetaGradient(p.batch), at::cat(sum)), 1e-12);
}

TEST(Anil, InnerLoopLeavesTheBodyUntouched) {
  const Problem p = MakeProblem(3);
  const GradientLearner learner = MakeLearner(p, "anil", 1, false);
  const Params theta = learner.parameters_list();
  BatchedAdaptation adaptation(*p.net, theta, p.batch, false, /*head_only=*/true);
  adaptation.Step(0.1, nullptr, false);
  adaptation.Step(0.1, nullptr, false);
  const Params full = adaptation.Full();
  ASSERT_EQ(full.size(), theta.size());
  const int64_t body = p.net->num_body_params();
  for (int64_t i = 0; i < body; ++i) EXPECT_TRUE(at::equal(full[i], theta[i])) << "body parameter " << i;
  for (std::size_t i = body; i < full.size(); ++i) {
    ASSERT_EQ(full[i].dim(), theta[i].dim() + 1);  // per task
    EXPECT_FALSE(at::allclose(full[i][0], theta[i])) << "head parameter " << i << " did not adapt";
  }
  // Only the head's step sizes exist for Meta-SGD on ANIL: none here.
  EXPECT_EQ(learner.ParameterNames().size(), theta.size());
}

TEST(MetaSgd, StepSizesAreMetaParametersAndReceiveGradients) {
  const Problem p = MakeProblem(3);
  GradientLearner learner = MakeLearner(p, "meta-sgd", 1, false);
  const auto names = learner.ParameterNames();
  ASSERT_EQ(names.size(), 2 * p.init.size());
  EXPECT_EQ(names.back(), "inner-lr/head.bias");
  const int64_t theta_numel = learner.flat().numel() / 2;
  const at::Tensor g = learner.MetaGradient(p.batch);
  EXPECT_GT(g.narrow(0, theta_numel, theta_numel).abs().sum().item<double>(), 1e-4);
  const at::Tensor alpha_before = learner.flat().narrow(0, theta_numel, theta_numel).detach().clone();
  EXPECT_TRUE(at::allclose(alpha_before, at::full_like(alpha_before, 0.05)));
  learner.MetaStep(p.batch, 0);
  EXPECT_FALSE(at::equal(learner.flat().narrow(0, theta_numel, theta_numel), alpha_before));
}

// One batched Reptile step moves θ by ε toward the mean of the SGD-adapted
// parameters; the serial variant does so task after task.
TEST(Reptile, UpdateIsTowardTheAdaptedParameters) {
  const Problem p = MakeProblem(3);
  for (bool serial : {false, true}) {
    ReptileOptions o;
    o.inner_steps = 3;
    o.inner_lr = 0.02;
    o.outer_lr = 0.5;
    o.anneal_outer_lr = false;
    o.serial = serial;
    Reptile reptile(p.net, false, o, p.init);
    reptile.MetaStep(p.batch, 0);

    // Independent expectation: plain per-task SGD from the current θ.
    std::vector<at::Tensor> theta;
    for (const auto& t : p.init) theta.push_back(t.clone());
    std::vector<at::Tensor> mean(theta.size());
    for (int64_t t = 0; t < 3; ++t) {
      const at::Tensor xs = p.batch.support_x.narrow(0, t, 1), ys = p.batch.support_y.narrow(0, t, 1);
      Params phi;
      for (const auto& x : theta) phi.push_back(x.clone().requires_grad_(true));
      for (int s = 0; s < 3; ++s) {
        const at::Tensor loss = (p.net->Forward(phi, xs) - ys).square().mean();
        const auto g = torch::autograd::grad({loss}, phi);
        for (std::size_t i = 0; i < phi.size(); ++i) phi[i] = (phi[i] - 0.02 * g[i]).detach().requires_grad_(true);
      }
      for (std::size_t i = 0; i < phi.size(); ++i) {
        if (serial) {
          theta[i] = theta[i] + 0.5 * (phi[i].detach() - theta[i]);
        } else {
          mean[i] = t == 0 ? phi[i].detach() / 3.0 : mean[i] + phi[i].detach() / 3.0;
        }
      }
    }
    if (!serial) {
      for (std::size_t i = 0; i < theta.size(); ++i) theta[i] = theta[i] + 0.5 * (mean[i] - theta[i]);
    }
    const Params got = reptile.parameters_list();
    for (std::size_t i = 0; i < theta.size(); ++i) {
      EXPECT_TRUE(at::allclose(got[i], theta[i], 1e-12, 1e-12)) << (serial ? "serial" : "batched") << " param " << i;
    }
  }
}

// supervised-reptile's minibatches: each task walks through fresh shuffles
// of its examples, a minibatch may span two epochs, and every row is its own
// shuffle. On a class-grouped 5-way 5-shot support set (labels 0 0 0 0 0 1
// ...), minibatches of 10 then hold the classes as a uniform draw of 10 of
// the 25 does: the expected number of distinct classes is
// 5·(1 − C(20, 10)/C(25, 10)) = 4.7174 (in the grouped order it was 2).
TEST(Reptile, MinibatchesReshuffleEveryEpochAndCoverTheClassesInProportion) {
  Rng rng(3);
  const int64_t n = 25, b = 10;
  const int steps = 400;  // 4000 indices per task: 160 epochs
  const at::Tensor idx = MinibatchIndices(5, n, b, steps, rng);
  ASSERT_EQ(idx.sizes().vec(), (std::vector<int64_t>{5, steps * b}));
  const auto* d = idx.data_ptr<int64_t>();
  double distinct_sum = 0.0;
  std::vector<double> class_count(5, 0.0);
  for (int64_t t = 0; t < 5; ++t) {
    const int64_t* row = d + t * steps * b;
    for (int64_t e = 0; e + n <= steps * b; e += n) {  // every epoch is a permutation of 0..24
      std::vector<int64_t> epoch(row + e, row + e + n);
      std::sort(epoch.begin(), epoch.end());
      for (int64_t i = 0; i < n; ++i) ASSERT_EQ(epoch[static_cast<std::size_t>(i)], i) << "task " << t << " epoch " << e / n;
    }
    for (int s = 0; s < steps; ++s) {
      bool seen[5] = {};
      for (int64_t j = 0; j < b; ++j) {
        const int64_t label = row[s * b + j] / 5;  // class-grouped: example i has class i / 5
        seen[label] = true;
        class_count[static_cast<std::size_t>(label)] += 1.0;
      }
      distinct_sum += std::count(seen, seen + 5, true);
    }
  }
  EXPECT_FALSE(at::equal(idx[0], idx[1]));  // each task its own shuffles
  const double expected = 5.0 * (1.0 - 184756.0 / 3268760.0);  // C(20,10) / C(25,10)
  // 2000 minibatches; the count's std is about 0.47, so the mean's about 0.011.
  EXPECT_NEAR(distinct_sum / (5.0 * steps), expected, 0.05);
  for (double c : class_count) EXPECT_NEAR(c / (5.0 * steps * b), 0.2, 0.01);
  // inner-batch 0 or beyond the set: whole-set minibatches.
  Rng again(3);
  EXPECT_EQ(MinibatchIndices(2, 7, 0, 3, again).size(1), 21);
  EXPECT_EQ(MinibatchIndices(2, 7, 50, 3, again).size(1), 21);
}

namespace {

// The paper's inner Adam as TensorFlow's AdamOptimizer defines it (β1 = 0,
// β2 = 0.999, ε = 1e-8): lr_t = lr·√(1 − β2^t)/(1 − β1^t); m = g; v ← β2·v
// + (1 − β2)·g²; φ ← φ − lr_t·m/(√v + ε). `steps` full-batch steps on task
// `task`'s support set from θ, continuing (v, t).
std::vector<at::Tensor> HandAdam(const Problem& p, const std::vector<at::Tensor>& theta, int64_t task, int steps,
                                 double lr, std::vector<at::Tensor>& v, int64_t& t) {
  const at::Tensor xs = p.batch.support_x.narrow(0, task, 1), ys = p.batch.support_y.narrow(0, task, 1);
  Params phi;
  for (const auto& w : theta) phi.push_back(w.clone().requires_grad_(true));
  if (v.empty()) {
    for (const auto& w : theta) v.push_back(at::zeros_like(w));
  }
  for (int s = 0; s < steps; ++s) {
    const at::Tensor loss = (p.net->Forward(phi, xs) - ys).square().mean();
    const auto g = torch::autograd::grad({loss}, phi);
    t += 1;
    const double lr_t = lr * std::sqrt(1.0 - std::pow(0.999, static_cast<double>(t))) / (1.0 - std::pow(0.0, t));
    for (std::size_t i = 0; i < phi.size(); ++i) {
      const at::Tensor m = g[i];
      v[i] = 0.999 * v[i] + (1.0 - 0.999) * g[i] * g[i];
      phi[i] = (phi[i] - lr_t * m / (v[i].sqrt() + 1e-8)).detach().requires_grad_(true);
    }
  }
  std::vector<at::Tensor> out;
  for (const auto& w : phi) out.push_back(w.detach());
  return out;
}

// One batched Reptile step by hand over tasks 0..T−1 in order, from θ, the
// Adam state continuing across tasks (carried) or restarting per task.
std::vector<at::Tensor> HandReptileStep(const Problem& p, const std::vector<at::Tensor>& theta, bool carried,
                                        std::vector<at::Tensor>& v, int64_t& t) {
  const int64_t tasks = p.batch.num_tasks();
  std::vector<at::Tensor> mean(theta.size());
  for (int64_t task = 0; task < tasks; ++task) {
    std::vector<at::Tensor> fresh_v;
    int64_t fresh_t = 0;
    const auto phi = carried ? HandAdam(p, theta, task, 3, 0.01, v, t) : HandAdam(p, theta, task, 3, 0.01, fresh_v, fresh_t);
    for (std::size_t i = 0; i < phi.size(); ++i) mean[i] = task == 0 ? phi[i] / tasks : mean[i] + phi[i] / tasks;
  }
  std::vector<at::Tensor> next;
  for (std::size_t i = 0; i < theta.size(); ++i) next.push_back(theta[i] + 0.5 * (mean[i] - theta[i]));
  return next;
}

}  // namespace

// supervised-reptile keeps Adam's moments (and its step count) across tasks
// and iterations: only the trainable variables are reset between tasks.
// Two tasks, two iterations, against Adam steps written out above; the
// fresh-state option restarts them per task, and gives other parameters.
TEST(Reptile, CarriedInnerAdamStateMatchesHandComputedStepsAcrossTasksAndIterations) {
  const Problem p = MakeProblem(2);
  for (bool carried : {true, false}) {
    SCOPED_TRACE(carried ? "carried" : "fresh");
    ReptileOptions o;
    o.inner_steps = 3;
    o.inner_lr = 0.01;
    o.outer_lr = 0.5;
    o.anneal_outer_lr = false;
    o.inner_batch = 0;  // the whole support set each step: the order cannot matter
    o.inner_adam = true;
    o.carry_adam_state = carried;
    Reptile reptile(p.net, false, o, p.init);
    reptile.MetaStep(p.batch, 0);
    Params after_one;  // parameters_list() are views: copy them
    for (const auto& w : reptile.parameters_list()) after_one.push_back(w.clone());
    const Params saved_state = reptile.OptimizerState();
    EXPECT_EQ(saved_state.size(), carried ? p.init.size() + 1 : 0u);
    reptile.MetaStep(p.batch, 1);

    std::vector<at::Tensor> theta(p.init.begin(), p.init.end()), v;
    int64_t t = 0;
    const auto one = HandReptileStep(p, theta, carried, v, t);
    const auto two = HandReptileStep(p, one, carried, v, t);
    if (carried) EXPECT_EQ(t, 12);  // 2 iterations × 2 tasks × 3 steps
    const Params got = reptile.parameters_list();
    for (std::size_t i = 0; i < got.size(); ++i) {
      EXPECT_TRUE(at::allclose(after_one[i], one[i], 1e-10, 1e-12)) << "iteration 1, param " << i;
      EXPECT_TRUE(at::allclose(got[i], two[i], 1e-10, 1e-12)) << "iteration 2, param " << i;
    }
    // A run restored from the first iteration's parameters and state takes the same second step.
    Reptile resumed(p.net, false, o, after_one);
    resumed.RestoreOptimizer(saved_state);
    resumed.MetaStep(p.batch, 1);
    for (std::size_t i = 0; i < got.size(); ++i) EXPECT_TRUE(at::equal(resumed.parameters_list()[i], got[i]));
  }
  // The two options differ measurably after one iteration (task 2's first Adam step differs).
  std::vector<at::Tensor> theta(p.init.begin(), p.init.end()), v1, v2;
  int64_t t1 = 0, t2 = 0;
  const auto carried = HandReptileStep(p, theta, true, v1, t1), fresh = HandReptileStep(p, theta, false, v2, t2);
  EXPECT_GT((carried[0] - fresh[0]).abs().max().item<double>(), 1e-5);
}

// supervised-reptile's two evaluation modes on a conv net with batch
// normalisation (batch statistics): transductive predicts all queries in one
// batch, so changing one query moves the others' outputs; the default
// predicts each query in one batch with the support set (the last row), so
// the others stay exactly where they were, and a query's output is the last
// row of the net on [support, that query], built here by hand.
TEST(Reptile, NonTransductiveEvaluationKeepsQueriesIndependent) {
  const Problem p = MakeConvProblem(2);  // 3 ways, 2 support and 2 query images per class
  for (bool transductive : {false, true}) {
    SCOPED_TRACE(transductive ? "transductive" : "non-transductive");
    ReptileOptions o;
    o.transductive = transductive;
    Reptile reptile(p.net, true, o, p.init);
    const Params theta = reptile.parameters_list();
    const at::Tensor before = reptile.PredictQueries(theta, p.batch);
    ASSERT_EQ(before.sizes(), at::IntArrayRef({2, 6, 3}));
    EpisodeBatch changed = p.batch;
    changed.query_x = p.batch.query_x.clone();
    changed.query_x[0][0].mul_(-3.0).add_(1.0);  // query 0 of task 0
    const at::Tensor after = reptile.PredictQueries(theta, changed);
    const at::Tensor others = (after.narrow(1, 1, 5) - before.narrow(1, 1, 5)).abs().max();
    if (transductive) {
      EXPECT_GT(others.item<double>(), 1e-6);  // batch statistics couple the queries
    } else {
      EXPECT_EQ(others.item<double>(), 0.0);
      for (int64_t t = 0; t < 2; ++t) {
        for (int64_t j : {0, 4}) {
          const at::Tensor x = at::cat({p.batch.support_x[t], p.batch.query_x[t].narrow(0, j, 1)}, 0).unsqueeze(0);
          const at::Tensor out = p.net->Forward(theta, x)[0][6];  // row 6: the query after 6 support images
          EXPECT_TRUE(at::allclose(before[t][j], out, 1e-12, 1e-12)) << "task " << t << " query " << j;
        }
      }
    }
  }
}

TEST(Reptile, OuterStepSizeAnnealsLinearlyToZero) {
  ReptileOptions o;
  o.outer_lr = 0.8;
  o.num_iterations = 100;
  EXPECT_DOUBLE_EQ(o.OuterStepSize(0), 0.8);
  EXPECT_DOUBLE_EQ(o.OuterStepSize(50), 0.4);
  EXPECT_DOUBLE_EQ(o.OuterStepSize(100), 0.0);
  o.anneal_outer_lr = false;
  EXPECT_DOUBLE_EQ(o.OuterStepSize(50), 0.8);
}

// Synthetic 3-way 1-shot image episodes: each class of each episode is a
// fresh random 8×8 prototype; support and query images are the prototype
// plus noise. One inner step from the random conv net stays near chance
// (1/3); after 300 meta-iterations of MAML (≈ 1.4 s) it is well above.
// Measured with generator seeds 7, 8, 9: 0.367–0.370 before, 0.550–0.585
// after; thresholds +0.12 and 0.5.
EpisodeBatch PrototypeEpisodes(int64_t tasks, int64_t query, at::Generator& gen) {
  const at::Tensor prototypes = at::rand({tasks, 3, 1, 1, 8, 8}, gen);
  auto draw = [&](int64_t per_class) {
    const at::Tensor noise = 0.4 * at::randn({tasks, 3, per_class, 1, 8, 8}, gen);
    return std::make_pair(
        (prototypes + noise).reshape({tasks, 3 * per_class, 1, 8, 8}),
        at::arange(3, at::kLong).repeat_interleave(per_class).unsqueeze(0).expand({tasks, 3 * per_class}).contiguous());
  };
  EpisodeBatch b;
  std::tie(b.support_x, b.support_y) = draw(1);
  std::tie(b.query_x, b.query_y) = draw(query);
  return b;
}

double AdaptedAccuracy(const GradientLearner& learner, at::Generator& gen) {
  const AdaptationCurve curve = learner.Evaluate(PrototypeEpisodes(200, 5, gen), 1);
  return curve.query_accuracy[1].mean().item<double>();
}

TEST(ConvMaml, LearnsToAdaptToNewClassesFromOneExample) {
  ConvNetOptions o;
  o.filters = 8;
  o.blocks = 2;
  auto net = std::make_shared<ConvNet>(std::vector<int64_t>{1, 8, 8}, 3, o);
  Rng rng(1);
  GradientLearnerOptions lo;
  lo.inner_lr = {0.4};
  lo.adam.lr = 3e-3;
  GradientLearner learner("maml", net, true, lo, net->Init(rng));
  at::Generator gen = at::make_generator<at::CPUGeneratorImpl>(7);
  const double before = AdaptedAccuracy(learner, gen);
  for (int i = 0; i < 300; ++i) learner.MetaStep(PrototypeEpisodes(8, 3, gen), i);
  const double after = AdaptedAccuracy(learner, gen);
  EXPECT_GT(after, before + 0.12) << "before " << before << ", after " << after;
  EXPECT_GT(after, 0.5) << "before " << before << ", after " << after;
}

TEST(TaskLoss, ClassificationIsMeanCrossEntropyPerTask) {
  const at::Tensor logits = at::tensor({0.0, 1.0, 2.0, 1.0, 0.0, 0.0}, at::kDouble).view({1, 2, 3});
  const at::Tensor y = at::tensor({2, 0}, at::kLong).view({1, 2});
  const double l0 = std::log(1 + std::exp(1.0) + std::exp(2.0)) - 2.0;
  const double l1 = std::log(std::exp(1.0) + 2.0) - 1.0;
  EXPECT_NEAR(TaskLosses(logits, y, true).item<double>(), 0.5 * (l0 + l1), 1e-12);
  EXPECT_DOUBLE_EQ(TaskAccuracy(logits, y).item<double>(), 1.0);
}

}  // namespace
}  // namespace metarl::algorithms::fewshot
