// E-MAML (exploration: true): the exploration term's gradient against an
// independent per-task computation and finite differences; zero weights
// reduce to MAML bit for bit; and, on a one-step Gaussian bandit whose
// post-adaptation return has a closed form, the E-MAML meta-gradient is an
// unbiased estimate of the true gradient of the expected post-adaptation
// return, while MAML's estimate is biased (it drops the score-function term).

#include <cmath>
#include <vector>

#include <ATen/ATen.h>
#include <gtest/gtest.h>
#include <torch/autograd.h>

#include "algorithms/common/flat_params.h"
#include "algorithms/maml/exploration.h"
#include "algorithms/maml/maml.h"
#include "algorithms/maml/maml_trpo.h"
#include "algorithms/maml/meta_chunks.h"
#include "algorithms/maml/task_batch.h"
#include "envs/task.h"
#include "tests/algorithms/meta_fixtures.h"

namespace metarl::algorithms {
namespace {

using policies::GaussianMlpOptions;
using policies::GaussianMlpPolicy;
using policies::Params;
using testing::FiniteDifferenceGradient;
using testing::kTasks;
using testing::Problem;
using testing::RelativeError;
using testing::StepProblem;

// −(1/K) Σ_k c_k Σ_s f(Σ_n m·log π_{θ_{k,s}}(a|s)) computed task by task,
// with the inner steps written out on unbatched parameters; f is the mean
// over the task's real steps (the reference estimator) or the sum (exact).
at::Tensor ExplorationTermTaskByTask(const Problem& p, const at::Tensor& c, bool mean) {
  at::Tensor total = at::zeros({}, at::kDouble);
  for (int64_t k = 0; k < kTasks; ++k) {
    Params params = p.theta;
    for (const TaskBatch& b : p.train) {
      const at::Tensor obs = b.observations[k], act = b.actions[k], m = b.masks[k];
      const at::Tensor log_probs = p.policy.Forward(obs, params).LogProb(act);
      const at::Tensor sum = (log_probs * m).sum();
      total = total - c[k] * (mean ? sum / m.sum() : sum) / static_cast<double>(kTasks);
      const at::Tensor inner = -(log_probs * b.advantages[k] * m).sum() / m.sum();
      const Params grads = torch::autograd::grad({inner}, params, {}, /*retain_graph=*/true, /*create_graph=*/true);
      Params next;
      for (std::size_t i = 0; i < params.size(); ++i) next.push_back(params[i] - p.fast_lr * grads[i]);
      params = next;
    }
  }
  return total;
}

TEST(EMaml, ExplorationGradientIsMamlsPlusTheIndependentlyComputedTerm) {
  for (int inner_steps : {1, 2}) for (bool mean : {true, false}) {
    SCOPED_TRACE(::testing::Message() << inner_steps << " inner steps, " << (mean ? "reference" : "exact"));
    Problem p(inner_steps);
    const OldPolicy old = p.Old();
    const at::Tensor c = at::tensor({0.7, -1.3}, at::kDouble);
    std::vector<at::Tensor> masks;
    for (const TaskBatch& b : p.train) masks.push_back(b.masks);
    const at::Tensor w = ExplorationWeights(c, masks, mean);
    auto grad_of = [&](const at::Tensor& weights) {
      const MetaObjective o = ComputeMetaObjective(p.policy, p.theta, p.train, p.valid, old, p.fast_lr,
                                                   AdaptGraph::kSecondOrder, weights);
      return Flatten(torch::autograd::grad({o.surrogate}, p.theta));
    };
    const at::Tensor emaml = grad_of(w), maml = grad_of({});
    const at::Tensor term = Flatten(torch::autograd::grad({ExplorationTermTaskByTask(p, c, mean)}, p.theta));
    EXPECT_GT(term.norm().item<double>(), 1e-2);
    EXPECT_LT(RelativeError(emaml - maml, term), 1e-10);
    // And the whole E-MAML objective against central differences.
    auto f = [&](const Params& theta) {
      return ComputeMetaObjective(p.policy, theta, p.train, p.valid, old, p.fast_lr, AdaptGraph::kNone, w)
          .surrogate.item<double>();
    };
    EXPECT_LT(RelativeError(emaml, FiniteDifferenceGradient(f, p.theta, 1e-6)), 1e-6);
  }
}

TEST(EMaml, ZeroWeightsReduceToMamlBitForBit) {
  auto step = [](bool with_weights) {
    StepProblem p;
    MetaBatch batch{p.train, p.valid, {}};
    if (with_weights) batch.exploration_weights = at::zeros({kTasks, 1}, at::kFloat);
    const OuterStepStats stats = MamlTrpoStep(p.policy, batch, MamlTrpoOptions{});
    EXPECT_TRUE(stats.accepted);
    return Flatten(p.policy.parameters_list()).detach().clone();
  };
  EXPECT_TRUE(at::equal(step(false), step(true)));
}

TEST(EMaml, ExactCreditUsesALeaveOneOutBaselineOnTheAdvantageScale) {
  ExplorationOptions o;
  o.enabled = true;
  o.weight = 0.5;
  // Three tasks, two episodes each, post-update episodes of 2, 2 and 1 steps.
  at::Tensor masks = at::ones({3, 4}, at::kFloat);
  masks[2][2] = 0.0;
  masks[2][3] = 0.0;
  const std::vector<int> two = {2, 2, 2};
  const at::Tensor w = ExactExplorationCredit({4.0, -2.0, 3.0}, masks, two, {}, o);
  // u = {2, −1, 3}; baselines {1, 2.5, 0.5}; w = 0.5·(u − b).
  EXPECT_TRUE(at::allclose(w, at::tensor({0.5, -1.75, 1.25}, at::kDouble)));
  const at::Tensor scale = at::tensor({2.0, 0.5, 4.0}, at::kFloat);
  EXPECT_TRUE(at::allclose(ExactExplorationCredit({4.0, -2.0, 3.0}, masks, two, scale, o),
                           at::tensor({0.25, -3.5, 0.3125}, at::kDouble)));
  // Episode counts per task (step-budget batches): task 2's 2 steps as one episode.
  EXPECT_TRUE(at::allclose(ExactExplorationCredit({4.0, -2.0, 6.0}, masks, {2, 2, 1}, {}, o), w));
  EXPECT_THROW(ExactExplorationCredit({1.0}, masks.narrow(0, 0, 1), {2}, {}, o), std::invalid_argument);
  EXPECT_THROW(ExactExplorationCredit({4.0, -2.0, 3.0}, masks, two, scale.narrow(0, 0, 2), o),
               std::invalid_argument);
}

// ProMP's meta_sample_processor.py: adj_avg_rewards = (r − mean(all r)) /
// (np.std(all r) + 1e-8) over every post-update step of the meta-batch, and
// trpo_maml.py credits task k with mean(adj_avg_rewards of task k). Here by
// hand on three tasks' step rewards, then spread over the steps of each
// inner step (per-step mean: credit / N_{k,s}).
TEST(EMaml, ReferenceCreditIsPrompsStandardisedMeanReward) {
  const std::vector<std::vector<double>> rewards = {{1.0, 3.0, -2.0}, {0.5, 0.0}, {-1.0, 2.0, 2.0, 4.0}};
  std::vector<RewardMoments> moments;
  std::vector<double> all;
  for (const auto& r : rewards) {
    RewardMoments m;
    for (double x : r) {
      m.sum += x;
      m.sum_squares += x * x;
      ++m.steps;
      all.push_back(x);
    }
    moments.push_back(m);
  }
  // mean(all) = 9.5/9; np.std over the 9 values (population).
  double mean = 0, var = 0;
  for (double x : all) mean += x / 9.0;
  for (double x : all) var += (x - mean) * (x - mean) / 9.0;
  ExplorationOptions o;
  o.enabled = true;
  o.weight = 2.0;
  const at::Tensor credit = ReferenceExplorationCredit(moments, o);
  const double expected[3] = {(2.0 / 3.0 - mean) / (std::sqrt(var) + 1e-8), (0.25 - mean) / (std::sqrt(var) + 1e-8),
                              (7.0 / 4.0 - mean) / (std::sqrt(var) + 1e-8)};
  for (int k = 0; k < 3; ++k) EXPECT_NEAR(credit[k].item<double>(), 2.0 * expected[k], 1e-12);
  at::Tensor masks = at::ones({3, 4}, at::kDouble);
  masks[0][3] = 0.0;
  masks[1][2] = 0.0;
  masks[1][3] = 0.0;
  const at::Tensor w = ExplorationWeights(credit, {masks, at::ones({3, 4}, at::kDouble)}, true);
  ASSERT_EQ(w.sizes(), (std::vector<int64_t>{3, 2}));
  EXPECT_NEAR(w[0][0].item<double>(), 2.0 * expected[0] / 3.0, 1e-12);
  EXPECT_NEAR(w[1][0].item<double>(), 2.0 * expected[1] / 2.0, 1e-12);
  EXPECT_NEAR(w[2][1].item<double>(), 2.0 * expected[2] / 4.0, 1e-12);
  EXPECT_TRUE(at::equal(ExplorationWeights(credit, {masks}, false), credit.unsqueeze(1)));
  EXPECT_THROW(ReferenceExplorationCredit({RewardMoments{}}, o), std::invalid_argument);
}

// The exact credit is per step: the same post-update rewards read as two episodes
// of two steps or as four one-step episodes give the same weights, so the
// term does not grow or shrink with the episode length.
TEST(EMaml, ExplorationWeightsDoNotDependOnHowStepsFormEpisodes) {
  ExplorationOptions o;
  o.enabled = true;
  const at::Tensor rewards =
      at::tensor({1.0, 3.0, -2.0, 0.5, 0.0, -1.0, 2.0, 2.0, 4.0, 1.0, 1.0, -3.0}, at::kDouble).view({3, 4});
  const at::Tensor masks = at::ones({3, 4}, at::kDouble);
  auto returns = [&](int episodes) {
    std::vector<double> r;
    for (int64_t k = 0; k < 3; ++k) r.push_back(rewards[k].sum().item<double>() / episodes);
    return r;
  };
  EXPECT_TRUE(at::allclose(ExactExplorationCredit(returns(2), masks, {2, 2, 2}, {}, o),
                           ExactExplorationCredit(returns(4), masks, {4, 4, 4}, {}, o)));
}

// MakeTaskBatch records what it divided each task's advantages by.
TEST(EMaml, TaskBatchRecordsItsAdvantageScale) {
  // Two tasks × two episodes over T = 4; the last episode has 3 steps.
  runners::EpisodeBatch e;
  e.rewards = at::tensor({1.0f, -2.0f, 0.5f, 3.0f, 2.0f, 1.0f, -1.0f, 0.0f, 0.5f, 4.0f, 2.0f, 1.0f, 3.0f, -1.0f,
                          1.5f, 0.0f})
                  .view({4, 4});
  e.masks = at::ones({4, 4});
  e.masks[3][3] = 0.0f;
  e.observations = at::arange(16, at::kFloat).view({4, 4, 1}) / 16.0;
  e.actions = at::zeros({4, 4, 1});
  e.lengths = {4, 4, 4, 3};
  e.task_ids = {0, 0, 1, 1};
  e.terminated = {0, 0, 0, 0};
  e.unstable = {0, 0, 0, 0};
  e.episodes_per_task = 2;
  e.task_episodes = {2, 2};
  e.tasks = {envs::Task({{"a", 0.0}}), envs::Task({{"a", 1.0}})};
  AdvantageOptions raw_options;
  raw_options.normalize = false;
  const TaskBatch raw = MakeTaskBatch(e, raw_options);
  const TaskBatch normalized = MakeTaskBatch(e, AdvantageOptions{});
  EXPECT_TRUE(at::equal(raw.advantage_scale, at::ones({2})));
  for (int64_t k = 0; k < 2; ++k) {
    const at::Tensor m = raw.masks[k].to(at::kBool);
    const at::Tensor a = raw.advantages[k].masked_select(m).to(at::kDouble);
    const double std = (a - a.mean()).pow(2).mean().sqrt().item<double>();
    EXPECT_NEAR(normalized.advantage_scale[k].item<double>(), std, 1e-5 * std);
    const at::Tensor back = normalized.advantages[k].masked_select(m).to(at::kDouble) * std + a.mean();
    EXPECT_TRUE(at::allclose(back, a, 1e-4, 1e-5));
  }
  EXPECT_TRUE(at::equal(normalized.Narrow(1, 1).advantage_scale, normalized.advantage_scale.narrow(0, 1, 1)));
}

// Packing by task keeps each task's real steps in time-major order and pads
// with zeros to the largest task (or a wider width). By hand: two tasks of
// two episode columns over T = 3; task 0's episodes last 3 and 1 steps, task
// 1's 2 and 0 (an empty column of a step-budget batch).
TEST(TaskBatches, PackingKeepsEachTasksRealStepsInTimeOrder) {
  runners::EpisodeBatch e;
  e.tasks = {envs::Task({{"a", 0.0}}), envs::Task({{"a", 1.0}})};
  e.episodes_per_task = 2;
  e.task_episodes = {2, 1};
  e.lengths = {3, 1, 2, 0};
  e.task_ids = {0, 0, 1, 1};
  // Value 10·t + b at step t of column b (B = 4).
  e.rewards = (at::arange(3, at::kFloat).view({3, 1}) * 10 + at::arange(4, at::kFloat).view({1, 4})).contiguous();
  e.observations = e.rewards.unsqueeze(2).repeat({1, 1, 2});
  EXPECT_EQ(LargestTaskSteps(e), 4);
  const at::Tensor index = TaskStepIndex(e);
  // Task 0: (t0,b0) (t0,b1) (t1,b0) (t2,b0) → rows 0, 1, 4, 8; task 1: (t0,b2) (t1,b2), then padding (row 12).
  EXPECT_TRUE(at::equal(index, at::tensor({0L, 1L, 4L, 8L, 2L, 6L, 12L, 12L}, at::kLong).view({2, 4})));
  const at::Tensor packed = PackByTask(e.rewards, index);
  EXPECT_TRUE(at::equal(packed, at::tensor({0.0f, 1.0f, 10.0f, 20.0f, 2.0f, 12.0f, 0.0f, 0.0f}).view({2, 4})));
  const at::Tensor obs = PackByTask(e.observations, index);
  EXPECT_EQ(obs.sizes(), (at::IntArrayRef{2, 4, 2}));
  EXPECT_TRUE(at::equal(obs.select(2, 1), packed));
  EXPECT_EQ(TaskStepIndex(e, 6).size(1), 6);
}

// One-step Gaussian bandit: obs ≡ 1, action a ~ N(μ, σ²) with μ = w + b,
// σ = exp(s) (a policy with no hidden layer), reward −(a − g)². After one
// REINFORCE step on N pre-update samples (raw rewards as advantages),
// J(θ') = E_{a∼π_θ'}[r] = −((μ' − g)² + σ'²) exactly.
struct Bandit {
  static constexpr double kGoal = 1.0, kFastLr = 0.05;
  static constexpr int64_t kPre = 8, kPost = 8;  // one-step episodes per task
  Rng rng{3};
  GaussianMlpPolicy policy{1, 1, [] {
                             GaussianMlpOptions o;
                             o.hidden_sizes = {};
                             return o;
                           }(),
                           rng};
  Params theta = {at::full({1, 1}, 0.2, at::kDouble), at::full({1}, 0.1, at::kDouble), at::full({1}, -0.2, at::kDouble)};

  static TaskBatch Episodes(const at::Tensor& actions) {
    const int64_t k = actions.size(0), n = actions.size(1);
    TaskBatch b;
    b.observations = at::ones({k, n, 1}, at::kDouble);
    b.actions = actions;
    b.advantages = -(actions.squeeze(2) - kGoal).pow(2);
    b.masks = at::ones({k, n}, at::kDouble);
    return b;
  }

  // The E-MAML (or MAML) meta-gradient estimate of a meta-batch of k tasks.
  at::Tensor Estimate(int64_t k, bool exploration) {
    const at::Tensor mu = theta[0].sum() + theta[1].sum(), sigma = at::exp(theta[2].sum());
    const TaskBatch pre = Episodes((mu + sigma * at::randn({k, kPre, 1}, at::kDouble)));
    const policies::DiagGaussian post =
        policy.Forward(at::ones({k, kPost, 1}, at::kDouble), Adapt(policy, theta, {pre}, kFastLr, AdaptGraph::kNone));
    const TaskBatch valid = Episodes(post.mean() + at::exp(post.log_std()) * at::randn({k, kPost, 1}, at::kDouble));
    MetaBatch batch{{pre}, valid, {}};
    if (exploration) {
      const at::Tensor u = valid.advantages.mean(1).contiguous();
      ExplorationOptions o;
      o.enabled = true;
      o.estimator = "exact";
      const at::Tensor credit = ExactExplorationCredit(
          std::vector<double>(u.data_ptr<double>(), u.data_ptr<double>() + k), valid.masks,
          std::vector<int>(k, static_cast<int>(kPost)), {}, o);
      batch.exploration_weights = ExplorationWeights(credit, {pre.masks}, false);
    }
    std::vector<TaskChunk> chunks = SplitTasks(batch, static_cast<int>(k));
    return MetaGradientOnChunks(policy, theta, chunks, kFastLr, AdaptGraph::kSecondOrder, false, nullptr).gradient;
  }

  // −∇_θ E[J(θ'(θ, a))] by reparametrised samples a = μ + σ ε (autograd
  // through the closed-form inner step and J), over `samples` meta-tasks.
  at::Tensor TrueGradient(int64_t samples) const {
    Params leaves;
    for (const auto& t : theta) leaves.push_back(t.clone().requires_grad_(true));
    const at::Tensor w = leaves[0].sum(), b = leaves[1].sum(), s = leaves[2].sum();
    const at::Tensor mu = w + b, sigma = at::exp(s);
    const at::Tensor eps = at::randn({samples, kPre}, at::kDouble);
    const at::Tensor r = -(mu + sigma * eps - kGoal).pow(2);
    // ∇ log π at a = μ + σε: ∂/∂w = ∂/∂b = ε/σ, ∂/∂s = ε² − 1.
    const at::Tensor dmu = kFastLr * (r * eps / sigma).mean(1);
    const at::Tensor mu_post = (w + dmu) + (b + dmu);
    const at::Tensor s_post = s + kFastLr * (r * (eps.pow(2) - 1.0)).mean(1);
    const at::Tensor j = -((mu_post - kGoal).pow(2) + at::exp(2.0 * s_post));
    return -Flatten(torch::autograd::grad({j.mean()}, leaves));
  }
};

struct MeanAndError {
  at::Tensor mean, standard_error;
};

MeanAndError OverGroups(const std::function<at::Tensor()>& draw, int groups) {
  std::vector<at::Tensor> g;
  for (int i = 0; i < groups; ++i) g.push_back(draw());
  const at::Tensor stacked = at::stack(g);
  return {stacked.mean(0), stacked.std(0) / std::sqrt(static_cast<double>(groups))};
}

TEST(EMaml, BanditMetaGradientIsUnbiasedWhereMamlsIsNot) {
  Bandit bandit;
  at::manual_seed(17);
  const at::Tensor truth = bandit.TrueGradient(1'000'000);
  constexpr int kGroups = 20;
  constexpr int64_t kTasksPerGroup = 400;
  const MeanAndError emaml = OverGroups([&] { return bandit.Estimate(kTasksPerGroup, true); }, kGroups);
  const MeanAndError maml = OverGroups([&] { return bandit.Estimate(kTasksPerGroup, false); }, kGroups);
  // The reference's own Monte-Carlo error is far below the estimators' (1M
  // reparametrised samples); 4 standard errors per component. (With 20 × 1000
  // tasks: E-MAML within 1.0 SE of the truth in every component, MAML 25–44
  // SE away.)
  const at::Tensor z_emaml = ((emaml.mean - truth) / emaml.standard_error).abs();
  const at::Tensor z_maml = ((maml.mean - truth) / maml.standard_error).abs();
  EXPECT_LT(z_emaml.max().item<double>(), 4.0) << "truth " << truth << "\nE-MAML " << emaml.mean << " ± "
                                                << emaml.standard_error;
  EXPECT_GT(z_maml.max().item<double>(), 6.0) << "truth " << truth << "\nMAML " << maml.mean << " ± "
                                               << maml.standard_error;
}

}  // namespace
}  // namespace metarl::algorithms
