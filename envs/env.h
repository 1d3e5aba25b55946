#pragma once
// The environment interface.
//
// Public methods are non-virtual and do the bookkeeping once for every env
// (argument checks, step counter, time-limit truncation, non-finite detection);
// concrete envs implement the protected hooks.
//
// Life cycle: ResetTask(task) (takes effect at the next Reset), Reset(rng, obs),
// then Step(action, obs) until the result says terminated or truncated.
// Buffers: `obs` has spec().obs_dim floats, `action` spec().act_dim floats.
// Thread-safety: one Env is used by one thread at a time; distinct Envs (even of
// one TaskDistribution, sharing its read-only model) may step concurrently.

#include <cstdint>
#include <string>
#include <vector>

#include "core/rng.h"
#include "core/span.h"
#include "envs/task.h"

namespace metarl::envs {

struct EnvSpec {
  int obs_dim = 0;
  int act_dim = 0;
  int horizon = 0;             // time limit in steps (episode truncated at it)
  std::vector<float> act_low;  // bounds actions are clipped to, [act_dim]
  std::vector<float> act_high;
  double dt = 0.0;             // seconds of simulated time per step
  // > 0: discrete actions. act_dim is 1 and the action holds the index
  // 0 … num_actions−1 as an integral float (act_low 0, act_high
  // num_actions−1); Env::Step rejects anything else. 0: continuous.
  int num_actions = 0;
};

// Throws std::invalid_argument naming `env` and `user` when `spec` has
// discrete actions (the Gaussian policies need continuous ones).
void RequireContinuousActions(const std::string& env, const EnvSpec& spec, const std::string& user);

struct StepResult {
  double reward = 0.0;
  bool terminated = false;  // a terminal state (task success/failure, instability)
  bool truncated = false;   // hit the time limit (spec().horizon)
  bool unstable = false;    // physics diverged (MuJoCo warning or NaN state); implies terminated
};

class Env {
 public:
  virtual ~Env() = default;

  const EnvSpec& spec() const { return spec_; }

  // Sets the task used from the next Reset() on; the running episode keeps its
  // task. Validated here (std::invalid_argument for missing/invalid parameters).
  void ResetTask(const Task& task);
  // The task given to the last ResetTask() (in effect from the next Reset()).
  const Task& task() const { return task_; }

  // Starts an episode on the current task; writes the first observation.
  // Throws std::logic_error if no task was ever set.
  void Reset(Rng& rng, Span<float> obs);

  // Advances one step. Throws std::invalid_argument for a wrong-size or
  // non-finite action (or, for discrete envs, one that is not an index in
  // [0, num_actions)), std::logic_error when called outside an episode.
  StepResult Step(Span<const float> action, Span<float> obs);

  int steps() const { return steps_; }
  bool in_episode() const { return in_episode_; }
  // Number of episodes ended by physics instability since construction.
  std::int64_t unstable_episodes() const { return unstable_episodes_; }

 protected:
  explicit Env(EnvSpec spec) : spec_(std::move(spec)) {}

  // Throws std::invalid_argument when `task` is not valid for this env.
  virtual void ValidateTask(const Task& task) const = 0;
  // Applies a validated task; called by Reset() before DoReset().
  virtual void ApplyTask(const Task& task) = 0;
  virtual void DoReset(Rng& rng) = 0;
  // `action` is finite and of size act_dim (not clipped: envs clip as they
  // define). Fills reward / terminated / unstable.
  virtual StepResult DoStep(const float* action) = 0;
  virtual void WriteObservation(float* obs) const = 0;

  EnvSpec spec_;

 private:
  bool has_task_ = false;
  Task task_;  // the task of the current (or next) episode, set by ResetTask
  bool in_episode_ = false;
  int steps_ = 0;
  std::int64_t unstable_episodes_ = 0;
};

}  // namespace metarl::envs
