// MAML-TRPO correctness: meta-gradients against finite differences (double
// precision), first-order variant, batched vs per-task adaptation, KL
// Hessian-vector products, conjugate gradient, line search bound.

#include <cmath>

#include <ATen/ATen.h>
#include <gtest/gtest.h>
#include <torch/autograd.h>

#include "algorithms/common/conjugate_gradient.h"
#include "algorithms/common/flat_params.h"
#include "algorithms/maml/maml.h"
#include "algorithms/maml/maml_trpo.h"
#include "algorithms/maml/meta_kl_hessian.h"
#include "policies/mean_linearization.h"
#include "tests/algorithms/meta_fixtures.h"

namespace metarl::algorithms {
namespace {

using testing::DoubleLeaves;
using testing::FiniteDifferenceGradient;
using testing::FixedBatch;
using testing::kAct;
using testing::kObs;
using testing::kSteps;
using testing::kTasks;
using testing::Problem;
using testing::RelativeError;
using testing::TinyOptions;
using policies::GaussianMlpOptions;
using policies::GaussianMlpPolicy;
using policies::Params;

TEST(Maml, SecondOrderMetaGradientMatchesFiniteDifferences) {
  for (int inner_steps : {1, 2}) {
    SCOPED_TRACE(inner_steps);
    Problem p(inner_steps);
    const OldPolicy old = p.Old();
    const MetaObjective obj =
        ComputeMetaObjective(p.policy, p.theta, p.train, p.valid, old, p.fast_lr, AdaptGraph::kSecondOrder);
    const at::Tensor grad = Flatten(torch::autograd::grad({obj.surrogate}, p.theta));
    auto f = [&](const Params& theta) {
      return ComputeMetaObjective(p.policy, theta, p.train, p.valid, old, p.fast_lr, AdaptGraph::kNone)
          .surrogate.item<double>();
    };
    const at::Tensor fd = FiniteDifferenceGradient(f, p.theta, 1e-6);
    EXPECT_LT(RelativeError(grad, fd), 1e-4) << "autograd " << grad << "\nfd " << fd;
    // The inner update matters: the first-order gradient differs.
    const MetaObjective fo =
        ComputeMetaObjective(p.policy, p.theta, p.train, p.valid, old, p.fast_lr, AdaptGraph::kFirstOrder);
    EXPECT_GT(RelativeError(Flatten(torch::autograd::grad({fo.surrogate}, p.theta)), fd), 1e-3);
  }
}

TEST(Maml, FirstOrderGradientTreatsTheInnerUpdateJacobianAsIdentity) {
  Problem p(2);
  const OldPolicy old = p.Old();
  const MetaObjective fo =
      ComputeMetaObjective(p.policy, p.theta, p.train, p.valid, old, p.fast_lr, AdaptGraph::kFirstOrder);
  const at::Tensor grad = Flatten(torch::autograd::grad({fo.surrogate}, p.theta));
  // Reference: ∂L/∂θ'_k at the adapted parameters, summed over tasks.
  Params adapted = Adapt(p.policy, p.theta, p.train, p.fast_lr, AdaptGraph::kNone);
  for (auto& t : adapted) t.requires_grad_(true);
  const policies::DiagGaussian dist = p.policy.Forward(p.valid.observations, adapted);
  const at::Tensor ratio = at::exp(dist.LogProb(p.valid.actions) - old.log_probs);
  const at::Tensor loss =
      -((ratio * p.valid.advantages * p.valid.masks).sum(1) / p.valid.masks.sum(1)).mean();
  Params per_task = torch::autograd::grad({loss}, adapted);
  for (auto& t : per_task) t = t.sum(0);
  EXPECT_LT(RelativeError(grad, Flatten(per_task)), 1e-12);
}

TEST(Maml, BatchedAdaptationEqualsAdaptingEachTaskAlone) {
  Problem p(2);
  const Params batched = Adapt(p.policy, p.theta, p.train, p.fast_lr, AdaptGraph::kNone);
  for (int64_t k = 0; k < kTasks; ++k) {
    std::vector<TaskBatch> alone;
    for (const TaskBatch& b : p.train) {
      alone.push_back({b.observations.narrow(0, k, 1), b.actions.narrow(0, k, 1), b.advantages.narrow(0, k, 1),
                       b.masks.narrow(0, k, 1)});
    }
    const Params single = Adapt(p.policy, p.theta, alone, p.fast_lr, AdaptGraph::kNone);
    for (std::size_t i = 0; i < batched.size(); ++i) {
      EXPECT_TRUE(at::allclose(batched[i][k], single[i][0], 1e-12, 1e-14)) << "param " << i;
    }
  }
  // Adaptation moved the parameters, differently per task.
  EXPECT_FALSE(at::allclose(batched[0][0], p.theta[0]));
  EXPECT_FALSE(at::allclose(batched[0][0], batched[0][1]));
}

TEST(Maml, KlHessianVectorProductMatchesFiniteDifferencesOfItsGradient) {
  Problem p(1);
  const OldPolicy old = p.Old();
  auto kl_grad = [&](const Params& theta, bool create_graph) {
    const MetaObjective obj =
        ComputeMetaObjective(p.policy, theta, p.train, p.valid, old, p.fast_lr, AdaptGraph::kSecondOrder);
    return Flatten(torch::autograd::grad({obj.kl}, theta, {}, /*retain_graph=*/true, create_graph));
  };
  const at::Tensor g = kl_grad(p.theta, true);
  at::manual_seed(3);
  const at::Tensor v = at::randn({g.numel()}, at::kDouble);
  const at::Tensor hv = Flatten(torch::autograd::grad({(g * v).sum()}, p.theta));
  const double eps = 1e-5;
  const at::Tensor flat = Flatten(p.theta).detach();
  auto leaves = [&](const at::Tensor& f) {
    Params out;
    for (const auto& t : Unflatten(f, p.theta)) out.push_back(t.clone().requires_grad_(true));
    return out;
  };
  const at::Tensor fd = (kl_grad(leaves(flat + eps * v), false) - kl_grad(leaves(flat - eps * v), false)) / (2 * eps);
  EXPECT_LT(RelativeError(hv, fd), 1e-5);
  EXPECT_GT(hv.dot(v).item<double>(), 0.0);  // the KL Hessian at the old policy is PSD
}

TEST(Maml, GaussNewtonKlHessianEqualsTheDoubleBackwardHessian) {
  // At θ (new policy = old) the KL Hessian is exactly its Gauss-Newton form;
  // MetaKlHessian must agree with differentiating ∇KL a second time.
  for (int inner_steps : {1, 2}) {
    for (AdaptGraph graph : {AdaptGraph::kSecondOrder, AdaptGraph::kFirstOrder}) {
      SCOPED_TRACE(::testing::Message() << inner_steps << " steps, graph " << static_cast<int>(graph));
      Problem p(inner_steps);
      const AdaptTrace trace = AdaptWithTrace(p.policy, p.theta, p.train, p.fast_lr, graph);
      const OldPolicy old = MakeOldPolicy(p.policy, trace.adapted, p.valid);
      const MetaObjective obj = ObjectiveAt(p.policy, trace.adapted, p.valid, old);
      const at::Tensor kl_grad =
          Flatten(torch::autograd::grad({obj.kl}, p.theta, {}, /*retain_graph=*/true, /*create_graph=*/true));
      const MetaKlHessian hessian(p.policy, p.theta, trace, p.train, p.valid, graph);
      at::manual_seed(5);
      for (int trial = 0; trial < 3; ++trial) {
        const at::Tensor v = at::randn({kl_grad.numel()}, at::kDouble);
        const at::Tensor reference =
            Flatten(torch::autograd::grad({(kl_grad * v).sum()}, p.theta, {}, /*retain_graph=*/true));
        EXPECT_LT(RelativeError(hessian.Product(v), reference), 1e-10);
      }
    }
  }
}

TEST(Maml, MeanLinearizationMatchesAutograd) {
  for (const char* nonlinearity : {"relu", "tanh"}) {
    SCOPED_TRACE(nonlinearity);
    Rng rng(11);
    GaussianMlpOptions options = TinyOptions();
    options.hidden_sizes = {4, 3};
    options.nonlinearity = nonlinearity;
    const GaussianMlpPolicy policy(kObs, kAct, options, rng);
    Params params = GaussianMlpPolicy::Stack(DoubleLeaves(policy.parameters_list()), kTasks);
    at::manual_seed(9);
    for (auto& t : params) t = (t + 0.1 * at::randn_like(t)).detach().requires_grad_(true);
    const at::Tensor obs = at::randn({kTasks, kSteps, kObs}, at::kDouble);
    const policies::MeanLinearization lin(policy, params, obs);
    // VJP against autograd's backward of ⟨mean, c⟩.
    const at::Tensor mean = policy.Forward(obs, params).mean();
    const at::Tensor c = at::randn_like(mean);
    const Params vjp = lin.Vjp(c);
    const Params reference = torch::autograd::grad({(mean * c).sum()}, params, {}, /*retain_graph=*/false,
                                                   /*create_graph=*/false, /*allow_unused=*/true);
    for (std::size_t i = 0; i + 1 < params.size(); ++i) {
      EXPECT_TRUE(at::allclose(vjp[i], reference[i], 1e-12, 1e-12)) << "param " << i;
    }
    EXPECT_EQ(vjp.back().abs().sum().item<double>(), 0.0);
    // JVP: ⟨J t, c⟩ = ⟨t, Jᵀ c⟩ and central differences.
    Params t;
    for (const auto& q : params) t.push_back(at::randn_like(q.detach()));
    const at::Tensor jvp = lin.Jvp(t);
    double dual = 0.0;
    for (std::size_t i = 0; i < t.size(); ++i) dual += (t[i] * vjp[i]).sum().item<double>();
    EXPECT_NEAR((jvp * c).sum().item<double>(), dual, 1e-10);
    const double eps = 1e-6;
    Params plus, minus;
    for (std::size_t i = 0; i < t.size(); ++i) {
      plus.push_back(params[i].detach() + eps * t[i]);
      minus.push_back(params[i].detach() - eps * t[i]);
    }
    const at::Tensor fd = (policy.Forward(obs, plus).mean() - policy.Forward(obs, minus).mean()) / (2 * eps);
    EXPECT_LT(RelativeError(jvp, fd), 1e-6);
  }
}

TEST(ConjugateGradient, SolvesAKnownSpdSystem) {
  at::manual_seed(1);
  const at::Tensor q = at::randn({20, 20}, at::kDouble);
  const at::Tensor a = q.t().matmul(q) + at::eye(20, at::kDouble);
  const at::Tensor x_true = at::randn({20}, at::kDouble);
  const at::Tensor b = a.matmul(x_true);
  const auto result = ConjugateGradient([&](const at::Tensor& v) { return a.matmul(v); }, b, 60, 1e-20);
  EXPECT_LT(RelativeError(result.x, x_true), 1e-8);
  // CG ends within as many products as A has distinct eigenvalues: 3 here.
  const at::Tensor basis = std::get<0>(at::linalg_qr(q));
  const at::Tensor eig = at::cat({at::full({8}, 1.0, at::kDouble), at::full({7}, 4.0, at::kDouble),
                                  at::full({5}, 9.0, at::kDouble)});
  const at::Tensor three = basis.matmul(at::diag(eig)).matmul(basis.t());
  const auto few = ConjugateGradient([&](const at::Tensor& v) { return three.matmul(v); }, b, 60, 1e-18);
  EXPECT_LE(few.iterations, 4);  // 3 in exact arithmetic; one more for rounding
  EXPECT_LT(RelativeError(few.x, at::linalg_solve(three, b)), 1e-8);
  const auto two = ConjugateGradient([&](const at::Tensor& v) { return a.matmul(v); }, b, 2);
  EXPECT_EQ(two.iterations, 2);
}

using testing::StepProblem;

TEST(MamlTrpo, StepLowersTheSurrogateAndNeverAcceptsKlAboveTheBound) {
  for (double max_kl : {1e-2, 1e-4}) {
    SCOPED_TRACE(max_kl);
    StepProblem p;
    MamlTrpoOptions options;
    options.max_kl = max_kl;
    const at::Tensor before = Flatten(p.policy.parameters_list()).detach().clone();
    const OuterStepStats stats = MamlTrpoStep(p.policy, MetaBatch{p.train, p.valid, {}}, options);
    ASSERT_TRUE(stats.accepted);
    EXPECT_LT(stats.surrogate_after, stats.surrogate_before);
    EXPECT_LT(stats.kl_after, max_kl);
    EXPECT_GT(stats.kl_after, 0.0);
    EXPECT_GE(stats.line_search_steps, 1);
    EXPECT_EQ(stats.cg_iterations, options.cg_iters);
    EXPECT_FALSE(at::equal(before, Flatten(p.policy.parameters_list())));
    // Recompute the KL of the accepted parameters independently of the step.
    const Params theta = p.policy.parameters_list();
    StepProblem fresh;  // same seed: same initial parameters for the old policy
    const OldPolicy old = MakeOldPolicy(
        fresh.policy, Adapt(fresh.policy, fresh.policy.parameters_list(), p.train, 0.1, AdaptGraph::kNone), p.valid);
    const MetaObjective after = ComputeMetaObjective(p.policy, theta, p.train, p.valid, old, 0.1, AdaptGraph::kNone);
    EXPECT_NEAR(after.kl.item<double>(), stats.kl_after, 1e-7);
    EXPECT_LT(after.kl.item<double>(), max_kl);
  }
}

TEST(MamlTrpo, StepIsBitIdenticalForAnyThreadCountAndChunkingOnlyRounds) {
  auto run = [](int threads, int tasks_per_chunk) {
    StepProblem p;
    MamlTrpoOptions options;
    options.tasks_per_chunk = tasks_per_chunk;
    ThreadPool pool(threads);
    const OuterStepStats stats = MamlTrpoStep(p.policy, MetaBatch{p.train, p.valid, {}}, options, &pool);
    EXPECT_TRUE(stats.accepted);
    return Flatten(p.policy.parameters_list()).detach().clone();
  };
  const at::Tensor one = run(1, 1);
  EXPECT_TRUE(at::equal(one, run(2, 1)));
  EXPECT_TRUE(at::equal(one, run(3, 1)));
  // One chunk of both tasks: the same step up to float rounding.
  EXPECT_LT(RelativeError(run(2, 2), one), 1e-4);
}

TEST(MamlTrpo, NonFiniteLossStopsWithAClearMessageAndNoChange) {
  StepProblem p;
  p.valid.advantages[0][0] = std::nanf("");
  const at::Tensor before = Flatten(p.policy.parameters_list()).detach().clone();
  try {
    MamlTrpoStep(p.policy, MetaBatch{p.train, p.valid, {}}, MamlTrpoOptions{});
    FAIL() << "expected std::runtime_error";
  } catch (const std::runtime_error& e) {
    EXPECT_NE(std::string(e.what()).find("not finite"), std::string::npos) << e.what();
  }
  EXPECT_TRUE(at::equal(before, Flatten(p.policy.parameters_list())));
}

TEST(MamlTrpo, AZeroMetaGradientRejectsTheStepWithoutFailing) {
  StepProblem p;
  p.valid.advantages.zero_();
  const at::Tensor before = Flatten(p.policy.parameters_list()).detach().clone();
  const OuterStepStats stats = MamlTrpoStep(p.policy, MetaBatch{p.train, p.valid, {}}, MamlTrpoOptions{});
  EXPECT_FALSE(stats.accepted);
  EXPECT_EQ(stats.line_search_steps, 0);
  EXPECT_EQ(stats.surrogate_after, stats.surrogate_before);
  EXPECT_TRUE(at::equal(before, Flatten(p.policy.parameters_list())));
}

TEST(MamlTrpo, OptionsAreValidatedNamingTheKey) {
  MamlTrpoOptions o;
  o.fast_lr = -0.1;
  try {
    o.Validate();
    FAIL();
  } catch (const std::invalid_argument& e) {
    EXPECT_NE(std::string(e.what()).find("fast-lr"), std::string::npos);
  }
  o = MamlTrpoOptions{};
  o.ls_backtrack_ratio = 1.0;
  EXPECT_THROW(o.Validate(), std::invalid_argument);
}

}  // namespace
}  // namespace metarl::algorithms
