#pragma once
// Base of the MuJoCo locomotion envs.
//
// Per step it: scales the policy's action by `action-scale` and clips it to
// the actuators' ctrlrange into mjData::ctrl (EnvSpec's bounds are that range
// divided by the scale, in the policy's units),
// runs `frame_skip` mj_step calls, and checks for instability (a new MuJoCo
// warning, e.g. bad QACC, or a non-finite qpos/qvel). On instability it
// restores the pre-step state (so observations stay finite), and the base Env
// ends the episode with reward 0 and counts it. Otherwise it refreshes the
// derived quantities the env reads (UpdateDerived) and asks the env for the
// reward given the forward velocity measured per the physics preset.
//
// Physics presets (DESIGN.md), each after the code that defined the published
// tasks:
//   gym   — (openai/gym's mujoco_env.py, as pytorch-maml-rl and ProMP use it)
//           frame_skip 5 on a 0.01 s timestep (dt 0.05); forward velocity is
//           Δx/dt of the root's x coordinate (qpos[0]); the source's
//           get_body_com("torso") is the torso body's position (xpos); reset
//           qpos0 + U(-0.1, 0.1), qvel 0.1·N(0, 1).
//   rllab — (rllab's mujoco_env.py and mujoco_py/mjcore.py, as cbfinn/maml_rl
//           uses them) frame_skip 1 (timestep 0.01 for the cheetah, 0.02 for
//           the ant); forward velocity is get_body_comvel("torso"): the linear
//           velocity of the centre of mass of the torso's subtree (rllab sums
//           mass × body-COM velocity over the subtree, which is the whole
//           robot; MuJoCo's subtree_linvel is that quantity);
//           get_body_com("torso") is the subtree's centre of mass
//           (subtree_com); reset init_qpos + 0.01·N(0, 1), qvel 0.1·N(0, 1),
//           where init_qpos is the model file's (rllab's ant.xml carries its
//           own, see PhysicsParams::init_qpos).

#include <memory>
#include <string>
#include <vector>

#include <mujoco/mujoco.h>

#include "core/config.h"
#include "core/mujoco_model.h"
#include "envs/env.h"

namespace metarl::envs {

enum class Physics { kGym, kRllab };

// Options every MuJoCo env family reads from its env-kwargs.
struct MujocoOptions {
  std::string physics = "gym";  // "gym" or "rllab" (see above)
  int horizon = 200;            // time limit in steps (MAML paper: 200)
  std::string model_file;       // MJCF path; empty = the family's file in envs/assets
  // Actuated control = clip(action-scale × policy action, ctrlrange). 1: the
  // policy acts in the control range (rllab's normalize(), maml_rl);
  // ProMP's normalize() uses normalization_scale 10, i.e. 0.1.
  double action_scale = 1.0;

  void Read(ConfigMap& config);
  void Validate() const;        // throws std::invalid_argument naming the key
  Physics preset() const;
};

// Numbers a physics preset fixes for one env family.
struct PhysicsParams {
  int frame_skip = 5;
  double timestep = 0.01;       // seconds per mj_step
  // rllab: forward velocity = torso subtree COM velocity and get_body_com =
  // subtree COM; gym: Δqpos[0]/dt and the torso body's position.
  bool subtree_com = false;
  bool gaussian_qpos_noise = false;  // rllab: 0.01·N(0,1); gym: U(-0.1, 0.1)
  // The pose noise is added to (nq values); empty = the model's qpos0.
  std::vector<double> init_qpos;
  // Contact softness given to every geom (MJCF solref: 2 values, solimp: 3 or
  // 5); empty = the model's own.
  std::vector<double> geom_solref, geom_solimp;
};

// The numbers of `preset` for a body whose rllab timestep is `rllab_timestep`
// (gym: frame_skip 5 × 0.01 s, Δx/dt velocity, uniform qpos noise; rllab:
// frame_skip 1 × rllab_timestep, COM velocity, Gaussian qpos noise).
PhysicsParams PresetPhysics(Physics preset, double rllab_timestep);

// The read-only model shared by all envs of one distribution.
struct SharedModel {
  MjModelPtr model;
  PhysicsParams physics;
  int torso_body = -1;
  std::vector<double> ctrl_low, ctrl_high;  // actuator ctrlrange
};

// Loads `options.model_file` (or AssetsDir()/default_file), applies the preset
// (timestep, geom contact softness), finds body "torso". Throws
// std::invalid_argument for a missing file, an MJCF MuJoCo rejects, a model
// without a "torso" body, or a preset init_qpos of the wrong size.
std::shared_ptr<const SharedModel> LoadSharedModel(const MujocoOptions& options,
                                                   const std::string& default_file,
                                                   const PhysicsParams& physics);

class MujocoEnv : public Env {
 public:
  const mjModel* model() const { return shared_->model.get(); }
  // Mutable physics state, for tests and renderers. Changing it mid-episode is
  // the caller's responsibility (call mj_forward afterwards).
  mjData* data() { return data_.get(); }
  const mjData* data() const { return data_.get(); }
  const PhysicsParams& physics() const { return shared_->physics; }

 protected:
  MujocoEnv(std::shared_ptr<const SharedModel> shared, int obs_dim, const MujocoOptions& options);

  void DoReset(Rng& rng) final;
  StepResult DoStep(const float* action) final;

  // Recomputes what the observation/reward read after the frame-skip block.
  // Default: mj_forward. Envs that need less override it (cost per step); the
  // rllab forward velocity (mj_subtreeVel) additionally needs cvel (mj_comVel).
  virtual void UpdateDerived();
  // Reward and termination for a successful physics step. `actuated` is the
  // control as applied (nu values: action-scale × the policy's action,
  // clipped to ctrlrange), the action every source's costs see (maml_rl clips
  // before its control cost; rllab's and ProMP's normalize() and
  // pytorch-maml-rl's NormalizedActionWrapper scale and clip before the env's
  // step); `forward_velocity` is measured per the preset (m/s).
  virtual StepResult Evaluate(const double* actuated, double forward_velocity) = 0;

  // What the preset's source returns for get_body_com("torso") (world frame,
  // m): the subtree COM (rllab) or the torso body's position (gym). Needs
  // mj_kinematics and, for rllab, mj_comPos.
  const double* TorsoCom() const;
  int torso_body() const { return shared_->torso_body; }

 private:
  bool WarningRaised() const;

  std::shared_ptr<const SharedModel> shared_;
  MjDataPtr data_;
  int warnings_before_ = 0;
  double action_scale_;
  std::vector<double> saved_qpos_, saved_qvel_, saved_act_;
};

}  // namespace metarl::envs
