#pragma once
// AntVel, AntDir and AntGoal: the MAML paper's tasks (Finn et al. 2017, after
// cbfinn/maml_rl's rllab/envs/mujoco/ant_env_rand{,_direc,_goal}.py) and, with
// `variant: promp`, ProMP's AntRandDirec / AntRandGoal (Rothfuss et al. 2019,
// jonasrothfuss/ProMP meta_policy_search/envs/mujoco_envs/ant_rand_{direc,goal}.py).
//
// Observation, variant 'maml' (125 floats):
//   [0, 15)    qpos (torso x, y, z, quaternion w x y z, 8 joint angles)
//   [15, 29)   qvel (14)
//   [29, 113)  clip(cfrc_ext, -1, 1) for the 14 bodies (world first), 6 each
//   [113, 122) torso orientation matrix (row-major)
//   [122, 125) the source's get_body_com("torso") under the physics preset
//              (mujoco_env.h): rllab the subtree COM (= the whole ant), gym
//              the torso body's position
// Variant 'promp': AntDir qpos[2:] (13), qvel, clip(cfrc_ext) = 111 floats;
//   AntGoal qpos, qvel, clip(cfrc_ext) = 113 floats.
// Action (8 floats): hip/ankle motor commands (gear 150) in actuator order
//   hip_4, ankle_4, hip_1, ankle_1, hip_2, ankle_2, hip_3, ankle_3; actuated
//   as clip(action-scale × action, [-1, 1]).
// Reward, with v the forward velocity of the physics preset, a the actuated
// control (the sources' normalize() wrappers scale and clip before the env's
// step), s = (high - low)/2 = 1 the control range's half-width, xy the
// source's get_body_com("torso")[:2] and contact = Σclip(cfrc_ext, -1, 1)²:
//   variant 'maml':
//     costs    = 0.005·Σ(a/s)² + 0.0005·contact
//     AntVel:   -|v - velocity| + 1 - costs + 0.05        task {velocity}
//     AntDir:    direction·v        - costs + 0.05        task {direction ∈ {-1,+1}}
//     AntGoal:  -‖xy - goal‖₁ + 4   - costs + 0.05        task {goal_x, goal_y}
//     ends when the torso height qpos[2] leaves [0.2, 1.0].
//   variant 'promp' (no AntVel in ProMP):
//     AntDir:    direction·v - 0.5·Σa² - 0.0005·contact + 1; ends when qpos[2]
//                leaves [0, 1.0]
//     AntGoal:  -‖xy - goal‖₁ - 0.1·Σa² - 0.0005·contact; never ends
// The rllab preset starts the ant from rllab's ant.xml pose (torso at 0.55 m,
// ankles at ±1 rad, inside their joint ranges) and gives every geom rllab's
// contact softness (solref 0.02 1, solimp 0.8 0.8 0.01); gym starts from the
// model's qpos0 (torso at 0.75 m, all joints at 0) with MuJoCo's defaults.

#include <memory>
#include <string>

#include "core/config.h"
#include "envs/mujoco/mujoco_env.h"
#include "envs/task_distribution.h"

namespace metarl::envs {

enum class AntGoalKind { kVelocity, kDirection, kPosition };

// The numbers that differ between the two sources' ant tasks.
struct AntReward {
  double ctrl_weight = 0.005;      // × Σ(a/s)²: maml_rl 0.5·1e-2; ProMP 0.5 (dir) / 0.1 (goal)
  double contact_weight = 0.0005;  // × Σclip(cfrc_ext, -1, 1)²: 0.5·1e-3 in both
  double survive = 0.05;           // ProMP: 1 (dir) / 0 (goal)
  double goal_offset = 4.0;        // AntGoal's "+4": maml_rl only
  double velocity_offset = 1.0;    // AntVel's "+1": maml_rl only
  bool terminates = true;          // ProMP's AntGoal never ends
  double min_height = 0.2;         // ends when qpos[2] leaves [min, max]; ProMP dir: 0
  double max_height = 1.0;
  int first_qpos = 0;              // observation starts at qpos[first]; ProMP dir: 2
  bool observe_pose = true;        // torso matrix and COM at the end (maml_rl)
};

class AntEnv final : public MujocoEnv {
 public:
  static constexpr int kObsDim = 125;  // variant 'maml'

  // `validator` (the owning distribution, which outlives the env) checks tasks.
  AntEnv(std::shared_ptr<const SharedModel> shared, const MujocoOptions& options, AntGoalKind goal,
         const AntReward& reward, const TaskDistribution* validator);
  // Observation size for `reward`'s layout on a model with nq, nv, nbody.
  static int ObsDim(const AntReward& reward, int nq, int nv, int nbody);

 protected:
  void ValidateTask(const Task& task) const override;
  void ApplyTask(const Task& task) override;
  void UpdateDerived() override;
  StepResult Evaluate(const double* actuated, double forward_velocity) override;
  void WriteObservation(float* obs) const override;

 private:
  AntGoalKind goal_;
  AntReward reward_;
  const TaskDistribution* validator_;
  double target_ = 0.0;            // velocity or direction
  double goal_x_ = 0.0, goal_y_ = 0.0;
};

struct AntOptions {
  MujocoOptions mujoco;
  double low = 0.0;   // AntVel only: goal velocity lower bound (m/s); MAML: U[0, 3]
  double high = 3.0;  // AntVel only: upper bound (m/s)
  // "maml" (maml_rl's rewards and observation) or "promp" (ProMP's; AntDir
  // and AntGoal only). See the header comment.
  std::string variant = "maml";
  // AntGoal only: "square": goal ~ U[-radius, radius]² (maml_rl); "disk":
  // uniform in the disk of that radius (ProMP). Empty: the variant's.
  std::string goal_sampling;
  double radius = 3.0;  // AntGoal only: half-width of the square / radius of the disk (m)

  AntReward Reward(AntGoalKind goal) const;  // the variant's numbers for `goal`
  std::string GoalSampling() const;          // goal_sampling or the variant's

  // Reads the keys of `goal`'s family only.
  void Read(ConfigMap& config, AntGoalKind goal);
  void Validate(AntGoalKind goal) const;
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
  AntReward reward_;
  std::shared_ptr<const SharedModel> shared_;
  EnvSpec spec_;
};

// rllab's timestep for this body (gym uses 0.01 s with frame_skip 5).
inline constexpr double kAntRllabTimestep = 0.02;

// The preset's physics for the ant: PresetPhysics plus, for rllab, the start
// pose and contact softness of rllab's vendor/mujoco_models/ant.xml.
PhysicsParams AntPhysics(Physics preset);

}  // namespace metarl::envs
