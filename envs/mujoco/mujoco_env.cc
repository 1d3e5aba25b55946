#include "envs/mujoco/mujoco_env.h"

#include <algorithm>
#include <cmath>

#include "core/error.h"

namespace metarl::envs {

void MujocoOptions::Read(ConfigMap& config) {
  config.Read("physics", &physics);
  config.Read("horizon", &horizon);
  config.Read("model-file", &model_file);
  config.Read("action-scale", &action_scale);
}

void MujocoOptions::Validate() const {
  METARL_REQUIRE(physics == "gym" || physics == "rllab", "physics = '", physics,
                 "': expected 'gym' (frame_skip 5, dt 0.05) or 'rllab' (frame_skip 1)");
  METARL_REQUIRE(horizon >= 1, "horizon = ", horizon, ": expected an integer >= 1");
  METARL_REQUIRE(action_scale > 0.0 && std::isfinite(action_scale), "action-scale = ", action_scale,
                 ": expected a positive number (actuated control = clip(action-scale × action, ctrlrange))");
}

Physics MujocoOptions::preset() const { return physics == "rllab" ? Physics::kRllab : Physics::kGym; }

PhysicsParams PresetPhysics(Physics preset, double rllab_timestep) {
  PhysicsParams p;
  if (preset == Physics::kRllab) {
    p.frame_skip = 1;
    p.timestep = rllab_timestep;
    p.subtree_com = true;
    p.gaussian_qpos_noise = true;
  } else {
    p.frame_skip = 5;
    p.timestep = 0.01;
  }
  return p;
}

std::shared_ptr<const SharedModel> LoadSharedModel(const MujocoOptions& options,
                                                   const std::string& default_file,
                                                   const PhysicsParams& physics) {
  options.Validate();
  const std::string path =
      options.model_file.empty() ? AssetsDir() + "/" + default_file : options.model_file;
  auto shared = std::make_shared<SharedModel>();
  shared->model = LoadMjcf(path);
  mjModel* m = shared->model.get();
  m->opt.timestep = physics.timestep;
  shared->physics = physics;
  METARL_REQUIRE(physics.init_qpos.empty() || static_cast<int>(physics.init_qpos.size()) == m->nq,
                 "model file '", path, "' has nq = ", m->nq, "; the physics preset's initial pose has ",
                 physics.init_qpos.size(), " values");
  METARL_REQUIRE(physics.geom_solref.empty() || physics.geom_solref.size() == mjNREF, "geom_solref needs ",
                 mjNREF, " values");
  METARL_REQUIRE(physics.geom_solimp.size() <= mjNIMP, "geom_solimp takes at most ", mjNIMP, " values");
  for (int g = 0; g < m->ngeom; ++g) {
    for (size_t k = 0; k < physics.geom_solref.size(); ++k) m->geom_solref[mjNREF * g + k] = physics.geom_solref[k];
    for (size_t k = 0; k < physics.geom_solimp.size(); ++k) m->geom_solimp[mjNIMP * g + k] = physics.geom_solimp[k];
  }
  shared->torso_body = mj_name2id(m, mjOBJ_BODY, "torso");
  METARL_REQUIRE(shared->torso_body > 0, "model file '", path, "' has no body named 'torso'");
  METARL_REQUIRE(m->nu > 0, "model file '", path, "' has no actuators");
  for (int i = 0; i < m->nu; ++i) {
    const bool limited = m->actuator_ctrllimited[i] != 0;
    shared->ctrl_low.push_back(limited ? m->actuator_ctrlrange[2 * i] : -1e30);
    shared->ctrl_high.push_back(limited ? m->actuator_ctrlrange[2 * i + 1] : 1e30);
  }
  return shared;
}

namespace {
EnvSpec MakeSpec(const SharedModel& shared, int obs_dim, const MujocoOptions& options) {
  EnvSpec spec;
  spec.obs_dim = obs_dim;
  spec.act_dim = shared.model->nu;
  spec.horizon = options.horizon;
  for (int i = 0; i < spec.act_dim; ++i) {  // the control range in the policy's units
    spec.act_low.push_back(static_cast<float>(shared.ctrl_low[i] / options.action_scale));
    spec.act_high.push_back(static_cast<float>(shared.ctrl_high[i] / options.action_scale));
  }
  spec.dt = shared.physics.frame_skip * shared.model->opt.timestep;
  return spec;
}
}  // namespace

MujocoEnv::MujocoEnv(std::shared_ptr<const SharedModel> shared, int obs_dim, const MujocoOptions& options)
    : Env(MakeSpec(*shared, obs_dim, options)),
      shared_(std::move(shared)),
      data_(MakeData(shared_->model.get())),
      action_scale_(options.action_scale),
      saved_qpos_(shared_->model->nq),
      saved_qvel_(shared_->model->nv),
      saved_act_(shared_->model->na) {}

void MujocoEnv::DoReset(Rng& rng) {
  const mjModel* m = model();
  mjData* d = data_.get();
  mj_resetData(m, d);
  const std::vector<double>& init = shared_->physics.init_qpos;
  for (int i = 0; i < m->nq; ++i) {
    const double noise = shared_->physics.gaussian_qpos_noise ? 0.01 * rng.Normal()
                                                              : rng.Uniform(-0.1, 0.1);
    d->qpos[i] = (init.empty() ? m->qpos0[i] : init[i]) + noise;
  }
  for (int i = 0; i < m->nv; ++i) d->qvel[i] = 0.1 * rng.Normal();
  mj_forward(m, d);
  UpdateDerived();
  warnings_before_ = 0;
  for (int i = 0; i < mjNWARNING; ++i) warnings_before_ += d->warning[i].number;
}

bool MujocoEnv::WarningRaised() const {
  int total = 0;
  for (int i = 0; i < mjNWARNING; ++i) total += data_->warning[i].number;
  return total != warnings_before_;
}

StepResult MujocoEnv::DoStep(const float* action) {
  const mjModel* m = model();
  mjData* d = data_.get();
  std::copy(d->qpos, d->qpos + m->nq, saved_qpos_.begin());
  std::copy(d->qvel, d->qvel + m->nv, saved_qvel_.begin());
  std::copy(d->act, d->act + m->na, saved_act_.begin());
  const double time_before = d->time;
  const double x_before = d->qpos[0];

  for (int i = 0; i < m->nu; ++i) {
    d->ctrl[i] = std::clamp(action_scale_ * static_cast<double>(action[i]), shared_->ctrl_low[i],
                            shared_->ctrl_high[i]);
  }
  for (int k = 0; k < shared_->physics.frame_skip; ++k) mj_step(m, d);

  bool unstable = WarningRaised();
  for (int i = 0; i < m->nq && !unstable; ++i) unstable = !std::isfinite(d->qpos[i]);
  for (int i = 0; i < m->nv && !unstable; ++i) unstable = !std::isfinite(d->qvel[i]);
  if (unstable) {
    std::copy(saved_qpos_.begin(), saved_qpos_.end(), d->qpos);
    std::copy(saved_qvel_.begin(), saved_qvel_.end(), d->qvel);
    std::copy(saved_act_.begin(), saved_act_.end(), d->act);
    d->time = time_before;
    mj_forward(m, d);
    UpdateDerived();
    for (int i = 0; i < mjNWARNING; ++i) d->warning[i].number = 0;
    warnings_before_ = 0;
    StepResult result;
    result.unstable = true;
    result.terminated = true;
    return result;
  }

  UpdateDerived();
  double velocity = (d->qpos[0] - x_before) / spec_.dt;
  if (shared_->physics.subtree_com) {
    mj_subtreeVel(m, d);
    velocity = d->subtree_linvel[3 * shared_->torso_body];
  }
  return Evaluate(d->ctrl, velocity);
}

void MujocoEnv::UpdateDerived() { mj_forward(model(), data_.get()); }

const double* MujocoEnv::TorsoCom() const {
  const int torso = shared_->torso_body;
  return shared_->physics.subtree_com ? data_->subtree_com + 3 * torso : data_->xpos + 3 * torso;
}

}  // namespace metarl::envs
