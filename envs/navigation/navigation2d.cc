#include "envs/navigation/navigation2d.h"

#include <algorithm>
#include <cmath>

#include "core/error.h"
#include "envs/goals.h"

namespace metarl::envs {

namespace {
EnvSpec NavigationSpec(int horizon, double action_scale) {
  EnvSpec spec;
  spec.obs_dim = 2;
  spec.act_dim = 2;
  spec.horizon = horizon;
  const auto bound = static_cast<float>(Navigation2DEnv::kMaxStep / action_scale);
  spec.act_low = {-bound, -bound};
  spec.act_high = {bound, bound};
  spec.dt = 1.0;
  return spec;
}
}  // namespace

Navigation2DEnv::Navigation2DEnv(int horizon, double action_scale, const TaskDistribution* validator)
    : Env(NavigationSpec(horizon, action_scale)), validator_(validator), action_scale_(action_scale) {}

void Navigation2DEnv::ValidateTask(const Task& task) const { validator_->ValidateTask(task); }

void Navigation2DEnv::ApplyTask(const Task& task) {
  goal_x_ = task.Get("goal_x");
  goal_y_ = task.Get("goal_y");
}

void Navigation2DEnv::DoReset(Rng&) {
  x_ = 0.0;
  y_ = 0.0;
}

StepResult Navigation2DEnv::DoStep(const float* action) {
  x_ += std::clamp(action_scale_ * static_cast<double>(action[0]), -kMaxStep, kMaxStep);
  y_ += std::clamp(action_scale_ * static_cast<double>(action[1]), -kMaxStep, kMaxStep);
  const double dx = x_ - goal_x_;
  const double dy = y_ - goal_y_;
  StepResult result;
  result.reward = -std::sqrt(dx * dx + dy * dy);
  result.terminated = std::abs(dx) < kGoalTolerance && std::abs(dy) < kGoalTolerance;
  return result;
}

void Navigation2DEnv::WriteObservation(float* obs) const {
  obs[0] = static_cast<float>(x_);
  obs[1] = static_cast<float>(y_);
}

void Navigation2DOptions::Read(ConfigMap& config) {
  config.Read("low", &low);
  config.Read("high", &high);
  config.Read("horizon", &horizon);
  config.Read("action-scale", &action_scale);
}

void Navigation2DOptions::Validate() const {
  METARL_REQUIRE(low <= high, "low = ", low, ", high = ", high, ": expected low <= high (goal bounds)");
  METARL_REQUIRE(horizon >= 1, "horizon = ", horizon, ": expected an integer >= 1");
  METARL_REQUIRE(action_scale > 0.0 && std::isfinite(action_scale), "action-scale = ", action_scale,
                 ": expected a positive number");
}

Navigation2DTasks::Navigation2DTasks(Navigation2DOptions options) : options_(std::move(options)) {
  options_.Validate();
}

std::vector<Task> Navigation2DTasks::Sample(int n, Rng& rng) const {
  return SampleSquareGoals(n, options_.low, options_.high, rng);
}

void Navigation2DTasks::ValidateTask(const Task& task) const { ValidateGoalTask(name(), task); }

std::unique_ptr<Env> Navigation2DTasks::MakeEnv() const {
  return std::make_unique<Navigation2DEnv>(options_.horizon, options_.action_scale, this);
}

EnvSpec Navigation2DTasks::spec() const { return NavigationSpec(options_.horizon, options_.action_scale); }

}  // namespace metarl::envs
