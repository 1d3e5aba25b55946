#include "envs/half_cheetah/half_cheetah.h"

#include <algorithm>
#include <cmath>

#include "core/error.h"
#include "envs/goals.h"

namespace metarl::envs {

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
  // The cost of the action as actuated: clipped to the control range first
  // (maml_rl half_cheetah_env_rand.py clips before ctrl_cost; rllab's
  // normalize() and pytorch-maml-rl's NormalizedActionWrapper clip before step).
  double ctrl = 0.0;
  for (int i = 0; i < spec_.act_dim; ++i) {
    const double a = std::clamp(static_cast<double>(action[i]), static_cast<double>(spec_.act_low[i]),
                                static_cast<double>(spec_.act_high[i]));
    ctrl += a * a;
  }
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

void HalfCheetahOptions::Read(ConfigMap& config, CheetahGoal goal) {
  mujoco.Read(config);
  if (goal == CheetahGoal::kVelocity) {
    config.Read("low", &low);
    config.Read("high", &high);
  }
}

void HalfCheetahOptions::Validate() const {
  mujoco.Validate();
  METARL_REQUIRE(low <= high, "low = ", low, ", high = ", high,
                 ": expected low <= high (goal velocity bounds, m/s)");
}

HalfCheetahTasks::HalfCheetahTasks(CheetahGoal goal, HalfCheetahOptions options)
    : goal_(goal), options_(std::move(options)) {
  options_.Validate();
  shared_ = LoadSharedModel(options_.mujoco, "half_cheetah.xml", PresetPhysics(options_.mujoco.preset(), kCheetahRllabTimestep));
  spec_ = MakeEnv()->spec();
}

std::string HalfCheetahTasks::name() const {
  return goal_ == CheetahGoal::kVelocity ? "HalfCheetahVel" : "HalfCheetahDir";
}

std::vector<Task> HalfCheetahTasks::Sample(int n, Rng& rng) const {
  return goal_ == CheetahGoal::kVelocity ? SampleVelocities(n, options_.low, options_.high, rng)
                                         : SampleDirections(n, rng);
}

void HalfCheetahTasks::ValidateTask(const Task& task) const {
  if (goal_ == CheetahGoal::kVelocity) {
    ValidateVelocityTask(name(), task);
  } else {
    ValidateDirectionTask(name(), task);
  }
}

std::unique_ptr<Env> HalfCheetahTasks::MakeEnv() const {
  return std::make_unique<HalfCheetahEnv>(shared_, options_.mujoco.horizon, goal_, this);
}

}  // namespace metarl::envs
