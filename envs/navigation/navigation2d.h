#pragma once
// Navigation2D (Finn et al. 2017): a point mass in the plane moving to a goal.
//
// Observation (2 floats): position (x, y); every episode starts at (0, 0).
// Action (2 floats): displacement = action × action-scale, clipped to
// [-0.1, 0.1] per coordinate. action-scale 1 (default, as in later
// frameworks) takes displacements directly; 0.1 reproduces the rllab
// normalize() wrapper of the original MAML code (policy acts in [-1, 1]).
// Reward: -‖position_after − goal‖₂ (distance after the move).
// Terminates when |x − goal_x| < 0.01 and |y − goal_y| < 0.01; horizon 100.
// Task {goal_x, goal_y}; goals ~ U[low, high]² (default [-0.5, 0.5]²).
// No physics engine; dt is 1 (one step = one move).

#include <memory>
#include <string>

#include "core/config.h"
#include "envs/task_distribution.h"

namespace metarl::envs {

class Navigation2DEnv final : public Env {
 public:
  static constexpr double kMaxStep = 0.1;
  static constexpr double kGoalTolerance = 0.01;

  Navigation2DEnv(int horizon, double action_scale, const TaskDistribution* validator);

  double x() const { return x_; }
  double y() const { return y_; }

 protected:
  void ValidateTask(const Task& task) const override;
  void ApplyTask(const Task& task) override;
  void DoReset(Rng& rng) override;
  StepResult DoStep(const float* action) override;
  void WriteObservation(float* obs) const override;

 private:
  const TaskDistribution* validator_;
  double action_scale_;
  double goal_x_ = 0.0, goal_y_ = 0.0;
  double x_ = 0.0, y_ = 0.0;
};

struct Navigation2DOptions {
  double low = -0.5;  // goal coordinate lower bound
  double high = 0.5;  // goal coordinate upper bound
  int horizon = 100;  // time limit in steps
  double action_scale = 1.0;  // displacement per unit of action (0.1: rllab normalize())
  void Read(ConfigMap& config);
  void Validate() const;
};

class Navigation2DTasks final : public TaskDistribution {
 public:
  explicit Navigation2DTasks(Navigation2DOptions options);
  std::string name() const override { return "Navigation2D"; }
  std::vector<Task> Sample(int n, Rng& rng) const override;
  void ValidateTask(const Task& task) const override;
  std::unique_ptr<Env> MakeEnv() const override;
  EnvSpec spec() const override;

 private:
  Navigation2DOptions options_;
};

}  // namespace metarl::envs
