// Conformance suite over every registered env (and both physics presets of
// the MuJoCo families): shapes, finite values, no instability under random
// actions, seed determinism, truncation at the horizon, task switching.

#include <cmath>
#include <map>

#include <gtest/gtest.h>

#include "envs/mujoco/mujoco_env.h"
#include "envs/registry.h"
#include "tests/test_util.h"

namespace metarl::envs {
namespace {

struct Case {
  std::string env;
  std::string kwargs;  // YAML
};

void PrintTo(const Case& c, std::ostream* os) { *os << c.env << " " << c.kwargs; }

std::vector<Case> AllCases() {
  std::vector<Case> cases;
  for (const auto& entry : EnvRegistry()) {
    if (entry.physics_presets) {
      cases.push_back({entry.name, "{physics: gym, horizon: 30}"});
      cases.push_back({entry.name, "{physics: rllab, horizon: 30}"});
    } else {
      cases.push_back({entry.name, "{horizon: 30}"});
    }
  }
  return cases;
}

std::string CaseName(const ::testing::TestParamInfo<Case>& info) {
  std::string name = info.param.env;
  if (info.param.kwargs.find("rllab") != std::string::npos) name += "_rllab";
  if (info.param.kwargs.find("gym") != std::string::npos) name += "_gym";
  return name;
}

// Expected layouts, as documented in each env header.
const std::map<std::string, std::pair<int, int>> kDims = {
    {"HalfCheetahVel", {20, 6}}, {"HalfCheetahDir", {20, 6}}, {"AntVel", {125, 8}},
    {"AntDir", {125, 8}},        {"AntGoal", {125, 8}},       {"Navigation2D", {2, 2}},
    {"Bandit", {1, 1}}};

// A random action in the spec's bounds (an integral index for discrete envs).
float RandomAction(const EnvSpec& spec, int i, Rng& rng) {
  if (spec.num_actions > 0) return static_cast<float>(rng.UniformInt(static_cast<std::uint64_t>(spec.num_actions)));
  return static_cast<float>(rng.Uniform(spec.act_low[i], spec.act_high[i]));
}

class EnvConformance : public ::testing::TestWithParam<Case> {
 protected:
  void SetUp() override { dist_ = testing::MakeDist(GetParam().env, GetParam().kwargs); }

  struct Trace {
    std::vector<float> obs;
    std::vector<double> rewards;
    std::vector<StepResult> results;
  };

  // Runs one episode with actions uniform in the action bounds.
  Trace Run(Env& env, const Task& task, std::uint64_t seed) {
    Trace trace;
    Rng rng(seed);
    const EnvSpec& spec = env.spec();
    std::vector<float> obs(spec.obs_dim), action(spec.act_dim);
    env.ResetTask(task);
    env.Reset(rng, Span<float>(obs));
    trace.obs.insert(trace.obs.end(), obs.begin(), obs.end());
    while (env.in_episode()) {
      for (int i = 0; i < spec.act_dim; ++i) action[i] = RandomAction(spec, i, rng);
      const StepResult r = env.Step(Span<const float>(action), Span<float>(obs));
      trace.obs.insert(trace.obs.end(), obs.begin(), obs.end());
      trace.rewards.push_back(r.reward);
      trace.results.push_back(r);
    }
    return trace;
  }

  std::unique_ptr<TaskDistribution> dist_;
};

TEST_P(EnvConformance, SpecMatchesTheDocumentedLayout) {
  const EnvSpec spec = dist_->spec();
  const auto dims = kDims.at(GetParam().env);
  EXPECT_EQ(spec.obs_dim, dims.first);
  EXPECT_EQ(spec.act_dim, dims.second);
  EXPECT_EQ(spec.horizon, 30);
  ASSERT_EQ(spec.act_low.size(), static_cast<size_t>(spec.act_dim));
  ASSERT_EQ(spec.act_high.size(), static_cast<size_t>(spec.act_dim));
  for (int i = 0; i < spec.act_dim; ++i) EXPECT_LT(spec.act_low[i], spec.act_high[i]);
  EXPECT_GT(spec.dt, 0.0);
  auto env = dist_->MakeEnv();
  EXPECT_EQ(env->spec().obs_dim, spec.obs_dim);
}

TEST_P(EnvConformance, EpisodesAreFiniteStableAndTruncatedAtTheHorizon) {
  Rng task_rng(11);
  auto env = dist_->MakeEnv();
  for (const Task& task : dist_->Sample(3, task_rng)) {
    const Trace trace = Run(*env, task, 5);
    for (float v : trace.obs) ASSERT_TRUE(std::isfinite(v));
    ASSERT_FALSE(trace.results.empty());
    for (std::size_t t = 0; t < trace.results.size(); ++t) {
      const StepResult& r = trace.results[t];
      ASSERT_TRUE(std::isfinite(r.reward));
      EXPECT_FALSE(r.unstable) << "MuJoCo warning or NaN at step " << t;
      const bool last = t + 1 == trace.results.size();
      EXPECT_EQ(r.terminated || r.truncated, last) << "step " << t;
    }
    const StepResult& end = trace.results.back();
    if (!end.terminated) {
      EXPECT_TRUE(end.truncated);
      EXPECT_EQ(trace.results.size(), 30u);
    }
    EXPECT_EQ(env->steps(), static_cast<int>(trace.results.size()));
  }
  EXPECT_EQ(env->unstable_episodes(), 0);
}

TEST_P(EnvConformance, SameSeedGivesBitIdenticalEpisodes) {
  Rng task_rng(3);
  const Task task = dist_->Sample(1, task_rng)[0];
  auto a = dist_->MakeEnv();
  auto b = dist_->MakeEnv();
  const Trace ta = Run(*a, task, 99);
  const Trace tb = Run(*b, task, 99);
  ASSERT_EQ(ta.obs.size(), tb.obs.size());
  for (std::size_t i = 0; i < ta.obs.size(); ++i) ASSERT_EQ(ta.obs[i], tb.obs[i]) << i;
  ASSERT_EQ(ta.rewards, tb.rewards);
  // Reusing an env gives the same episode again.
  const Trace again = Run(*a, task, 99);
  EXPECT_EQ(again.rewards, ta.rewards);
  // A different seed gives a different episode (reset noise / actions differ).
  const Trace other = Run(*b, task, 100);
  EXPECT_NE(other.rewards, ta.rewards);
}

TEST_P(EnvConformance, NewTaskTakesEffectAtTheNextResetOnly) {
  Rng task_rng(4);
  std::vector<Task> tasks = dist_->Sample(40, task_rng);
  Task first = tasks[0], second = tasks[0];
  for (const Task& t : tasks) {
    if (!(t == first)) second = t;
  }
  ASSERT_FALSE(first == second);
  const EnvSpec spec = dist_->spec();
  std::vector<float> obs(spec.obs_dim), action(spec.act_dim, 0.0f);
  auto a = dist_->MakeEnv();
  auto b = dist_->MakeEnv();
  Rng ra(1), rb(1);
  a->ResetTask(first);
  b->ResetTask(first);
  a->Reset(ra, Span<float>(obs));
  b->Reset(rb, Span<float>(obs));
  a->ResetTask(second);  // mid-episode: the current episode keeps `first`
  EXPECT_EQ(a->task(), second);
  // Rewards summed over (up to) 10 steps of the zero action: one step of a
  // Bernoulli bandit can give the same reward under both tasks.
  auto steps = [&](Env& env) {
    double sum = 0.0;
    for (int t = 0; t < 10 && env.in_episode(); ++t) sum += env.Step(Span<const float>(action), Span<float>(obs)).reward;
    return sum;
  };
  const double ra1 = steps(*a);
  const double rb1 = steps(*b);
  EXPECT_EQ(ra1, rb1);
  // After a reset, `second` is in effect: same start state, different reward.
  Rng ra2(2), rb2(2);
  a->Reset(ra2, Span<float>(obs));
  b->Reset(rb2, Span<float>(obs));
  EXPECT_NE(steps(*a), steps(*b));
}

TEST_P(EnvConformance, MisuseIsRejectedClearly) {
  auto env = dist_->MakeEnv();
  const EnvSpec spec = env->spec();
  std::vector<float> obs(spec.obs_dim), action(spec.act_dim, 0.0f), longer(spec.act_dim + 1, 0.0f);
  Rng rng(0);
  EXPECT_THROW(env->Reset(rng, Span<float>(obs)), std::logic_error);  // no task yet
  Rng task_rng(0);
  env->ResetTask(dist_->Sample(1, task_rng)[0]);
  EXPECT_THROW(env->Step(Span<const float>(action), Span<float>(obs)), std::logic_error);  // no Reset
  env->Reset(rng, Span<float>(obs));
  const std::string msg = testing::InvalidArgumentMessage(
      [&] { env->Step(Span<const float>(longer), Span<float>(obs)); });
  EXPECT_NE(msg.find("act_dim = " + std::to_string(spec.act_dim)), std::string::npos) << msg;
  action[0] = std::nanf("");
  EXPECT_NE(testing::InvalidArgumentMessage([&] { env->Step(Span<const float>(action), Span<float>(obs)); })
                .find("not finite"),
            std::string::npos);
  std::vector<float> short_obs(spec.obs_dim - 1);
  action[0] = 0.0f;
  EXPECT_THROW(env->Step(Span<const float>(action), Span<float>(short_obs)), std::invalid_argument);
  // Rejected calls left the episode intact.
  EXPECT_NO_THROW(env->Step(Span<const float>(action), Span<float>(obs)));
  EXPECT_THROW(env->ResetTask(Task({{"bogus", 1.0}})), std::invalid_argument);
}

INSTANTIATE_TEST_SUITE_P(AllEnvs, EnvConformance, ::testing::ValuesIn(AllCases()), CaseName);

TEST(EnvRegistry, EveryEntryIsCoveredByTheLayoutTable) {
  for (const auto& entry : EnvRegistry()) EXPECT_EQ(kDims.count(entry.name), 1u) << entry.name;
}

}  // namespace
}  // namespace metarl::envs
