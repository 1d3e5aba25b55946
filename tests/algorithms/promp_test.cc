// ProMP and MAML-PPO: the LVC inner estimator has the exact expected gradient
// and Hessian of the inner objective on a Gaussian bandit (REINFORCE's
// Hessian does not); second-order meta-gradients through the LVC step against
// finite differences; the clipped objective's gradient vanishes exactly where
// the clip binds; the PPO-style outer step (first epoch = MAML's surrogate,
// determinism, the inner-KL penalty's effect, optimiser state round trip).

#include <cmath>
#include <vector>

#include <ATen/ATen.h>
#include <gtest/gtest.h>
#include <torch/autograd.h>

#include "algorithms/common/clipped_surrogate.h"
#include "algorithms/common/flat_params.h"
#include "algorithms/maml/maml.h"
#include "algorithms/maml/maml_ppo.h"
#include "algorithms/maml/meta_chunks.h"
#include "algorithms/promp/promp.h"
#include "tests/algorithms/meta_fixtures.h"

namespace metarl::algorithms {
namespace {

using policies::GaussianMlpOptions;
using policies::GaussianMlpPolicy;
using policies::Params;
using testing::FiniteDifferenceGradient;
using testing::Problem;
using testing::RelativeError;
using testing::StepProblem;

TEST(ClippedObjective, GradientIsTheAdvantageInsideTheRangeAndZeroWhereTheClipBinds) {
  const double eps = 0.2;
  const at::Tensor ratio = at::tensor({0.5, 0.79, 0.81, 1.0, 1.19, 1.21, 2.0}, at::kDouble).requires_grad_(true);
  for (double a : {1.5, -0.5}) {
    SCOPED_TRACE(a);
    const at::Tensor adv = at::full({7}, a, at::kDouble);
    const at::Tensor value = ClippedObjective(ratio, adv, eps);
    const at::Tensor grad = torch::autograd::grad({value.sum()}, {ratio})[0];
    for (int64_t i = 0; i < 7; ++i) {
      const double r = ratio[i].item<double>();
      const bool inside = r >= 1.0 - eps && r <= 1.0 + eps;
      const bool binds = (r > 1.0 + eps && a > 0.0) || (r < 1.0 - eps && a < 0.0);
      EXPECT_DOUBLE_EQ(grad[i].item<double>(), binds ? 0.0 : a) << "ratio " << r;
      if (inside) EXPECT_DOUBLE_EQ(value[i].item<double>(), r * a);
      if (binds) EXPECT_DOUBLE_EQ(value[i].item<double>(), (a > 0 ? 1.0 + eps : 1.0 - eps) * a);
    }
  }
  EXPECT_THROW(ClippedObjective(ratio, ratio, 1.5), std::invalid_argument);
}

// One-step Gaussian bandit: obs ≡ 1, a ~ N(μ, σ²), μ = w + b, σ = exp(s),
// reward −(a − g)²: J(θ) = −((μ − g)² + σ²), ∇J = (−2(μ−g), −2(μ−g), −2σ²),
// ∇²J = [[−2, −2, 0], [−2, −2, 0], [0, 0, −4σ²]].
TEST(ProMp, LvcInnerEstimatorHasTheExactExpectedGradientAndHessian) {
  constexpr double kGoal = 1.0, kW = 0.2, kB = 0.1, kS = -0.2;
  constexpr int64_t kGroups = 200, kSamples = 500;
  Rng rng(1);
  GaussianMlpOptions options;
  options.hidden_sizes = {};
  const GaussianMlpPolicy policy(1, 1, options, rng);
  const Params theta = {at::full({1, 1}, kW, at::kDouble), at::full({1}, kB, at::kDouble),
                        at::full({1}, kS, at::kDouble)};
  Params batched = GaussianMlpPolicy::Stack(theta, kGroups);
  for (auto& p : batched) p = p.detach().requires_grad_(true);

  at::manual_seed(23);
  const double mu = kW + kB, sigma = std::exp(kS);
  TaskBatch batch;
  batch.observations = at::ones({kGroups, kSamples, 1}, at::kDouble);
  batch.actions = mu + sigma * at::randn({kGroups, kSamples, 1}, at::kDouble);
  batch.advantages = -(batch.actions.squeeze(2) - kGoal).pow(2);
  batch.masks = at::ones({kGroups, kSamples}, at::kDouble);
  batch.sampling_log_probs = policy.Forward(batch.observations, batched).LogProb(batch.actions).detach();

  const at::Tensor exact_grad = at::tensor({-2 * (mu - kGoal), -2 * (mu - kGoal), -2 * sigma * sigma}, at::kDouble);
  const at::Tensor exact_hess = at::tensor({-2.0, -2.0, 0.0, -2.0, -2.0, 0.0, 0.0, 0.0, -4 * sigma * sigma},
                                           at::kDouble).view({3, 3});
  auto per_group = [&](const Params& p) {  // [G, 3]
    std::vector<at::Tensor> parts;
    for (const auto& t : p) parts.push_back(t.reshape({kGroups, -1}));
    return at::cat(parts, 1);
  };
  struct Moments {
    at::Tensor grad_mean, grad_se, hess_mean, hess_se;
  };
  auto moments = [&](InnerEstimator estimator) {
    const at::Tensor objective = -InnerLoss(policy, batched, batch, estimator);  // [G] sample means of r·ratio
    const at::Tensor grad = per_group(torch::autograd::grad({objective.sum()}, batched, {}, true, true));
    std::vector<at::Tensor> rows;
    for (int64_t i = 0; i < 3; ++i) {
      rows.push_back(per_group(torch::autograd::grad({grad.select(1, i).sum()}, batched, {}, true)));
    }
    const at::Tensor hess = at::stack(rows, 1);  // [G, 3, 3]
    const double root = std::sqrt(static_cast<double>(kGroups));
    return Moments{grad.mean(0).detach(), grad.std(0).detach() / root, hess.mean(0), hess.std(0) / root};
  };
  const Moments lvc = moments(InnerEstimator::kLvc);
  EXPECT_LT(((lvc.grad_mean - exact_grad).abs() / lvc.grad_se).max().item<double>(), 4.0)
      << lvc.grad_mean << exact_grad;
  // Entries whose estimate has no variance (exact zeros) compare absolutely.
  const at::Tensor z = (lvc.hess_mean - exact_hess).abs() / (lvc.hess_se + 1e-12);
  EXPECT_LT(z.max().item<double>(), 4.0) << lvc.hess_mean << exact_hess;
  // REINFORCE: the same gradient, but its Hessian misses E[r ∇log π ∇log πᵀ].
  const Moments reinforce = moments(InnerEstimator::kReinforce);
  EXPECT_TRUE(at::allclose(reinforce.grad_mean, lvc.grad_mean, 1e-10, 1e-12));
  EXPECT_GT(((reinforce.hess_mean - exact_hess).abs() / (reinforce.hess_se + 1e-12)).max().item<double>(), 10.0)
      << reinforce.hess_mean << exact_hess;
}

TEST(ProMp, SecondOrderMetaGradientThroughTheLvcStepMatchesFiniteDifferences) {
  for (int inner_steps : {1, 2}) {
    SCOPED_TRACE(inner_steps);
    Problem p(inner_steps);
    // Sampling log-probabilities of the parameters before each inner step.
    const AdaptTrace at_theta = AdaptWithTrace(p.policy, p.theta, p.train, p.fast_lr, AdaptGraph::kNone);
    for (int s = 0; s < inner_steps; ++s) {
      p.train[s].sampling_log_probs =
          p.policy.Forward(p.train[s].observations, at_theta.starts[s]).LogProb(p.train[s].actions).detach();
    }
    const OldPolicy old = p.Old();
    const Params adapted = Adapt(p.policy, p.theta, p.train, p.fast_lr, AdaptGraph::kSecondOrder, InnerEstimator::kLvc);
    // At the sampling parameters the LVC step is REINFORCE's.
    for (std::size_t i = 0; i < adapted.size(); ++i) {
      EXPECT_TRUE(at::allclose(adapted[i], at_theta.adapted[i], 1e-12, 1e-14)) << "param " << i;
    }
    const at::Tensor grad = Flatten(torch::autograd::grad({ObjectiveAt(p.policy, adapted, p.valid, old).surrogate},
                                                          p.theta));
    auto f = [&](const Params& theta) {
      return ObjectiveAt(p.policy, Adapt(p.policy, theta, p.train, p.fast_lr, AdaptGraph::kNone, InnerEstimator::kLvc),
                         p.valid, old)
          .surrogate.item<double>();
    };
    EXPECT_LT(RelativeError(grad, FiniteDifferenceGradient(f, p.theta, 1e-6)), 1e-6);
    // The curvature term makes it differ from MAML's meta-gradient.
    const at::Tensor maml = Flatten(torch::autograd::grad(
        {ObjectiveAt(p.policy, Adapt(p.policy, p.theta, p.train, p.fast_lr, AdaptGraph::kSecondOrder), p.valid, old)
             .surrogate},
        p.theta));
    EXPECT_GT(RelativeError(grad, maml), 1e-3);
  }
}

TEST(MamlPpo, FirstEpochObjectiveIsMamlsSurrogateAndTheStepLowersIt) {
  StepProblem p;
  const MetaBatch batch{p.train, p.valid, {}};
  MamlTrpoOptions adapt;
  std::vector<TaskChunk> chunks = SplitTasks(batch, adapt.tasks_per_chunk);
  const MetaGradient maml = MetaGradientOnChunks(p.policy, p.policy.parameters_list(), chunks, adapt.fast_lr,
                                                 AdaptGraph::kSecondOrder, false, nullptr);
  PpoOuterOptions ppo;
  FlatAdam adam;
  const OuterStepStats stats = MetaPpoStep(p.policy, batch, adapt, ppo, InnerEstimator::kReinforce, {}, adam);
  EXPECT_NEAR(stats.surrogate_before, maml.surrogate, 1e-6);
  EXPECT_EQ(stats.epochs, ppo.epochs);
  EXPECT_EQ(adam.steps(), ppo.epochs);
  EXPECT_LT(stats.surrogate_after, stats.surrogate_before);
  EXPECT_GT(stats.kl_after, 0.0);
  ASSERT_EQ(stats.inner_kl.size(), 1u);
  EXPECT_GT(stats.inner_kl[0], 0.0);
}

TEST(MamlPpo, StepIsBitIdenticalForAnyThreadCount) {
  auto run = [](int threads) {
    StepProblem p;
    MamlTrpoOptions adapt;
    adapt.tasks_per_chunk = 1;
    FlatAdam adam;
    ThreadPool pool(threads);
    MetaPpoStep(p.policy, MetaBatch{p.train, p.valid, {}}, adapt, PpoOuterOptions{}, InnerEstimator::kLvc, {1e-3},
                adam, &pool);
    return Flatten(p.policy.parameters_list()).detach().clone();
  };
  const at::Tensor one = run(1);
  EXPECT_TRUE(at::equal(one, run(2)));
  EXPECT_TRUE(at::equal(one, run(3)));
}

TEST(ProMp, InnerKlPenaltyKeepsThePreUpdatePolicyCloser) {
  auto inner_kl = [](double penalty) {
    StepProblem p;
    MamlTrpoOptions adapt;
    ProMpOptions options;
    options.init_inner_kl_penalty = penalty;
    AdamOptions adam;
    adam.lr = 3e-2;
    ProMpOptimizer promp(adapt, options, adam);
    const OuterStepStats stats = promp.Step(p.policy, MetaBatch{p.train, p.valid, {}});
    EXPECT_EQ(stats.inner_kl_penalty, std::vector<double>{penalty});
    return stats.inner_kl.at(0);
  };
  const double free = inner_kl(0.0), penalised = inner_kl(1e3);
  EXPECT_GT(free, 0.0);
  EXPECT_LT(penalised, 0.5 * free);
}

TEST(ProMp, AdaptiveRuleHalvesBelowAndDoublesAboveTheTarget) {
  const std::vector<double> eta = AdaptInnerKlPenalty({1.0, 1.0, 1.0}, {0.001, 0.01, 0.02}, 0.01);
  EXPECT_EQ(eta, (std::vector<double>{0.5, 1.0, 2.0}));
  EXPECT_THROW(AdaptInnerKlPenalty({1.0}, {0.1, 0.2}, 0.01), std::invalid_argument);
}

TEST(ProMp, OptimiserStateRoundTripContinuesIdentically) {
  ProMpOptions options;
  options.adaptive_inner_kl_penalty = true;
  options.target_inner_kl = 1e-9;  // far below: the penalty doubles every step
  StepProblem straight, split;
  const MetaBatch a{straight.train, straight.valid, {}}, b{split.train, split.valid, {}};
  ProMpOptimizer one(MamlTrpoOptions{}, options, AdamOptions{});
  one.Step(straight.policy, a);
  one.Step(straight.policy, a);
  ProMpOptimizer first(MamlTrpoOptions{}, options, AdamOptions{});
  first.Step(split.policy, b);
  EXPECT_EQ(first.inner_kl_penalty(), std::vector<double>{2 * options.init_inner_kl_penalty});
  ProMpOptimizer second(MamlTrpoOptions{}, options, AdamOptions{});
  second.Restore(first.State());
  second.Step(split.policy, b);
  EXPECT_TRUE(at::equal(Flatten(straight.policy.parameters_list()), Flatten(split.policy.parameters_list())));
  EXPECT_EQ(one.inner_kl_penalty(), second.inner_kl_penalty());
  EXPECT_THROW(second.Restore({}), std::invalid_argument);
}

}  // namespace
}  // namespace metarl::algorithms
