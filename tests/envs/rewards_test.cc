// Each reward formula against a hand-computed step. The expected values are
// computed from an independent replica of the physics (a fresh mjData stepped
// by hand with the clipped controls), not from the env's own code paths.

#include <algorithm>
#include <array>
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
// with ctrl = clip(scale × action, -1, 1) (every shipped model's control range).
Replica StepReplica(const MujocoEnv& env, const std::vector<float>& action, int frame_skip, double scale = 1.0) {
  const mjModel* m = env.model();
  Replica r;
  r.data = MakeData(m);
  mjData* d = r.data.get();
  for (int i = 0; i < m->nq; ++i) d->qpos[i] = env.data()->qpos[i];
  for (int i = 0; i < m->nv; ++i) d->qvel[i] = env.data()->qvel[i];
  r.x_before = d->qpos[0];
  for (int i = 0; i < m->nu; ++i) d->ctrl[i] = std::clamp(scale * static_cast<double>(action[i]), -1.0, 1.0);
  for (int k = 0; k < frame_skip; ++k) mj_step(m, d);
  mj_forward(m, d);
  mj_rnePostConstraint(m, d);
  return r;
}

// Σ clip(scale·a, -1, 1)².
double ClippedSumSquares(const std::vector<float>& a, double scale = 1.0) {
  double s = 0;
  for (float v : a) s += std::pow(std::clamp(scale * static_cast<double>(v), -1.0, 1.0), 2);
  return s;
}

bool InSubtree(const mjModel* m, int body, int root) {
  for (int b = body; b > 0; b = m->body_parentid[b]) {
    if (b == root) return true;
  }
  return body == root;
}

// rllab's get_body_comvel (mujoco_py/mjcore.py _compute_subtree): the mass-
// weighted mean of the linear velocities of the bodies' own centres of mass
// (mj_objectVelocity, world frame) over the subtree rooted at `root`.
std::array<double, 3> SubtreeComVelocityByHand(const mjModel* m, const mjData* d, int root) {
  std::array<double, 3> momentum = {0, 0, 0};
  double mass = 0;
  for (int b = 1; b < m->nbody; ++b) {
    if (!InSubtree(m, b, root)) continue;
    mjtNum vel[6];
    mj_objectVelocity(m, d, mjOBJ_BODY, b, vel, 0);
    for (int k = 0; k < 3; ++k) momentum[k] += m->body_mass[b] * vel[3 + k];
    mass += m->body_mass[b];
  }
  for (double& p : momentum) p /= mass;
  return momentum;
}

// rllab's get_body_com: the subtree's centre of mass, Σ mass × xipos / Σ mass.
std::array<double, 3> SubtreeComByHand(const mjModel* m, const mjData* d, int root) {
  std::array<double, 3> com = {0, 0, 0};
  double mass = 0;
  for (int b = 1; b < m->nbody; ++b) {
    if (!InSubtree(m, b, root)) continue;
    for (int k = 0; k < 3; ++k) com[k] += m->body_mass[b] * d->xipos[3 * b + k];
    mass += m->body_mass[b];
  }
  for (double& c : com) c /= mass;
  return com;
}

// An action with entries outside [-1, 1]: the control cost must use it
// clipped to the control range, as the sources do (maml_rl clips before
// ctrl_cost; rllab's normalize() clips before step).
std::vector<float> TestAction(int n) {
  std::vector<float> a(n);
  for (int i = 0; i < n; ++i) a[i] = static_cast<float>(-1.5 + 0.45 * i);
  return a;
}

MujocoEnv& AsMujoco(std::unique_ptr<Env>& env) { return *dynamic_cast<MujocoEnv*>(env.get()); }

TEST(Rewards, HalfCheetahVelGymIsMinusVelocityErrorMinusControlCost) {
  auto dist = testing::MakeDist("HalfCheetahVel", "{physics: gym}");
  auto env = dist->MakeEnv();
  MujocoEnv& m = AsMujoco(env);
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
  // Observation layout: qpos[1:], qvel, then gym's get_body_com("torso"),
  // which is the torso body's position (not the subtree's COM).
  for (int i = 0; i < 8; ++i) EXPECT_FLOAT_EQ(obs[i], static_cast<float>(rep.data->qpos[i + 1]));
  for (int i = 0; i < 9; ++i) EXPECT_FLOAT_EQ(obs[8 + i], static_cast<float>(rep.data->qvel[i]));
  const int torso = mj_name2id(m.model(), mjOBJ_BODY, "torso");
  // The torso's frame origin slides with rootx/rootz from (0, 0, 0.7).
  EXPECT_NEAR(obs[17], rep.data->qpos[0], 1e-6);
  EXPECT_NEAR(obs[19], 0.7 + rep.data->qpos[1], 1e-6);
  const auto com = SubtreeComByHand(m.model(), rep.data.get(), torso);
  EXPECT_GT(std::abs(obs[17] - com[0]) + std::abs(obs[19] - com[2]), 1e-3);  // the two differ
}

TEST(Rewards, HalfCheetahRllabUsesOneFrameAndTheWholeCheetahsComVelocity) {
  auto dist = testing::MakeDist("HalfCheetahVel", "{physics: rllab}");
  EXPECT_DOUBLE_EQ(dist->spec().dt, 0.01);
  auto env = dist->MakeEnv();
  MujocoEnv& m = AsMujoco(env);
  std::vector<float> obs(20), action = TestAction(6);
  Rng rng(4);
  env->ResetTask(Task({{"velocity", 0.4}}));
  env->Reset(rng, Span<float>(obs));
  for (int warm = 0; warm < 20; ++warm) env->Step(Span<const float>(action), Span<float>(obs));
  Replica rep = StepReplica(m, action, 1);
  const mjModel* mm = m.model();
  const int torso = mj_name2id(mm, mjOBJ_BODY, "torso");
  const auto v = SubtreeComVelocityByHand(mm, rep.data.get(), torso);
  const double expected = -std::abs(v[0] - 0.4) - 0.05 * ClippedSumSquares(action);
  EXPECT_NEAR(env->Step(Span<const float>(action), Span<float>(obs)).reward, expected, 1e-9);
  // The torso alone is a fraction of the mass: its own velocity differs.
  mjtNum own[6];
  mj_objectVelocity(mm, rep.data.get(), mjOBJ_BODY, torso, own, 0);
  EXPECT_GT(std::abs(own[3] - v[0]), 1e-3);
  // rllab's get_body_com("torso") is the subtree's centre of mass.
  const auto com = SubtreeComByHand(mm, rep.data.get(), torso);
  for (int i = 0; i < 3; ++i) EXPECT_NEAR(obs[17 + i], com[i], 1e-6);
}

TEST(Rewards, HalfCheetahDirIsDirectionTimesVelocity) {
  auto dist = testing::MakeDist("HalfCheetahDir");
  auto env = dist->MakeEnv();
  MujocoEnv& m = AsMujoco(env);
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

// ProMP (half_cheetah_rand_direc.py behind its normalize(), normalization
// scale 10): the policy's action is divided by 10 and clipped, the
// observation has no torso COM.
TEST(Rewards, HalfCheetahPrompVariantScalesTheActionAndDropsTheTorsoCom) {
  auto dist = testing::MakeDist("HalfCheetahDir", "{physics: gym, variant: promp, action-scale: 0.1}");
  EXPECT_EQ(dist->spec().obs_dim, 17);
  EXPECT_FLOAT_EQ(dist->spec().act_high[0], 10.0f);
  auto env = dist->MakeEnv();
  MujocoEnv& m = AsMujoco(env);
  std::vector<float> obs(17), action = {12.0f, -4.0f, 0.5f, 9.0f, -15.0f, 3.0f};
  Rng rng(5);
  env->ResetTask(Task({{"direction", 1.0}}));
  env->Reset(rng, Span<float>(obs));
  for (int warm = 0; warm < 3; ++warm) env->Step(Span<const float>(action), Span<float>(obs));
  Replica rep = StepReplica(m, action, 5, 0.1);
  const double v = (rep.data->qpos[0] - rep.x_before) / 0.05;
  // clip(0.1·a) = 1, -0.4, 0.05, 0.9, -1, 0.3.
  const double ctrl = 1 + 0.16 + 0.0025 + 0.81 + 1 + 0.09;
  EXPECT_NEAR(ClippedSumSquares(action, 0.1), ctrl, 1e-6);
  EXPECT_NEAR(env->Step(Span<const float>(action), Span<float>(obs)).reward, v - 0.05 * ctrl, 1e-6);
  for (int i = 0; i < 9; ++i) EXPECT_FLOAT_EQ(obs[8 + i], static_cast<float>(rep.data->qvel[i]));
}

double ContactSum(const mjModel* m, const mjData* d) {
  double contact = 0;
  for (int i = 0; i < 6 * m->nbody; ++i) {
    const double f = std::clamp(d->cfrc_ext[i], -1.0, 1.0);
    contact += f * f;
  }
  return contact;
}

struct AntCase {
  std::string env, kwargs;
  Task task;
};

// Each case's reward written out from its source file (see ant.h).
double AntExpected(const AntCase& c, double v, const double* xy, double ctrl, double contact) {
  const bool promp = c.kwargs.find("promp") != std::string::npos;
  if (c.env == "AntVel") return -std::abs(v - c.task.Get("velocity")) + 1.0 - 0.005 * ctrl - 0.0005 * contact + 0.05;
  if (c.env == "AntDir") {
    return promp ? c.task.Get("direction") * v - 0.5 * ctrl - 0.0005 * contact + 1.0
                 : c.task.Get("direction") * v - 0.005 * ctrl - 0.0005 * contact + 0.05;
  }
  const double dist = std::abs(xy[0] - c.task.Get("goal_x")) + std::abs(xy[1] - c.task.Get("goal_y"));
  return promp ? -dist - 0.1 * ctrl - 0.0005 * contact : -dist + 4.0 - 0.005 * ctrl - 0.0005 * contact + 0.05;
}

TEST(Rewards, AntFamilyHandComputed) {
  const std::vector<AntCase> cases = {
      {"AntVel", "{physics: gym}", Task({{"velocity", 0.7}})},
      {"AntVel", "{physics: rllab}", Task({{"velocity", 2.1}})},
      {"AntDir", "{physics: gym}", Task({{"direction", 1.0}})},
      {"AntDir", "{physics: rllab}", Task({{"direction", -1.0}})},
      {"AntGoal", "{physics: gym}", Task({{"goal_x", 1.5}, {"goal_y", -2.0}})},
      {"AntGoal", "{physics: rllab}", Task({{"goal_x", -0.5}, {"goal_y", 0.25}})},
      {"AntDir", "{physics: gym, variant: promp}", Task({{"direction", -1.0}})},
      {"AntGoal", "{physics: gym, variant: promp}", Task({{"goal_x", 2.0}, {"goal_y", 1.0}})},
  };
  for (const auto& c : cases) {
    SCOPED_TRACE(c.env + " " + c.kwargs);
    auto dist = testing::MakeDist(c.env, c.kwargs);
    auto env = dist->MakeEnv();
    MujocoEnv& m = AsMujoco(env);
    const bool rllab = c.kwargs.find("rllab") != std::string::npos;
    const bool promp = c.kwargs.find("promp") != std::string::npos;
    const int obs_dim = !promp ? 125 : c.env == "AntDir" ? 111 : 113;
    ASSERT_EQ(dist->spec().obs_dim, obs_dim);
    std::vector<float> obs(obs_dim), action = TestAction(8);
    Rng rng(6);
    env->ResetTask(c.task);
    env->Reset(rng, Span<float>(obs));
    // ~1 s of simulated time so the ant stands on the floor.
    for (int warm = 0; warm < (rllab ? 50 : 20); ++warm) env->Step(Span<const float>(action), Span<float>(obs));
    ASSERT_TRUE(env->in_episode());
    Replica rep = StepReplica(m, action, rllab ? 1 : 5);
    const mjModel* mm = m.model();
    const mjData* d = rep.data.get();
    const int torso = mj_name2id(mm, mjOBJ_BODY, "torso");
    double v = (d->qpos[0] - rep.x_before) / 0.05;
    const auto com = SubtreeComByHand(mm, d, torso);
    const double* xy = rllab ? com.data() : d->xpos + 3 * torso;
    if (rllab) v = SubtreeComVelocityByHand(mm, d, torso)[0];
    const double expected = AntExpected(c, v, xy, ClippedSumSquares(action), ContactSum(mm, d));
    const StepResult r = env->Step(Span<const float>(action), Span<float>(obs));
    EXPECT_NEAR(r.reward, expected, 1e-9);
    // Contact forces are live (MuJoCo computes cfrc_ext only on request).
    const int first_qpos = promp && c.env == "AntDir" ? 2 : 0;
    const int cfrc = 15 - first_qpos + 14;
    double contact = 0;
    for (int i = cfrc; i < cfrc + 84; ++i) contact += std::abs(obs[i]);
    EXPECT_GT(contact, 0.0);
    for (int i = first_qpos; i < 15; ++i) EXPECT_FLOAT_EQ(obs[i - first_qpos], static_cast<float>(d->qpos[i]));
    if (!promp) {
      for (int i = 0; i < 3; ++i) EXPECT_NEAR(obs[122 + i], rllab ? com[i] : d->xpos[3 * torso + i], 1e-6);
    }
  }
}

// rllab's ant.xml starts the torso at 0.55 m with the ankles at ±1 rad
// (<numeric name="init_qpos" data="0 0 .55 1 0 0 0 0 1 0 -1 0 -1 0 1">) and
// softens every contact (solref .02 1, solimp .8 .8 .01); gym's starts at
// 0.75 m with every joint at 0 (the ankles outside their ranges).
TEST(Rewards, AntStartPoseAndContactsFollowThePresetsSourceFile) {
  auto rllab_dist = testing::MakeDist("AntVel", "{physics: rllab}");
  auto gym_dist = testing::MakeDist("AntVel", "{physics: gym}");
  std::vector<float> obs(125);
  Rng rng(12);
  for (int trial = 0; trial < 5; ++trial) {
    auto env = rllab_dist->MakeEnv();
    MujocoEnv& m = AsMujoco(env);
    env->ResetTask(Task({{"velocity", 1.0}}));
    env->Reset(rng, Span<float>(obs));
    const mjModel* mm = m.model();
    const double* q = m.data()->qpos;
    EXPECT_NEAR(q[2], 0.55, 0.05);
    const double ankles[4] = {1.0, -1.0, -1.0, 1.0};  // qpos 8, 10, 12, 14
    for (int k = 0; k < 4; ++k) {
      EXPECT_NEAR(q[8 + 2 * k], ankles[k], 0.05);
      EXPECT_NEAR(q[7 + 2 * k], 0.0, 0.05);  // hips
    }
    for (int j = 1; j < mm->njnt; ++j) {  // every hinge inside its range
      const double angle = q[mm->jnt_qposadr[j]];
      EXPECT_GE(angle, mm->jnt_range[2 * j]) << "joint " << j;
      EXPECT_LE(angle, mm->jnt_range[2 * j + 1]) << "joint " << j;
    }
    for (int g = 0; g < mm->ngeom; ++g) {
      EXPECT_DOUBLE_EQ(mm->geom_solref[2 * g], 0.02);
      EXPECT_DOUBLE_EQ(mm->geom_solref[2 * g + 1], 1.0);
      EXPECT_DOUBLE_EQ(mm->geom_solimp[mjNIMP * g], 0.8);
      EXPECT_DOUBLE_EQ(mm->geom_solimp[mjNIMP * g + 1], 0.8);
      EXPECT_DOUBLE_EQ(mm->geom_solimp[mjNIMP * g + 2], 0.01);
    }
  }
  auto env = gym_dist->MakeEnv();
  MujocoEnv& m = AsMujoco(env);
  env->ResetTask(Task({{"velocity", 1.0}}));
  env->Reset(rng, Span<float>(obs));
  EXPECT_NEAR(m.data()->qpos[2], 0.75, 0.1);
  for (int i = 7; i < 15; ++i) EXPECT_NEAR(m.data()->qpos[i], 0.0, 0.1);
  EXPECT_NE(m.model()->geom_solimp[0], 0.8);
}

TEST(Rewards, AntTerminationFollowsTheVariant) {
  // maml_rl: ends unless 0.2 <= z <= 1; ProMP's AntRandDirec: unless
  // 0 <= z <= 1; ProMP's AntRandGoal never ends. z is the torso height after
  // the step, from a replica stepped by hand. (The lower edges cannot be
  // reached from a set pose: the floor pushes the 0.25 m torso sphere above
  // 0.25 m within one step.)
  struct Case {
    std::string env, kwargs;
    double height;
  };
  const std::vector<Case> cases = {
      {"AntGoal", "{}", 1.6}, {"AntGoal", "{variant: promp}", 1.6}, {"AntDir", "{}", 1.6},
      {"AntDir", "{variant: promp}", 1.6}, {"AntDir", "{variant: promp}", 0.7},
  };
  for (const auto& c : cases) {
    SCOPED_TRACE(c.env + " " + c.kwargs + " z " + std::to_string(c.height));
    auto dist = testing::MakeDist(c.env, c.kwargs);
    auto env = dist->MakeEnv();
    MujocoEnv& m = AsMujoco(env);
    std::vector<float> obs(dist->spec().obs_dim), action(8, 0.0f);
    Rng rng(7);
    env->ResetTask(c.env == "AntGoal" ? Task({{"goal_x", 0.0}, {"goal_y", 0.0}}) : Task({{"direction", 1.0}}));
    env->Reset(rng, Span<float>(obs));
    m.data()->qpos[2] = c.height;
    m.data()->qvel[2] = 0.0;
    mj_forward(m.model(), m.data());
    const double z = StepReplica(m, action, 5).data->qpos[2];
    const bool promp = c.kwargs.find("promp") != std::string::npos;
    const bool ends = c.env == "AntGoal" ? !promp && !(z >= 0.2 && z <= 1.0)
                                         : !(z >= (promp ? 0.0 : 0.2) && z <= 1.0);
    const StepResult r = env->Step(Span<const float>(action), Span<float>(obs));
    EXPECT_EQ(r.terminated, ends) << "z after the step " << z;
    EXPECT_FALSE(r.unstable);
  }
  EXPECT_NE(testing::InvalidArgumentMessage([] { testing::MakeDist("AntVel", "{variant: promp}"); }).find("variant"),
            std::string::npos);
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
  MujocoEnv& m = AsMujoco(env);
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
