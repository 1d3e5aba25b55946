#pragma once
// Goal samplers and task validators shared by the env families.
// Task parameter names: "velocity" (m/s), "direction" (±1), "goal_x"/"goal_y" (m).

#include <string>
#include <vector>

#include "core/rng.h"
#include "envs/task.h"

namespace metarl::envs {

// {velocity ~ U[low, high]} × n.
std::vector<Task> SampleVelocities(int n, double low, double high, Rng& rng);
// {direction = ±1 with probability 1/2} × n.
std::vector<Task> SampleDirections(int n, Rng& rng);
// {goal_x, goal_y} × n, uniform in [-r, r]² (square) or in the disk of radius r.
std::vector<Task> SampleSquareGoals(int n, double low, double high, Rng& rng);
std::vector<Task> SampleDiskGoals(int n, double radius, Rng& rng);

// Throw std::invalid_argument naming `env`, the task and what was expected.
void ValidateVelocityTask(const std::string& env, const Task& task);
void ValidateDirectionTask(const std::string& env, const Task& task);
void ValidateGoalTask(const std::string& env, const Task& task);

}  // namespace metarl::envs
