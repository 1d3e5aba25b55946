#include "envs/env.h"

#include <cmath>
#include <stdexcept>

#include "core/error.h"

namespace metarl::envs {

void RequireContinuousActions(const std::string& env, const EnvSpec& spec, const std::string& user) {
  METARL_REQUIRE(spec.num_actions == 0, "env '", env, "' has discrete actions (", spec.num_actions, " of them); ",
                 user, " needs continuous actions");
}

void Env::ResetTask(const Task& task) {
  ValidateTask(task);  // may throw before anything changes
  task_ = task;
  has_task_ = true;
}

void Env::Reset(Rng& rng, Span<float> obs) {
  if (!has_task_) throw std::logic_error("Env::Reset before ResetTask: set a task first");
  METARL_REQUIRE(obs.size() == static_cast<std::size_t>(spec_.obs_dim), "observation buffer has ",
                 obs.size(), " floats; expected obs_dim = ", spec_.obs_dim);
  ApplyTask(task_);
  DoReset(rng);
  steps_ = 0;
  in_episode_ = true;
  WriteObservation(obs.data());
}

StepResult Env::Step(Span<const float> action, Span<float> obs) {
  METARL_REQUIRE(action.size() == static_cast<std::size_t>(spec_.act_dim), "action has ",
                 action.size(), " elements; expected act_dim = ", spec_.act_dim);
  METARL_REQUIRE(obs.size() == static_cast<std::size_t>(spec_.obs_dim), "observation buffer has ",
                 obs.size(), " floats; expected obs_dim = ", spec_.obs_dim);
  for (std::size_t i = 0; i < action.size(); ++i) {
    METARL_REQUIRE(std::isfinite(action[i]), "action[", i, "] = ", action[i], " is not finite");
  }
  if (spec_.num_actions > 0) {
    METARL_REQUIRE(action[0] >= 0.0f && action[0] < static_cast<float>(spec_.num_actions) &&
                       action[0] == std::floor(action[0]),
                   "action = ", action[0], ": expected an arm/action index 0 … ", spec_.num_actions - 1);
  }
  if (!in_episode_) throw std::logic_error("Env::Step outside an episode: call Reset first");
  StepResult result = DoStep(action.data());
  ++steps_;
  WriteObservation(obs.data());
  if (!result.unstable) {
    bool finite = std::isfinite(result.reward);
    for (float v : obs) finite = finite && std::isfinite(v);
    if (!finite) result.unstable = true;
  }
  if (result.unstable) {
    result.terminated = true;
    result.reward = 0.0;
    for (float& v : obs) v = std::isfinite(v) ? v : 0.0f;
    ++unstable_episodes_;
  }
  if (!result.terminated && steps_ >= spec_.horizon) result.truncated = true;
  if (result.terminated || result.truncated) in_episode_ = false;
  return result;
}

}  // namespace metarl::envs
