// Each reward formula against a hand-computed step. The expected values are
// computed from an independent replica of the physics (a fresh mjData stepped
// by hand with the clipped controls), not from the env's own code paths.

#include <algorithm>
#include <cmath>

#include <gtest/gtest.h>

#include "core/mujoco_model.h"
#include "envs/ant/ant.h"
#include "envs/half_cheetah/half_cheetah.h"
#include "envs/navigation/navigation2d.h"
#include "tests/test_util.h"

namespace metarl::envs {
namespace {

struct Replica {
  MjDataPtr data;
  double x_before = 0.0;
};

// Copies the env's state into a fresh mjData and steps it `frame_skip` times
// with ctrl = clip(action, -1, 1).
Replica StepReplica(const MujocoEnv& env, const std::vector<float>& action, int frame_skip) {
  const mjModel* m = env.model();
  Replica r;
  r.data = MakeData(m);
  mjData* d = r.data.get();
  for (int i = 0; i < m->nq; ++i) d->qpos[i] = env.data()->qpos[i];
  for (int i = 0; i < m->nv; ++i) d->qvel[i] = env.data()->qvel[i];
  r.x_before = d->qpos[0];
  for (int i = 0; i < m->nu; ++i) d->ctrl[i] = std::clamp(static_cast<double>(action[i]), -1.0, 1.0);
  for (int k = 0; k < frame_skip; ++k) mj_step(m, d);
  mj_forward(m, d);
  mj_rnePostConstraint(m, d);
  return r;
}

// Σ clip(a, -1, 1)²: the control range of every shipped model is [-1, 1].
double ClippedSumSquares(const std::vector<float>& a) {
  double s = 0;
  for (float v : a) s += std::pow(std::clamp(static_cast<double>(v), -1.0, 1.0), 2);
  return s;
}

// An action with entries outside [-1, 1]: the control cost must use it
// clipped to the control range, as the sources do (maml_rl clips before
// ctrl_cost; rllab's normalize() clips before step).
std::vector<float> TestAction(int n) {
  std::vector<float> a(n);
  for (int i = 0; i < n; ++i) a[i] = static_cast<float>(-1.5 + 0.45 * i);
  return a;
}

template <typename EnvT>
MujocoEnv& AsMujoco(std::unique_ptr<Env>& env) {
  return *dynamic_cast<MujocoEnv*>(env.get());
}

TEST(Rewards, HalfCheetahVelGymIsMinusVelocityErrorMinusControlCost) {
  auto dist = testing::MakeDist("HalfCheetahVel", "{physics: gym}");
  auto env = dist->MakeEnv();
  MujocoEnv& m = AsMujoco<HalfCheetahEnv>(env);
  std::vector<float> obs(20), action = TestAction(6);
  Rng rng(3);
  env->ResetTask(Task({{"velocity", 1.3}}));
  env->Reset(rng, Span<float>(obs));
  for (int warm = 0; warm < 5; ++warm) env->Step(Span<const float>(action), Span<float>(obs));
  Replica rep = StepReplica(m, action, 5);
  const double v = (rep.data->qpos[0] - rep.x_before) / 0.05;  // dt = 5 × 0.01 s
  const double expected = -std::abs(v - 1.3) - 0.05 * ClippedSumSquares(action);
  const StepResult r = env->Step(Span<const float>(action), Span<float>(obs));
  EXPECT_NEAR(r.reward, expected, 1e-9);
  EXPECT_FALSE(r.terminated);
  // Observation layout: qpos[1:], qvel, torso-subtree COM.
  for (int i = 0; i < 8; ++i) EXPECT_FLOAT_EQ(obs[i], static_cast<float>(rep.data->qpos[i + 1]));
  for (int i = 0; i < 9; ++i) EXPECT_FLOAT_EQ(obs[8 + i], static_cast<float>(rep.data->qvel[i]));
  const int torso = mj_name2id(m.model(), mjOBJ_BODY, "torso");
  for (int i = 0; i < 3; ++i) EXPECT_FLOAT_EQ(obs[17 + i], static_cast<float>(rep.data->subtree_com[3 * torso + i]));
}

TEST(Rewards, HalfCheetahRllabUsesOneFrameAndTheTorsoComVelocity) {
  auto dist = testing::MakeDist("HalfCheetahVel", "{physics: rllab}");
  EXPECT_DOUBLE_EQ(dist->spec().dt, 0.01);
  auto env = dist->MakeEnv();
  MujocoEnv& m = AsMujoco<HalfCheetahEnv>(env);
  std::vector<float> obs(20), action = TestAction(6);
  Rng rng(4);
  env->ResetTask(Task({{"velocity", 0.4}}));
  env->Reset(rng, Span<float>(obs));
  for (int warm = 0; warm < 20; ++warm) env->Step(Span<const float>(action), Span<float>(obs));
  Replica rep = StepReplica(m, action, 1);
  const int torso = mj_name2id(m.model(), mjOBJ_BODY, "torso");
  mjtNum vel[6];
  mj_objectVelocity(m.model(), rep.data.get(), mjOBJ_BODY, torso, vel, 0);
  const double expected = -std::abs(vel[3] - 0.4) - 0.05 * ClippedSumSquares(action);
  EXPECT_NEAR(env->Step(Span<const float>(action), Span<float>(obs)).reward, expected, 1e-9);
}

TEST(Rewards, HalfCheetahDirIsDirectionTimesVelocity) {
  auto dist = testing::MakeDist("HalfCheetahDir");
  auto env = dist->MakeEnv();
  MujocoEnv& m = AsMujoco<HalfCheetahEnv>(env);
  std::vector<float> obs(20), action = TestAction(6);
  Rng rng(5);
  env->ResetTask(Task({{"direction", -1.0}}));
  env->Reset(rng, Span<float>(obs));
  for (int warm = 0; warm < 3; ++warm) env->Step(Span<const float>(action), Span<float>(obs));
  Replica rep = StepReplica(m, action, 5);
  const double v = (rep.data->qpos[0] - rep.x_before) / 0.05;
  EXPECT_NEAR(env->Step(Span<const float>(action), Span<float>(obs)).reward,
              -v - 0.05 * ClippedSumSquares(action), 1e-9);
}

double AntCosts(const mjModel* m, const mjData* d, const std::vector<float>& action) {
  double contact = 0;
  for (int i = 0; i < 6 * m->nbody; ++i) {
    const double f = std::clamp(d->cfrc_ext[i], -1.0, 1.0);
    contact += f * f;
  }
  return 0.005 * ClippedSumSquares(action) + 0.0005 * contact;  // action scale is 1 for ctrlrange [-1, 1]
}

struct AntCase {
  std::string env, kwargs;
  Task task;
};

TEST(Rewards, AntFamilyHandComputed) {
  const std::vector<AntCase> cases = {
      {"AntVel", "{physics: gym}", Task({{"velocity", 0.7}})},
      {"AntVel", "{physics: rllab}", Task({{"velocity", 2.1}})},
      {"AntDir", "{physics: gym}", Task({{"direction", 1.0}})},
      {"AntGoal", "{physics: gym}", Task({{"goal_x", 1.5}, {"goal_y", -2.0}})},
      {"AntGoal", "{physics: rllab, goal-sampling: disk}", Task({{"goal_x", -0.5}, {"goal_y", 0.25}})},
  };
  for (const auto& c : cases) {
    SCOPED_TRACE(c.env + " " + c.kwargs);
    auto dist = testing::MakeDist(c.env, c.kwargs);
    auto env = dist->MakeEnv();
    MujocoEnv& m = AsMujoco<AntEnv>(env);
    const bool rllab = c.kwargs.find("rllab") != std::string::npos;
    std::vector<float> obs(125), action = TestAction(8);
    Rng rng(6);
    env->ResetTask(c.task);
    env->Reset(rng, Span<float>(obs));
    // ~1 s of simulated time so the ant (spawned at 0.75 m) stands on the floor.
    for (int warm = 0; warm < (rllab ? 50 : 20); ++warm) env->Step(Span<const float>(action), Span<float>(obs));
    ASSERT_TRUE(env->in_episode());
    Replica rep = StepReplica(m, action, rllab ? 1 : 5);
    const mjModel* mm = m.model();
    const mjData* d = rep.data.get();
    const int torso = mj_name2id(mm, mjOBJ_BODY, "torso");
    double v = (d->qpos[0] - rep.x_before) / (rllab ? 0.02 : 0.05);
    if (rllab) {
      mjtNum vel[6];
      mj_objectVelocity(mm, d, mjOBJ_BODY, torso, vel, 0);
      v = vel[3];
    }
    double progress = 0;
    if (c.env == "AntVel") progress = -std::abs(v - c.task.Get("velocity")) + 1.0;
    if (c.env == "AntDir") progress = c.task.Get("direction") * v;
    if (c.env == "AntGoal") {
      const double* xy = rllab ? d->subtree_com + 3 * torso : d->qpos;
      progress = -(std::abs(xy[0] - c.task.Get("goal_x")) + std::abs(xy[1] - c.task.Get("goal_y"))) + 4.0;
    }
    const double expected = progress - AntCosts(mm, d, action) + 0.05;
    const StepResult r = env->Step(Span<const float>(action), Span<float>(obs));
    EXPECT_NEAR(r.reward, expected, 1e-9);
    // Contact forces are live (MuJoCo computes cfrc_ext only on request).
    double contact = 0;
    for (int i = 29; i < 113; ++i) contact += std::abs(obs[i]);
    EXPECT_GT(contact, 0.0);
    for (int i = 0; i < 15; ++i) EXPECT_FLOAT_EQ(obs[i], static_cast<float>(d->qpos[i]));
  }
}

TEST(Rewards, AntTerminatesWhenTheTorsoLeavesTheHeightBandExceptInTheDiskVariant) {
  for (const std::string kwargs : {"{goal-sampling: square}", "{goal-sampling: disk}"}) {
    auto dist = testing::MakeDist("AntGoal", kwargs);
    auto env = dist->MakeEnv();
    MujocoEnv& m = AsMujoco<AntEnv>(env);
    std::vector<float> obs(125), action(8, 0.0f);
    Rng rng(7);
    env->ResetTask(Task({{"goal_x", 0.0}, {"goal_y", 0.0}}));
    env->Reset(rng, Span<float>(obs));
    m.data()->qpos[2] = 1.6;  // lifted well above 1.0: still above after one step
    mj_forward(m.model(), m.data());
    const StepResult r = env->Step(Span<const float>(action), Span<float>(obs));
    EXPECT_EQ(r.terminated, kwargs.find("square") != std::string::npos) << kwargs;
    EXPECT_FALSE(r.unstable);
  }
}

TEST(Rewards, Navigation2DExactValues) {
  auto dist = testing::MakeDist("Navigation2D");
  auto env = dist->MakeEnv();
  std::vector<float> obs(2);
  Rng rng(0);
  env->ResetTask(Task({{"goal_x", 0.3}, {"goal_y", -0.2}}));
  env->Reset(rng, Span<float>(obs));
  EXPECT_EQ(obs[0], 0.0f);
  EXPECT_EQ(obs[1], 0.0f);
  const std::vector<float> action = {0.5f, -0.05f};  // x clipped to 0.1
  const StepResult r = env->Step(Span<const float>(action), Span<float>(obs));
  const double dx = 0.1 - 0.3, dy = static_cast<double>(-0.05f) + 0.2;
  EXPECT_NEAR(r.reward, -std::sqrt(dx * dx + dy * dy), 1e-12);
  EXPECT_NEAR(obs[0], 0.1f, 1e-7);
  EXPECT_NEAR(obs[1], -0.05f, 1e-7);
  EXPECT_FALSE(r.terminated);

  // Reaching the goal (within 0.01 on both axes) terminates.
  env->ResetTask(Task({{"goal_x", 0.1}, {"goal_y", 0.095}}));
  env->Reset(rng, Span<float>(obs));
  const std::vector<float> to_goal = {0.1f, 0.1f};
  const StepResult done = env->Step(Span<const float>(to_goal), Span<float>(obs));
  EXPECT_TRUE(done.terminated);
  EXPECT_FALSE(done.truncated);
  EXPECT_NEAR(done.reward, -0.005, 1e-7);

  // action-scale 0.1 (rllab's normalize()): the policy acts in [-1, 1].
  auto scaled_dist = testing::MakeDist("Navigation2D", "{action-scale: 0.1}");  // outlives its envs
  auto scaled = scaled_dist->MakeEnv();
  EXPECT_FLOAT_EQ(scaled->spec().act_high[0], 1.0f);
  scaled->ResetTask(Task({{"goal_x", 0.3}, {"goal_y", -0.2}}));
  scaled->Reset(rng, Span<float>(obs));
  const std::vector<float> unit = {2.0f, -0.5f};  // x: 0.2 clipped to 0.1; y: -0.05
  const StepResult s = scaled->Step(Span<const float>(unit), Span<float>(obs));
  EXPECT_NEAR(s.reward, -std::sqrt(dx * dx + dy * dy), 1e-7);
  EXPECT_NEAR(obs[0], 0.1f, 1e-7);
  EXPECT_NEAR(obs[1], -0.05f, 1e-7);
  EXPECT_NE(testing::InvalidArgumentMessage([] { testing::MakeDist("Navigation2D", "{action-scale: 0}"); })
                .find("action-scale"),
            std::string::npos);
}

TEST(Rewards, BanditPaysEachArmWithItsProbability) {
  auto dist = testing::MakeDist("Bandit", "{arms: 3, horizon: 20000}");
  auto env = dist->MakeEnv();
  EXPECT_EQ(env->spec().num_actions, 3);
  std::vector<float> obs(1, 5.0f);
  Rng rng(8);
  env->ResetTask(Task({{"arm0", 0.2}, {"arm1", 1.0}, {"arm2", 0.0}}));
  const std::vector<double> probabilities = {0.2, 1.0, 0.0};
  for (int arm = 0; arm < 3; ++arm) {
    env->Reset(rng, Span<float>(obs));
    EXPECT_EQ(obs[0], 0.0f);
    const std::vector<float> action = {static_cast<float>(arm)};
    double sum = 0.0;
    int pulls = 0;
    while (env->in_episode()) {
      const StepResult r = env->Step(Span<const float>(action), Span<float>(obs));
      EXPECT_TRUE(r.reward == 0.0 || r.reward == 1.0);
      EXPECT_FALSE(r.terminated);
      sum += r.reward;
      ++pulls;
    }
    EXPECT_EQ(pulls, 20000);
    const double p = probabilities[arm];
    const double se = std::sqrt(std::max(p * (1.0 - p), 1e-12) / pulls);
    EXPECT_NEAR(sum / pulls, p, 4.0 * se) << "arm " << arm;
  }
  // Non-integral or out-of-range arms and invalid tasks are refused by name.
  env->Reset(rng, Span<float>(obs));
  for (float bad : {1.5f, -1.0f, 3.0f}) {
    const std::vector<float> action = {bad};
    EXPECT_NE(testing::InvalidArgumentMessage([&] { env->Step(Span<const float>(action), Span<float>(obs)); })
                  .find("expected an arm/action index 0 … 2"),
              std::string::npos);
  }
  EXPECT_NE(testing::InvalidArgumentMessage([&] { env->ResetTask(Task({{"arm0", 0.5}, {"arm1", 1.5}, {"arm2", 0.0}})); })
                .find("arm1"),
            std::string::npos);
  EXPECT_NE(testing::InvalidArgumentMessage([&] { env->ResetTask(Task({{"arm0", 0.5}, {"arm1", 0.5}})); })
                .find("expected 3 parameters"),
            std::string::npos);
  EXPECT_NE(testing::InvalidArgumentMessage([] { testing::MakeDist("Bandit", "{arms: 1}"); }).find("arms"),
            std::string::npos);
  // Sampled probabilities lie in [0, 1] and differ between arms and tasks.
  Rng task_rng(2);
  const std::vector<Task> tasks = dist->Sample(2, task_rng);
  for (const Task& t : tasks) EXPECT_NO_THROW(dist->ValidateTask(t));
  EXPECT_NE(tasks[0].Get("arm0"), tasks[0].Get("arm1"));
  EXPECT_NE(tasks[0].Get("arm0"), tasks[1].Get("arm0"));
}

TEST(Rewards, InstabilityEndsTheEpisodeCountedWithFiniteObservations) {
  auto dist = testing::MakeDist("HalfCheetahVel");
  auto env = dist->MakeEnv();
  MujocoEnv& m = AsMujoco<HalfCheetahEnv>(env);
  std::vector<float> obs(20), action(6, 0.0f);
  Rng rng(8);
  env->ResetTask(Task({{"velocity", 1.0}}));
  env->Reset(rng, Span<float>(obs));
  m.data()->qvel[3] = 1e30;  // diverges within one step
  const StepResult r = env->Step(Span<const float>(action), Span<float>(obs));
  EXPECT_TRUE(r.unstable);
  EXPECT_TRUE(r.terminated);
  EXPECT_EQ(r.reward, 0.0);
  for (float v : obs) EXPECT_TRUE(std::isfinite(v));
  EXPECT_EQ(env->unstable_episodes(), 1);
  EXPECT_FALSE(env->in_episode());
  // The env recovers on the next reset.
  env->Reset(rng, Span<float>(obs));
  EXPECT_FALSE(env->Step(Span<const float>(action), Span<float>(obs)).unstable);
}

}  // namespace
}  // namespace metarl::envs
