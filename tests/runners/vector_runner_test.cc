#include "runners/vector_runner.h"

#include <ATen/ATen.h>
#include <gtest/gtest.h>

#include "core/threads.h"
#include "policies/gaussian_mlp.h"
#include "tests/test_util.h"

namespace metarl::runners {
namespace {

// Wraps a policy and records every Act() call's batch shape.
class CountingPolicy final : public policies::BatchPolicy {
 public:
  explicit CountingPolicy(policies::BatchPolicy& inner) : inner_(inner) {}
  int64_t obs_dim() const override { return inner_.obs_dim(); }
  int64_t act_dim() const override { return inner_.act_dim(); }
  std::unique_ptr<policies::RowSampler> Act(const at::Tensor& obs) override {
    ++calls;
    rows.push_back(obs.size(0));
    return inner_.Act(obs);
  }
  int calls = 0;
  std::vector<int64_t> rows;

 private:
  policies::BatchPolicy& inner_;
};

policies::GaussianMlpOptions SmallPolicy() {
  policies::GaussianMlpOptions o;
  o.hidden_sizes = {16, 16};
  return o;
}

EpisodeBatch Rollout(const envs::TaskDistribution& dist, int threads, std::uint64_t seed, int tasks = 3,
                 int per_task = 4, BatchUnit unit = BatchUnit::kEpisodes) {
  Rng rng(1);
  const auto task_list = dist.Sample(tasks, rng);
  policies::GaussianMlpPolicy policy(dist.spec().obs_dim, dist.spec().act_dim, SmallPolicy(), rng);
  VectorRunnerOptions options;
  options.threads = threads;
  VectorRunner runner(dist, options);
  return runner.Sample(task_list, per_task, policy, seed, 0, unit);
}

void ExpectIdentical(const EpisodeBatch& a, const EpisodeBatch& b) {
  EXPECT_TRUE(at::equal(a.observations, b.observations));
  EXPECT_TRUE(at::equal(a.actions, b.actions));
  EXPECT_TRUE(at::equal(a.rewards, b.rewards));
  EXPECT_TRUE(at::equal(a.masks, b.masks));
  EXPECT_EQ(a.lengths, b.lengths);
  EXPECT_EQ(a.terminated, b.terminated);
  EXPECT_EQ(a.task_episodes, b.task_episodes);
}

// Acts (0.1, 0.1) in every row, whatever the observation.
class DiagonalPolicy final : public policies::BatchPolicy {
 public:
  int64_t obs_dim() const override { return 2; }
  int64_t act_dim() const override { return 2; }
  std::unique_ptr<policies::RowSampler> Act(const at::Tensor&) override {
    struct Row final : policies::RowSampler {
      void Sample(int64_t, Rng&, float* out) const override { out[0] = out[1] = 0.1f; }
    };
    return std::make_unique<Row>();
  }
};

TEST(VectorRunner, EpisodesAreBitIdenticalForAnyThreadCount) {
  for (const auto& [env, kwargs] : std::vector<std::pair<std::string, std::string>>{
           {"HalfCheetahVel", "{horizon: 25}"}, {"AntGoal", "{horizon: 25}"}, {"Navigation2D", "{horizon: 25}"}}) {
    SCOPED_TRACE(env);
    auto dist = testing::MakeDist(env, kwargs);
    const EpisodeBatch one = Rollout(*dist, 1, 42);
    ExpectIdentical(one, Rollout(*dist, 2, 42));
    ExpectIdentical(one, Rollout(*dist, 3, 42));
    ExpectIdentical(one, Rollout(*dist, 5, 42));
    EXPECT_FALSE(at::equal(one.rewards, Rollout(*dist, 2, 43).rewards));
  }
}

TEST(VectorRunner, EpisodesDoNotDependOnTheMathLibrariesThreadCount) {
  auto dist = testing::MakeDist("HalfCheetahVel", "{horizon: 20}");
  SetMathThreads(1);
  const EpisodeBatch one = Rollout(*dist, 2, 11, 8, 25);  // B = 200: large enough for BLAS to split
  SetMathThreads(2);
  const EpisodeBatch two = Rollout(*dist, 2, 11, 8, 25);
  SetMathThreads(1);
  ExpectIdentical(one, two);
}

// maml_rl's vectorized_sampler.py: envs restart when their episode ends and
// a task's batch is complete once its finished episodes hold
// slots × horizon steps; episodes still running then are dropped. By hand
// with 2 slots per task, horizon 10 (budget 20 steps) and a policy that
// moves (0.1, 0.1) per step from the origin: a goal at (0.3, 0.3) is reached
// in 3 steps (each slot has finished 4 episodes = 24 steps after 12 steps),
// one at (0.5, 0.5) in 5 (2 episodes per slot, 20 steps after 10), one at
// (0.5, -0.5) never (one truncated 10-step episode per slot).
TEST(VectorRunner, StepBudgetRestartsFinishedEnvsUntilEachTaskHasItsSteps) {
  auto dist = testing::MakeDist("Navigation2D", "{horizon: 10}");
  const std::vector<envs::Task> tasks = {envs::Task({{"goal_x", 0.3}, {"goal_y", 0.3}}),
                                         envs::Task({{"goal_x", 0.5}, {"goal_y", 0.5}}),
                                         envs::Task({{"goal_x", 0.5}, {"goal_y", -0.5}})};
  DiagonalPolicy policy;
  for (int threads : {1, 2, 3}) {
    SCOPED_TRACE(threads);
    VectorRunnerOptions options;
    options.threads = threads;
    VectorRunner runner(*dist, options);
    const EpisodeBatch b = runner.Sample(tasks, 2, policy, 5, 0, BatchUnit::kSteps);
    EXPECT_EQ(b.task_episodes, (std::vector<int>{8, 4, 2}));
    ASSERT_EQ(b.episodes_per_task, 8);
    ASSERT_EQ(b.size(), 24);
    EXPECT_EQ(runner.last_forward_calls(), 12);  // the slowest task's 12 steps
    const int lengths[3] = {3, 5, 10};
    for (int64_t c = 0; c < 24; ++c) {
      const int k = static_cast<int>(c / 8), e = static_cast<int>(c % 8);
      EXPECT_EQ(b.task_ids[c], k);
      const bool real = e < b.task_episodes[k];
      EXPECT_EQ(b.lengths[c], real ? lengths[k] : 0) << "column " << c;
      EXPECT_EQ(b.terminated[c], real && k < 2 ? 1 : 0) << "column " << c;
      // Each episode starts at the origin and its reward is −‖p − goal‖ after
      // each step.
      for (int t = 0; t < b.lengths[c]; ++t) {
        EXPECT_NEAR(b.observations[t][c][0].item<float>(), 0.1f * t, 1e-6);
        const double dx = 0.1 * (t + 1) - tasks[k].Get("goal_x"), dy = 0.1 * (t + 1) - tasks[k].Get("goal_y");
        EXPECT_NEAR(b.rewards[t][c].item<float>(), -std::sqrt(dx * dx + dy * dy), 1e-6);
      }
    }
    EXPECT_EQ(b.masks.sum().item<float>(), 24.0f + 20.0f + 20.0f);
    EXPECT_NEAR(b.TaskMeanReturns()[1], b.EpisodeReturns()[8], 1e-9);  // four identical episodes
  }
}

// Without terminations the two units give the same batch; with them, the
// step budget holds at least slots × horizon steps per task and is
// bit-identical for any thread count.
TEST(VectorRunner, StepBudgetEqualsEpisodesWithoutTerminationsAndIsThreadIndependent) {
  auto cheetah = testing::MakeDist("HalfCheetahVel", "{horizon: 15}");
  ExpectIdentical(Rollout(*cheetah, 2, 9, 3, 4, BatchUnit::kEpisodes), Rollout(*cheetah, 2, 9, 3, 4, BatchUnit::kSteps));
  auto ant = testing::MakeDist("AntVel", "{horizon: 30}");
  const EpisodeBatch one = Rollout(*ant, 1, 4, 3, 5, BatchUnit::kSteps);
  ExpectIdentical(one, Rollout(*ant, 2, 4, 3, 5, BatchUnit::kSteps));
  ExpectIdentical(one, Rollout(*ant, 3, 4, 3, 5, BatchUnit::kSteps));
  std::vector<int> steps(3, 0);
  for (int64_t c = 0; c < one.size(); ++c) steps[one.task_ids[c]] += one.lengths[c];
  for (int s : steps) EXPECT_GE(s, 5 * 30);
  // The ant falls (torso below 0.2 m) within 30 steps often: restarted
  // episodes exist (7, 8 and 6 episodes from 5 slots when written).
  for (int e : one.task_episodes) EXPECT_GT(e, 5);
}

TEST(VectorRunner, BatchLayoutMasksAndTaskAssignment) {
  auto dist = testing::MakeDist("HalfCheetahDir", "{horizon: 15}");
  const EpisodeBatch b = Rollout(*dist, 2, 7, /*tasks=*/3, /*per_task=*/4);
  EXPECT_EQ(b.observations.sizes(), (at::IntArrayRef{15, 12, 20}));
  EXPECT_EQ(b.actions.sizes(), (at::IntArrayRef{15, 12, 6}));
  EXPECT_EQ(b.rewards.sizes(), (at::IntArrayRef{15, 12}));
  for (int64_t e = 0; e < 12; ++e) {
    EXPECT_EQ(b.task_ids[e], e / 4);
    EXPECT_EQ(b.lengths[e], 15);
    EXPECT_EQ(b.terminated[e], 0);
  }
  EXPECT_EQ(b.masks.sum().item<float>(), 15.0f * 12);
  EXPECT_EQ(b.total_steps(), 180);
  EXPECT_EQ(b.tasks.size(), 3u);
  EXPECT_EQ(b.task_episodes, (std::vector<int>{4, 4, 4}));
}

TEST(VectorRunner, ObservationsAreRecordedBeforeEachActionAndPaddingIsZero) {
  // Navigation2D: obs[t+1] = obs[t] + clip(action[t], ±0.1); episodes may end early.
  auto dist = testing::MakeDist("Navigation2D", "{horizon: 40}");
  const EpisodeBatch b = Rollout(*dist, 2, 3, 4, 5);
  auto obs = b.observations.accessor<float, 3>();
  auto act = b.actions.accessor<float, 3>();
  for (int64_t e = 0; e < b.size(); ++e) {
    EXPECT_EQ(obs[0][e][0], 0.0f);
    for (int t = 0; t + 1 < b.lengths[e]; ++t) {
      for (int i = 0; i < 2; ++i) {
        const float moved = obs[t][e][i] + std::clamp(act[t][e][i], -0.1f, 0.1f);
        ASSERT_NEAR(obs[t + 1][e][i], moved, 1e-5);
      }
    }
    for (int t = b.lengths[e]; t < 40; ++t) {
      ASSERT_EQ(b.masks[t][e].item<float>(), 0.0f);
      ASSERT_EQ(b.rewards[t][e].item<float>(), 0.0f);
    }
  }
}

TEST(VectorRunner, PolicyRunsOncePerStepOnTheWholeBatch) {
  auto dist = testing::MakeDist("HalfCheetahVel", "{horizon: 12}");
  Rng rng(1);
  policies::GaussianMlpPolicy policy(20, 6, SmallPolicy(), rng);
  CountingPolicy counting(policy);
  VectorRunnerOptions options;
  options.threads = 2;
  VectorRunner runner(*dist, options);
  runner.Sample(dist->Sample(5, rng), 3, counting, 1);
  EXPECT_EQ(counting.calls, 12);
  EXPECT_EQ(runner.last_forward_calls(), 12);
  for (int64_t rows : counting.rows) EXPECT_EQ(rows, 15);
}

TEST(VectorRunner, RejectsMismatchedPoliciesAndInvalidTasks) {
  auto dist = testing::MakeDist("Navigation2D");
  Rng rng(1);
  policies::GaussianMlpPolicy wrong(3, 2, SmallPolicy(), rng);
  VectorRunner runner(*dist, VectorRunnerOptions{});
  const std::string msg =
      testing::InvalidArgumentMessage([&] { runner.Sample(dist->Sample(2, rng), 2, wrong, 1); });
  EXPECT_NE(msg.find("obs_dim"), std::string::npos) << msg;
  policies::GaussianMlpPolicy right(2, 2, SmallPolicy(), rng);
  EXPECT_THROW(runner.Sample({envs::Task({{"goal_x", 0.1}})}, 2, right, 1), std::invalid_argument);
  EXPECT_THROW(runner.Sample({}, 2, right, 1), std::invalid_argument);
  EXPECT_THROW(runner.Sample(dist->Sample(1, rng), 0, right, 1), std::invalid_argument);
  VectorRunnerOptions zero;
  zero.threads = 0;
  EXPECT_THROW(VectorRunner(*dist, zero), std::invalid_argument);
}

}  // namespace
}  // namespace metarl::runners
