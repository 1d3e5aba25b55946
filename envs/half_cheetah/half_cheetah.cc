#include "envs/half_cheetah/half_cheetah.h"

#include <cmath>

#include "core/error.h"

namespace metarl::envs {

PhysicsParams CheetahPhysics(Physics preset) {
  PhysicsParams p;
  if (preset == Physics::kRllab) {
    p.frame_skip = 1;
    p.timestep = 0.01;
    p.com_velocity = true;
    p.gaussian_qpos_noise = true;
  } else {
    p.frame_skip = 5;
    p.timestep = 0.01;
  }
  return p;
}

HalfCheetahEnv::HalfCheetahEnv(std::shared_ptr<const SharedModel> shared, int horizon,
                               CheetahGoal goal, const TaskDistribution* validator)
    : MujocoEnv(std::move(shared), kObsDim, horizon), goal_(goal), validator_(validator) {}

void HalfCheetahEnv::ValidateTask(const Task& task) const { validator_->ValidateTask(task); }

void HalfCheetahEnv::ApplyTask(const Task& task) {
  target_ = task.Get(goal_ == CheetahGoal::kVelocity ? "velocity" : "direction");
}

void HalfCheetahEnv::UpdateDerived() {
  // The observation needs subtree_com; the rllab velocity needs cvel too.
  mj_kinematics(model(), data());
  mj_comPos(model(), data());
  if (physics().com_velocity) mj_comVel(model(), data());
}

StepResult HalfCheetahEnv::Evaluate(const float* action, double forward_velocity) {
  double ctrl = 0.0;
  for (int i = 0; i < spec_.act_dim; ++i) ctrl += static_cast<double>(action[i]) * action[i];
  StepResult result;
  const double progress = goal_ == CheetahGoal::kVelocity ? -std::abs(forward_velocity - target_)
                                                          : target_ * forward_velocity;
  result.reward = progress - kCtrlCostWeight * ctrl;
  return result;
}

void HalfCheetahEnv::WriteObservation(float* obs) const {
  const mjData* d = data();
  for (int i = 1; i < 9; ++i) *obs++ = static_cast<float>(d->qpos[i]);
  for (int i = 0; i < 9; ++i) *obs++ = static_cast<float>(d->qvel[i]);
  for (int i = 0; i < 3; ++i) *obs++ = static_cast<float>(d->subtree_com[3 * torso_body() + i]);
}

void HalfCheetahVelOptions::Read(ConfigMap& config) {
  mujoco.Read(config);
  config.Read("low", &low);
  config.Read("high", &high);
}

void HalfCheetahVelOptions::Validate() const {
  mujoco.Validate();
  METARL_REQUIRE(low <= high, "low = ", low, ", high = ", high,
                 ": expected low <= high (goal velocity bounds, m/s)");
}

HalfCheetahVelTasks::HalfCheetahVelTasks(HalfCheetahVelOptions options)
    : options_(std::move(options)) {
  options_.Validate();
  shared_ = LoadSharedModel(options_.mujoco, "half_cheetah.xml",
                            CheetahPhysics(options_.mujoco.preset()));
}

std::vector<Task> HalfCheetahVelTasks::Sample(int n, Rng& rng) const {
  std::vector<Task> tasks;
  for (int i = 0; i < n; ++i) {
    tasks.emplace_back(std::map<std::string, double>{{"velocity", rng.Uniform(options_.low, options_.high)}});
  }
  return tasks;
}

void HalfCheetahVelTasks::ValidateTask(const Task& task) const {
  METARL_REQUIRE(task.params().size() == 1 && task.Has("velocity"), "HalfCheetahVel task '",
                 task.ToString(), "': expected exactly one parameter, velocity");
  const double v = task.Get("velocity");
  METARL_REQUIRE(std::isfinite(v), "HalfCheetahVel task: velocity = ", v, " is not finite");
}

std::unique_ptr<Env> HalfCheetahVelTasks::MakeEnv() const {
  return std::make_unique<HalfCheetahEnv>(shared_, options_.mujoco.horizon, CheetahGoal::kVelocity, this);
}

EnvSpec HalfCheetahVelTasks::spec() const { return MakeEnv()->spec(); }

HalfCheetahDirTasks::HalfCheetahDirTasks(HalfCheetahDirOptions options) : options_(std::move(options)) {
  options_.Validate();
  shared_ = LoadSharedModel(options_.mujoco, "half_cheetah.xml",
                            CheetahPhysics(options_.mujoco.preset()));
}

std::vector<Task> HalfCheetahDirTasks::Sample(int n, Rng& rng) const {
  std::vector<Task> tasks;
  for (int i = 0; i < n; ++i) {
    tasks.emplace_back(std::map<std::string, double>{{"direction", rng.Bernoulli(0.5) ? 1.0 : -1.0}});
  }
  return tasks;
}

void HalfCheetahDirTasks::ValidateTask(const Task& task) const {
  METARL_REQUIRE(task.params().size() == 1 && task.Has("direction"), "HalfCheetahDir task '",
                 task.ToString(), "': expected exactly one parameter, direction");
  const double d = task.Get("direction");
  METARL_REQUIRE(d == 1.0 || d == -1.0, "HalfCheetahDir task: direction = ", d,
                 ": expected -1 (backward) or 1 (forward)");
}

std::unique_ptr<Env> HalfCheetahDirTasks::MakeEnv() const {
  return std::make_unique<HalfCheetahEnv>(shared_, options_.mujoco.horizon, CheetahGoal::kDirection, this);
}

EnvSpec HalfCheetahDirTasks::spec() const { return MakeEnv()->spec(); }

}  // namespace metarl::envs
