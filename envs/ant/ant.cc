#include "envs/ant/ant.h"

#include <algorithm>
#include <cmath>

#include "core/error.h"
#include "envs/goals.h"

namespace metarl::envs {

AntEnv::AntEnv(std::shared_ptr<const SharedModel> shared, int horizon, AntGoalKind goal,
               bool terminate_on_height, const TaskDistribution* validator)
    : MujocoEnv(std::move(shared), kObsDim, horizon),
      goal_(goal),
      terminate_on_height_(terminate_on_height),
      validator_(validator) {}

void AntEnv::ValidateTask(const Task& task) const { validator_->ValidateTask(task); }

void AntEnv::ApplyTask(const Task& task) {
  switch (goal_) {
    case AntGoalKind::kVelocity: target_ = task.Get("velocity"); break;
    case AntGoalKind::kDirection: target_ = task.Get("direction"); break;
    case AntGoalKind::kPosition:
      goal_x_ = task.Get("goal_x");
      goal_y_ = task.Get("goal_y");
      break;
  }
}

void AntEnv::UpdateDerived() {
  // Contact forces (cfrc_ext) are computed by MuJoCo only on request.
  mj_forward(model(), data());
  mj_rnePostConstraint(model(), data());
}

StepResult AntEnv::Evaluate(const float* action, double forward_velocity) {
  const mjModel* m = model();
  const mjData* d = data();
  double ctrl = 0.0;
  for (int i = 0; i < spec_.act_dim; ++i) {
    // The action as actuated, clipped to the control range first: rllab's
    // normalize() (around maml_rl's ant_env_rand.py) and pytorch-maml-rl's
    // NormalizedActionWrapper clip before the env's step computes this cost.
    const double low = spec_.act_low[i], high = spec_.act_high[i];
    const double a = std::clamp(static_cast<double>(action[i]), low, high) / (0.5 * (high - low));
    ctrl += a * a;
  }
  double contact = 0.0;
  for (int i = 0; i < 6 * m->nbody; ++i) {
    const double f = std::clamp(d->cfrc_ext[i], -1.0, 1.0);
    contact += f * f;
  }
  double progress = 0.0;
  switch (goal_) {
    case AntGoalKind::kVelocity: progress = -std::abs(forward_velocity - target_) + 1.0; break;
    case AntGoalKind::kDirection: progress = target_ * forward_velocity; break;
    case AntGoalKind::kPosition: {
      const double* xy = physics().com_velocity ? d->subtree_com + 3 * torso_body() : d->qpos;
      progress = -(std::abs(xy[0] - goal_x_) + std::abs(xy[1] - goal_y_)) + 4.0;
      break;
    }
  }
  StepResult result;
  result.reward = progress - kCtrlCostWeight * ctrl - kContactCostWeight * contact + kSurviveReward;
  const double height = d->qpos[2];
  result.terminated = terminate_on_height_ && !(height >= 0.2 && height <= 1.0);
  return result;
}

void AntEnv::WriteObservation(float* obs) const {
  const mjModel* m = model();
  const mjData* d = data();
  for (int i = 0; i < m->nq; ++i) *obs++ = static_cast<float>(d->qpos[i]);
  for (int i = 0; i < m->nv; ++i) *obs++ = static_cast<float>(d->qvel[i]);
  for (int i = 0; i < 6 * m->nbody; ++i) *obs++ = static_cast<float>(std::clamp(d->cfrc_ext[i], -1.0, 1.0));
  for (int i = 0; i < 9; ++i) *obs++ = static_cast<float>(d->xmat[9 * torso_body() + i]);
  for (int i = 0; i < 3; ++i) *obs++ = static_cast<float>(d->subtree_com[3 * torso_body() + i]);
}

void AntOptions::Read(ConfigMap& config, AntGoalKind goal) {
  mujoco.Read(config);
  if (goal == AntGoalKind::kVelocity) {
    config.Read("low", &low);
    config.Read("high", &high);
  }
  if (goal == AntGoalKind::kPosition) {
    config.Read("goal-sampling", &goal_sampling);
    config.Read("radius", &radius);
  }
}

void AntOptions::Validate() const {
  mujoco.Validate();
  METARL_REQUIRE(low <= high, "low = ", low, ", high = ", high,
                 ": expected low <= high (goal velocity bounds, m/s)");
  METARL_REQUIRE(goal_sampling == "square" || goal_sampling == "disk", "goal-sampling = '", goal_sampling,
                 "': expected 'square' (MAML) or 'disk' (ProMP)");
  METARL_REQUIRE(radius > 0.0, "radius = ", radius, ": expected a positive number (m)");
}

AntTasks::AntTasks(AntGoalKind goal, AntOptions options) : goal_(goal), options_(std::move(options)) {
  options_.Validate();
  shared_ = LoadSharedModel(options_.mujoco, "ant.xml", PresetPhysics(options_.mujoco.preset(), kAntRllabTimestep));
  const mjModel* m = shared_->model.get();
  const int dim = m->nq + m->nv + 6 * m->nbody + 9 + 3;
  METARL_REQUIRE(dim == AntEnv::kObsDim, "ant model has nq=", m->nq, " nv=", m->nv, " nbody=", m->nbody,
                 ", giving a ", dim, "-d observation; expected the standard ant (", AntEnv::kObsDim,
                 "-d: nq 15, nv 14, 14 bodies)");
  spec_ = MakeEnv()->spec();
}

std::string AntTasks::name() const {
  switch (goal_) {
    case AntGoalKind::kVelocity: return "AntVel";
    case AntGoalKind::kDirection: return "AntDir";
    case AntGoalKind::kPosition: return "AntGoal";
  }
  return "Ant";
}

std::vector<Task> AntTasks::Sample(int n, Rng& rng) const {
  switch (goal_) {
    case AntGoalKind::kVelocity: return SampleVelocities(n, options_.low, options_.high, rng);
    case AntGoalKind::kDirection: return SampleDirections(n, rng);
    case AntGoalKind::kPosition:
      return options_.goal_sampling == "disk" ? SampleDiskGoals(n, options_.radius, rng)
                                              : SampleSquareGoals(n, -options_.radius, options_.radius, rng);
  }
  return {};
}

void AntTasks::ValidateTask(const Task& task) const {
  switch (goal_) {
    case AntGoalKind::kVelocity: ValidateVelocityTask(name(), task); break;
    case AntGoalKind::kDirection: ValidateDirectionTask(name(), task); break;
    case AntGoalKind::kPosition: ValidateGoalTask(name(), task); break;
  }
}

std::unique_ptr<Env> AntTasks::MakeEnv() const {
  const bool terminate = goal_ != AntGoalKind::kPosition || options_.goal_sampling == "square";
  return std::make_unique<AntEnv>(shared_, options_.mujoco.horizon, goal_, terminate, this);
}

}  // namespace metarl::envs
