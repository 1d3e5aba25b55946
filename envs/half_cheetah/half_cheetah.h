#pragma once
// HalfCheetahVel and HalfCheetahDir (Finn et al. 2017, after the rllab cheetah;
// ProMP's variant selectable).
//
// Observation (20 floats; 17 with variant 'promp'):
//   [0, 8)   qpos[1:9]   rootz, rooty, bthigh, bshin, bfoot, fthigh, fshin, ffoot
//   [8, 17)  qvel[0:9]
//   [17, 20) the source's get_body_com("torso") under the physics preset
//            (mujoco_env.h): rllab the centre of mass of the torso's subtree
//            (= the whole cheetah), gym the torso body's position. Absent in
//            ProMP's half_cheetah_rand_{vel,direc}.py (variant 'promp').
// Action (6 floats): motor commands for bthigh, bshin, bfoot, fthigh, fshin,
//   ffoot; actuated as clip(action-scale × action, [-1, 1]) (gears
//   120/90/60/120/60/30).
// Reward, with v the forward velocity of the physics preset and a the
//   actuated control (maml_rl's half_cheetah_env_rand.py clips before its
//   control cost; rllab's normalize(), ProMP's normalize() and
//   pytorch-maml-rl's NormalizedActionWrapper scale and clip before the
//   env's step):
//   HalfCheetahVel: -|v - velocity| - 0.05·Σa²      task {velocity}
//   HalfCheetahDir:  direction·v    - 0.05·Σa²      task {direction ∈ {-1, +1}}
// Never terminates; truncated at the horizon (default 200).

#include <memory>
#include <string>

#include "core/config.h"
#include "envs/mujoco/mujoco_env.h"
#include "envs/task_distribution.h"

namespace metarl::envs {

enum class CheetahGoal { kVelocity, kDirection };

class HalfCheetahEnv final : public MujocoEnv {
 public:
  static constexpr int kObsDim = 20;       // variant 'maml'
  static constexpr int kPrompObsDim = 17;  // variant 'promp': no torso COM
  static constexpr double kCtrlCostWeight = 0.05;  // 0.5 · 1e-1 in the original

  // `validator` (the owning distribution, which outlives the env) checks tasks.
  HalfCheetahEnv(std::shared_ptr<const SharedModel> shared, const MujocoOptions& options, CheetahGoal goal,
                 bool observe_torso_com, const TaskDistribution* validator);

 protected:
  void ValidateTask(const Task& task) const override;
  void ApplyTask(const Task& task) override;
  void UpdateDerived() override;
  StepResult Evaluate(const double* actuated, double forward_velocity) override;
  void WriteObservation(float* obs) const override;

 private:
  CheetahGoal goal_;
  bool observe_torso_com_;
  const TaskDistribution* validator_;
  double target_ = 0.0;  // goal velocity (m/s) or direction (±1)
};

struct HalfCheetahOptions {
  MujocoOptions mujoco;
  double low = 0.0;   // HalfCheetahVel only: goal velocity lower bound (m/s); MAML: U[0, 2]
  double high = 2.0;  // HalfCheetahVel only: upper bound (m/s); ProMP uses 3
  // "maml": 20-d observation with the torso COM (maml_rl, pytorch-maml-rl);
  // "promp": 17-d, without it (ProMP's half_cheetah_rand_*.py). The reward is
  // the same in both.
  std::string variant = "maml";

  // Reads the keys of `goal`'s family only (low/high exist for velocity goals).
  void Read(ConfigMap& config, CheetahGoal goal);
  void Validate() const;
};

// HalfCheetahVel (velocity ~ U[low, high]) or HalfCheetahDir (direction ±1
// with probability 1/2 each).
class HalfCheetahTasks final : public TaskDistribution {
 public:
  HalfCheetahTasks(CheetahGoal goal, HalfCheetahOptions options);
  std::string name() const override;
  std::vector<Task> Sample(int n, Rng& rng) const override;
  void ValidateTask(const Task& task) const override;
  std::unique_ptr<Env> MakeEnv() const override;
  EnvSpec spec() const override { return spec_; }

 private:
  CheetahGoal goal_;
  HalfCheetahOptions options_;
  std::shared_ptr<const SharedModel> shared_;
  EnvSpec spec_;
};

// rllab's timestep for this body (gym uses 0.01 s with frame_skip 5).
inline constexpr double kCheetahRllabTimestep = 0.01;

}  // namespace metarl::envs
