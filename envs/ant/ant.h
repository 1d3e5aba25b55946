#pragma once
// AntVel, AntDir and AntGoal (Finn et al. 2017 after rllab's ant; ProMP's
// goal variant selectable).
//
// Observation (125 floats):
//   [0, 15)    qpos (torso x, y, z, quaternion w x y z, 8 joint angles)
//   [15, 29)   qvel (14)
//   [29, 113)  clip(cfrc_ext, -1, 1) for the 14 bodies (world first), 6 each
//   [113, 122) torso orientation matrix (row-major)
//   [122, 125) centre of mass of the torso's subtree (= the whole ant)
// Action (8 floats): hip/ankle motor commands (gear 150) in actuator order
//   hip_4, ankle_4, hip_1, ankle_1, hip_2, ankle_2, hip_3, ankle_3; clipped to
//   [-1, 1] before actuation.
// Reward, with v the forward velocity of the physics preset (mujoco_env.h),
// s = (high - low)/2 the action scale (1 here), a the action clipped to
// [low, high] as actuated (rllab's normalize() and pytorch-maml-rl's
// NormalizedActionWrapper clip before the env's step):
//   costs    = 0.005·Σ(a/s)² + 0.0005·Σclip(cfrc_ext, -1, 1)²
//   AntVel:   -|v - velocity| + 1 - costs + 0.05          task {velocity}
//   AntDir:    direction·v        - costs + 0.05          task {direction ∈ {-1,+1}}
//   AntGoal:  -‖xy - goal‖₁ + 4   - costs + 0.05          task {goal_x, goal_y}
//   where xy is the ant's centre of mass (rllab) or the torso position (gym).
// Termination: torso height qpos[2] outside [0.2, 1.0] — except AntGoal with
// goal-sampling 'disk' (ProMP's variant), which never terminates.

#include <memory>
#include <string>

#include "core/config.h"
#include "envs/mujoco/mujoco_env.h"
#include "envs/task_distribution.h"

namespace metarl::envs {

enum class AntGoalKind { kVelocity, kDirection, kPosition };

class AntEnv final : public MujocoEnv {
 public:
  static constexpr int kObsDim = 125;
  static constexpr double kCtrlCostWeight = 0.005;      // 0.5 · 1e-2
  static constexpr double kContactCostWeight = 0.0005;  // 0.5 · 1e-3
  static constexpr double kSurviveReward = 0.05;

  // `validator` (the owning distribution, which outlives the env) checks tasks.
  AntEnv(std::shared_ptr<const SharedModel> shared, int horizon, AntGoalKind goal,
         bool terminate_on_height, const TaskDistribution* validator);

 protected:
  void ValidateTask(const Task& task) const override;
  void ApplyTask(const Task& task) override;
  void UpdateDerived() override;
  StepResult Evaluate(const float* action, double forward_velocity) override;
  void WriteObservation(float* obs) const override;

 private:
  AntGoalKind goal_;
  bool terminate_on_height_;
  const TaskDistribution* validator_;
  double target_ = 0.0;            // velocity or direction
  double goal_x_ = 0.0, goal_y_ = 0.0;
};

struct AntOptions {
  MujocoOptions mujoco;
  double low = 0.0;   // AntVel only: goal velocity lower bound (m/s); MAML: U[0, 3]
  double high = 3.0;  // AntVel only: upper bound (m/s)
  // AntGoal only: "square": goal ~ U[-radius, radius]², terminates on torso
  // height (MAML); "disk": goal uniform in the disk, no termination (ProMP).
  std::string goal_sampling = "square";
  double radius = 3.0;  // AntGoal only: half-width of the square / radius of the disk (m)

  // Reads the keys of `goal`'s family only.
  void Read(ConfigMap& config, AntGoalKind goal);
  void Validate() const;
};

// AntVel (velocity ~ U[low, high]), AntDir (direction ±1) or AntGoal (goal
// position in the square or the disk).
class AntTasks final : public TaskDistribution {
 public:
  AntTasks(AntGoalKind goal, AntOptions options);
  std::string name() const override;
  std::vector<Task> Sample(int n, Rng& rng) const override;
  void ValidateTask(const Task& task) const override;
  std::unique_ptr<Env> MakeEnv() const override;
  EnvSpec spec() const override { return spec_; }

 private:
  AntGoalKind goal_;
  AntOptions options_;
  std::shared_ptr<const SharedModel> shared_;
  EnvSpec spec_;
};

// rllab's timestep for this body (gym uses 0.01 s with frame_skip 5).
inline constexpr double kAntRllabTimestep = 0.02;

}  // namespace metarl::envs
