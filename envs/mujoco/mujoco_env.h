#pragma once
// Base of the MuJoCo locomotion envs.
//
// Per step it: clips the action to the actuators' ctrlrange into mjData::ctrl,
// runs `frame_skip` mj_step calls, and checks for instability (a new MuJoCo
// warning, e.g. bad QACC, or a non-finite qpos/qvel). On instability it
// restores the pre-step state (so observations stay finite), and the base Env
// ends the episode with reward 0 and counts it. Otherwise it refreshes the
// derived quantities the env reads (UpdateDerived) and asks the env for the
// reward given the forward velocity measured per the physics preset.
//
// Physics presets (DESIGN.md):
//   gym   — frame_skip 5 on a 0.01 s timestep (dt 0.05); forward velocity is
//           Δx/dt of the root's x coordinate (qpos[0]); reset noise
//           qpos + U(-0.1, 0.1), qvel + 0.1·N(0, 1).
//   rllab — frame_skip 1 (timestep 0.01 for the cheetah, 0.02 for the ant);
//           forward velocity is the torso body's centre-of-mass linear velocity
//           (world frame, mj_objectVelocity); reset noise qpos + 0.01·N(0, 1),
//           qvel + 0.1·N(0, 1).

#include <array>
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

  void Read(ConfigMap& config);
  void Validate() const;        // throws std::invalid_argument naming the key
  Physics preset() const;
};

// Numbers a physics preset fixes for one env family.
struct PhysicsParams {
  int frame_skip = 5;
  double timestep = 0.01;       // seconds per mj_step
  bool com_velocity = false;    // rllab: torso COM velocity; gym: Δx/dt
  bool gaussian_qpos_noise = false;  // rllab: 0.01·N(0,1); gym: U(-0.1, 0.1)
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
  std::vector<float> act_low, act_high;  // actuator ctrlrange
};

// Loads `options.model_file` (or AssetsDir()/default_file), applies the preset
// timestep, finds body "torso". Throws std::invalid_argument for a missing
// file, an MJCF MuJoCo rejects, or a model without a "torso" body.
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
  MujocoEnv(std::shared_ptr<const SharedModel> shared, int obs_dim, int horizon);

  void DoReset(Rng& rng) final;
  StepResult DoStep(const float* action) final;

  // Recomputes what the observation/reward read after the frame-skip block.
  // Default: mj_forward. Envs that need less override it (cost per step).
  virtual void UpdateDerived();
  // Reward and termination for a successful physics step. `action` is the
  // policy's action as given (not clipped: an env that costs the action clips
  // it to spec().act_low/act_high itself, as actuation did);
  // `forward_velocity` is measured per the preset (m/s).
  virtual StepResult Evaluate(const float* action, double forward_velocity) = 0;

  // Torso centre-of-mass linear velocity, world frame (needs cvel, subtree_com).
  std::array<double, 3> TorsoComVelocity() const;
  int torso_body() const { return shared_->torso_body; }

 private:
  bool WarningRaised() const;

  std::shared_ptr<const SharedModel> shared_;
  MjDataPtr data_;
  int warnings_before_ = 0;
  std::vector<double> saved_qpos_, saved_qvel_, saved_act_;
};

}  // namespace metarl::envs
