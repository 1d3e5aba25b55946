#include "envs/half_cheetah/half_cheetah.h"

#include <algorithm>
#include <cmath>

#include "core/error.h"
#include "envs/goals.h"

namespace metarl::envs {

HalfCheetahEnv::HalfCheetahEnv(std::shared_ptr<const SharedModel> shared, const MujocoOptions& options,
                               CheetahGoal goal, bool observe_torso_com, const TaskDistribution* validator)
    : MujocoEnv(std::move(shared), observe_torso_com ? kObsDim : kPrompObsDim, options),
      goal_(goal),
      observe_torso_com_(observe_torso_com),
      validator_(validator) {}

void HalfCheetahEnv::ValidateTask(const Task& task) const { validator_->ValidateTask(task); }

void HalfCheetahEnv::ApplyTask(const Task& task) {
  target_ = task.Get(goal_ == CheetahGoal::kVelocity ? "velocity" : "direction");
}

void HalfCheetahEnv::UpdateDerived() {
  // The observation needs xpos (gym) or subtree_com (rllab); the rllab
  // velocity (mj_subtreeVel) needs cvel too.
  mj_kinematics(model(), data());
  mj_comPos(model(), data());
  if (physics().subtree_com) mj_comVel(model(), data());
}

StepResult HalfCheetahEnv::Evaluate(const double* actuated, double forward_velocity) {
  double ctrl = 0.0;
  for (int i = 0; i < spec_.act_dim; ++i) ctrl += actuated[i] * actuated[i];
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
  if (!observe_torso_com_) return;
  const double* com = TorsoCom();
  for (int i = 0; i < 3; ++i) *obs++ = static_cast<float>(com[i]);
}

void HalfCheetahOptions::Read(ConfigMap& config, CheetahGoal goal) {
  mujoco.Read(config);
  config.Read("variant", &variant);
  if (goal == CheetahGoal::kVelocity) {
    config.Read("low", &low);
    config.Read("high", &high);
  }
}

void HalfCheetahOptions::Validate() const {
  mujoco.Validate();
  METARL_REQUIRE(low <= high, "low = ", low, ", high = ", high,
                 ": expected low <= high (goal velocity bounds, m/s)");
  METARL_REQUIRE(variant == "maml" || variant == "promp", "variant = '", variant,
                 "': expected 'maml' (20-d observation with the torso COM) or 'promp' (17-d, without it)");
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
  return std::make_unique<HalfCheetahEnv>(shared_, options_.mujoco, goal_, options_.variant == "maml", this);
}

}  // namespace metarl::envs
