#include "envs/ant/ant.h"

#include <algorithm>
#include <cmath>

#include "core/error.h"

namespace metarl::envs {

PhysicsParams AntPhysics(Physics preset) {
  PhysicsParams p;
  if (preset == Physics::kRllab) {
    p.frame_skip = 1;
    p.timestep = 0.02;
    p.com_velocity = true;
    p.gaussian_qpos_noise = true;
  } else {
    p.frame_skip = 5;
    p.timestep = 0.01;
  }
  return p;
}

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
    const double scale = 0.5 * (spec_.act_high[i] - spec_.act_low[i]);
    const double a = action[i] / scale;
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

namespace {

void CheckObsLayout(const SharedModel& shared) {
  const mjModel* m = shared.model.get();
  const int dim = m->nq + m->nv + 6 * m->nbody + 9 + 3;
  METARL_REQUIRE(dim == AntEnv::kObsDim, "ant model has nq=", m->nq, " nv=", m->nv, " nbody=",
                 m->nbody, ", giving a ", dim, "-d observation; expected the standard ant (",
                 AntEnv::kObsDim, "-d: nq 15, nv 14, 14 bodies)");
}

void CheckDirection(const char* env, const Task& task) {
  METARL_REQUIRE(task.params().size() == 1 && task.Has("direction"), env, " task '", task.ToString(),
                 "': expected exactly one parameter, direction");
  const double d = task.Get("direction");
  METARL_REQUIRE(d == 1.0 || d == -1.0, env, " task: direction = ", d,
                 ": expected -1 (backward) or 1 (forward)");
}

std::shared_ptr<const SharedModel> LoadAnt(const MujocoOptions& options) {
  auto shared = LoadSharedModel(options, "ant.xml", AntPhysics(options.preset()));
  CheckObsLayout(*shared);
  return shared;
}

}  // namespace

void AntVelOptions::Read(ConfigMap& config) {
  mujoco.Read(config);
  config.Read("low", &low);
  config.Read("high", &high);
}

void AntVelOptions::Validate() const {
  mujoco.Validate();
  METARL_REQUIRE(low <= high, "low = ", low, ", high = ", high,
                 ": expected low <= high (goal velocity bounds, m/s)");
}

void AntGoalOptions::Read(ConfigMap& config) {
  mujoco.Read(config);
  config.Read("goal-sampling", &goal_sampling);
  config.Read("radius", &radius);
}

void AntGoalOptions::Validate() const {
  mujoco.Validate();
  METARL_REQUIRE(goal_sampling == "square" || goal_sampling == "disk", "goal-sampling = '",
                 goal_sampling, "': expected 'square' (MAML) or 'disk' (ProMP)");
  METARL_REQUIRE(radius > 0.0, "radius = ", radius, ": expected a positive number (m)");
}

AntVelTasks::AntVelTasks(AntVelOptions options) : options_(std::move(options)) {
  options_.Validate();
  shared_ = LoadAnt(options_.mujoco);
}

std::vector<Task> AntVelTasks::Sample(int n, Rng& rng) const {
  std::vector<Task> tasks;
  for (int i = 0; i < n; ++i) {
    tasks.emplace_back(std::map<std::string, double>{{"velocity", rng.Uniform(options_.low, options_.high)}});
  }
  return tasks;
}

void AntVelTasks::ValidateTask(const Task& task) const {
  METARL_REQUIRE(task.params().size() == 1 && task.Has("velocity"), "AntVel task '", task.ToString(),
                 "': expected exactly one parameter, velocity");
  METARL_REQUIRE(std::isfinite(task.Get("velocity")), "AntVel task: velocity is not finite");
}

std::unique_ptr<Env> AntVelTasks::MakeEnv() const {
  return std::make_unique<AntEnv>(shared_, options_.mujoco.horizon, AntGoalKind::kVelocity, true, this);
}

EnvSpec AntVelTasks::spec() const { return MakeEnv()->spec(); }

AntDirTasks::AntDirTasks(AntDirOptions options) : options_(std::move(options)) {
  options_.Validate();
  shared_ = LoadAnt(options_.mujoco);
}

std::vector<Task> AntDirTasks::Sample(int n, Rng& rng) const {
  std::vector<Task> tasks;
  for (int i = 0; i < n; ++i) {
    tasks.emplace_back(std::map<std::string, double>{{"direction", rng.Bernoulli(0.5) ? 1.0 : -1.0}});
  }
  return tasks;
}

void AntDirTasks::ValidateTask(const Task& task) const { CheckDirection("AntDir", task); }

std::unique_ptr<Env> AntDirTasks::MakeEnv() const {
  return std::make_unique<AntEnv>(shared_, options_.mujoco.horizon, AntGoalKind::kDirection, true, this);
}

EnvSpec AntDirTasks::spec() const { return MakeEnv()->spec(); }

AntGoalTasks::AntGoalTasks(AntGoalOptions options) : options_(std::move(options)) {
  options_.Validate();
  shared_ = LoadAnt(options_.mujoco);
}

std::vector<Task> AntGoalTasks::Sample(int n, Rng& rng) const {
  std::vector<Task> tasks;
  const double r = options_.radius;
  for (int i = 0; i < n; ++i) {
    double x, y;
    if (options_.goal_sampling == "disk") {
      const double angle = rng.Uniform(0.0, 2.0 * M_PI);
      const double radius = r * std::sqrt(rng.Uniform());
      x = radius * std::cos(angle);
      y = radius * std::sin(angle);
    } else {
      x = rng.Uniform(-r, r);
      y = rng.Uniform(-r, r);
    }
    tasks.emplace_back(std::map<std::string, double>{{"goal_x", x}, {"goal_y", y}});
  }
  return tasks;
}

void AntGoalTasks::ValidateTask(const Task& task) const {
  METARL_REQUIRE(task.params().size() == 2 && task.Has("goal_x") && task.Has("goal_y"), "AntGoal task '",
                 task.ToString(), "': expected exactly the parameters goal_x and goal_y");
  METARL_REQUIRE(std::isfinite(task.Get("goal_x")) && std::isfinite(task.Get("goal_y")),
                 "AntGoal task '", task.ToString(), "': goal is not finite");
}

std::unique_ptr<Env> AntGoalTasks::MakeEnv() const {
  return std::make_unique<AntEnv>(shared_, options_.mujoco.horizon, AntGoalKind::kPosition,
                                  options_.goal_sampling == "square", this);
}

EnvSpec AntGoalTasks::spec() const { return MakeEnv()->spec(); }

}  // namespace metarl::envs
