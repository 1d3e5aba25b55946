#include "envs/goals.h"

#include <cmath>

#include "core/error.h"

namespace metarl::envs {

std::vector<Task> SampleVelocities(int n, double low, double high, Rng& rng) {
  std::vector<Task> tasks;
  for (int i = 0; i < n; ++i) tasks.emplace_back(std::map<std::string, double>{{"velocity", rng.Uniform(low, high)}});
  return tasks;
}

std::vector<Task> SampleDirections(int n, Rng& rng) {
  std::vector<Task> tasks;
  for (int i = 0; i < n; ++i) {
    tasks.emplace_back(std::map<std::string, double>{{"direction", rng.Bernoulli(0.5) ? 1.0 : -1.0}});
  }
  return tasks;
}

std::vector<Task> SampleSquareGoals(int n, double low, double high, Rng& rng) {
  std::vector<Task> tasks;
  for (int i = 0; i < n; ++i) {
    const double x = rng.Uniform(low, high);
    const double y = rng.Uniform(low, high);
    tasks.emplace_back(std::map<std::string, double>{{"goal_x", x}, {"goal_y", y}});
  }
  return tasks;
}

std::vector<Task> SampleDiskGoals(int n, double radius, Rng& rng) {
  std::vector<Task> tasks;
  for (int i = 0; i < n; ++i) {
    const double angle = rng.Uniform(0.0, 2.0 * M_PI);
    const double r = radius * std::sqrt(rng.Uniform());  // uniform in area
    tasks.emplace_back(std::map<std::string, double>{{"goal_x", r * std::cos(angle)}, {"goal_y", r * std::sin(angle)}});
  }
  return tasks;
}

void ValidateVelocityTask(const std::string& env, const Task& task) {
  METARL_REQUIRE(task.params().size() == 1 && task.Has("velocity"), env, " task '", task.ToString(),
                 "': expected exactly one parameter, velocity");
  METARL_REQUIRE(std::isfinite(task.Get("velocity")), env, " task '", task.ToString(), "': velocity is not finite");
}

void ValidateDirectionTask(const std::string& env, const Task& task) {
  METARL_REQUIRE(task.params().size() == 1 && task.Has("direction"), env, " task '", task.ToString(),
                 "': expected exactly one parameter, direction");
  const double d = task.Get("direction");
  METARL_REQUIRE(d == 1.0 || d == -1.0, env, " task: direction = ", d, ": expected -1 (backward) or 1 (forward)");
}

void ValidateGoalTask(const std::string& env, const Task& task) {
  METARL_REQUIRE(task.params().size() == 2 && task.Has("goal_x") && task.Has("goal_y"), env, " task '",
                 task.ToString(), "': expected exactly the parameters goal_x and goal_y");
  METARL_REQUIRE(std::isfinite(task.Get("goal_x")) && std::isfinite(task.Get("goal_y")), env, " task '",
                 task.ToString(), "': goal is not finite");
}

}  // namespace metarl::envs
