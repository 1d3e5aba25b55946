#include "envs/ant/ant.h"

#include <algorithm>
#include <cmath>

#include "core/error.h"
#include "envs/goals.h"

namespace metarl::envs {

PhysicsParams AntPhysics(Physics preset) {
  PhysicsParams p = PresetPhysics(preset, kAntRllabTimestep);
  if (preset == Physics::kRllab) {
    // rllab's ant.xml: <numeric name="init_qpos"> (read by its mujoco_env.py)
    // and its <default><geom solref=".02 1" solimp=".8 .8 .01"/>.
    p.init_qpos = {0.0, 0.0, 0.55, 1.0, 0.0, 0.0, 0.0, 0.0, 1.0, 0.0, -1.0, 0.0, -1.0, 0.0, 1.0};
    p.geom_solref = {0.02, 1.0};
    p.geom_solimp = {0.8, 0.8, 0.01};
  }
  return p;
}

int AntEnv::ObsDim(const AntReward& reward, int nq, int nv, int nbody) {
  return (nq - reward.first_qpos) + nv + 6 * nbody + (reward.observe_pose ? 9 + 3 : 0);
}

AntEnv::AntEnv(std::shared_ptr<const SharedModel> shared, const MujocoOptions& options, AntGoalKind goal,
               const AntReward& reward, const TaskDistribution* validator)
    : MujocoEnv(shared, ObsDim(reward, shared->model->nq, shared->model->nv, shared->model->nbody), options),
      goal_(goal),
      reward_(reward),
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

StepResult AntEnv::Evaluate(const double* actuated, double forward_velocity) {
  const mjModel* m = model();
  const mjData* d = data();
  double ctrl = 0.0;
  for (int i = 0; i < spec_.act_dim; ++i) {
    const double scale = 0.5 * (m->actuator_ctrlrange[2 * i + 1] - m->actuator_ctrlrange[2 * i]);
    ctrl += (actuated[i] / scale) * (actuated[i] / scale);
  }
  double contact = 0.0;
  for (int i = 0; i < 6 * m->nbody; ++i) {
    const double f = std::clamp(d->cfrc_ext[i], -1.0, 1.0);
    contact += f * f;
  }
  double progress = 0.0;
  switch (goal_) {
    case AntGoalKind::kVelocity:
      progress = -std::abs(forward_velocity - target_) + reward_.velocity_offset;
      break;
    case AntGoalKind::kDirection: progress = target_ * forward_velocity; break;
    case AntGoalKind::kPosition: {
      const double* xy = TorsoCom();
      progress = -(std::abs(xy[0] - goal_x_) + std::abs(xy[1] - goal_y_)) + reward_.goal_offset;
      break;
    }
  }
  StepResult result;
  result.reward = progress - reward_.ctrl_weight * ctrl - reward_.contact_weight * contact + reward_.survive;
  const double height = d->qpos[2];
  result.terminated = reward_.terminates && !(height >= reward_.min_height && height <= reward_.max_height);
  return result;
}

void AntEnv::WriteObservation(float* obs) const {
  const mjModel* m = model();
  const mjData* d = data();
  for (int i = reward_.first_qpos; i < m->nq; ++i) *obs++ = static_cast<float>(d->qpos[i]);
  for (int i = 0; i < m->nv; ++i) *obs++ = static_cast<float>(d->qvel[i]);
  for (int i = 0; i < 6 * m->nbody; ++i) *obs++ = static_cast<float>(std::clamp(d->cfrc_ext[i], -1.0, 1.0));
  if (!reward_.observe_pose) return;
  for (int i = 0; i < 9; ++i) *obs++ = static_cast<float>(d->xmat[9 * torso_body() + i]);
  const double* com = TorsoCom();
  for (int i = 0; i < 3; ++i) *obs++ = static_cast<float>(com[i]);
}

AntReward AntOptions::Reward(AntGoalKind goal) const {
  AntReward r;  // maml_rl's numbers
  if (variant != "promp") return r;
  r.goal_offset = 0.0;
  r.velocity_offset = 0.0;
  r.observe_pose = false;
  if (goal == AntGoalKind::kDirection) {  // ant_rand_direc.py
    r.ctrl_weight = 0.5;
    r.survive = 1.0;
    r.min_height = 0.0;
    r.first_qpos = 2;
  } else {  // ant_rand_goal.py
    r.ctrl_weight = 0.1;
    r.survive = 0.0;
    r.terminates = false;
  }
  return r;
}

std::string AntOptions::GoalSampling() const {
  if (!goal_sampling.empty()) return goal_sampling;
  return variant == "promp" ? "disk" : "square";
}

void AntOptions::Read(ConfigMap& config, AntGoalKind goal) {
  mujoco.Read(config);
  config.Read("variant", &variant);
  if (goal == AntGoalKind::kVelocity) {
    config.Read("low", &low);
    config.Read("high", &high);
  }
  if (goal == AntGoalKind::kPosition) {
    config.Read("goal-sampling", &goal_sampling);
    config.Read("radius", &radius);
  }
}

void AntOptions::Validate(AntGoalKind goal) const {
  mujoco.Validate();
  METARL_REQUIRE(variant == "maml" || variant == "promp", "variant = '", variant,
                 "': expected 'maml' (maml_rl's ant tasks) or 'promp' (ProMP's AntRandDirec / AntRandGoal)");
  METARL_REQUIRE(!(variant == "promp" && goal == AntGoalKind::kVelocity),
                 "variant = 'promp': ProMP defines no ant velocity task; AntVel takes variant 'maml' only");
  METARL_REQUIRE(low <= high, "low = ", low, ", high = ", high,
                 ": expected low <= high (goal velocity bounds, m/s)");
  METARL_REQUIRE(goal_sampling.empty() || goal_sampling == "square" || goal_sampling == "disk",
                 "goal-sampling = '", goal_sampling, "': expected 'square' (MAML) or 'disk' (ProMP)");
  METARL_REQUIRE(radius > 0.0, "radius = ", radius, ": expected a positive number (m)");
}

AntTasks::AntTasks(AntGoalKind goal, AntOptions options) : goal_(goal), options_(std::move(options)) {
  options_.Validate(goal_);
  reward_ = options_.Reward(goal_);
  shared_ = LoadSharedModel(options_.mujoco, "ant.xml", AntPhysics(options_.mujoco.preset()));
  const mjModel* m = shared_->model.get();
  METARL_REQUIRE(m->nq == 15 && m->nv == 14 && m->nbody == 14, "ant model has nq=", m->nq, " nv=", m->nv,
                 " nbody=", m->nbody, "; expected the standard ant (nq 15, nv 14, 14 bodies)");
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
      return options_.GoalSampling() == "disk" ? SampleDiskGoals(n, options_.radius, rng)
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
  return std::make_unique<AntEnv>(shared_, options_.mujoco, goal_, reward_, this);
}

}  // namespace metarl::envs
