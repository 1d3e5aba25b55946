#pragma once
// A parameterized distribution over tasks of one env family, and the factory
// of envs that run those tasks.
//
// Thread-safety: const methods may be called concurrently; MakeEnv() returns
// independent envs (they may share read-only state such as an mjModel).

#include <memory>
#include <string>
#include <vector>

#include "core/rng.h"
#include "envs/env.h"
#include "envs/task.h"

namespace metarl::envs {

class TaskDistribution {
 public:
  virtual ~TaskDistribution() = default;

  virtual std::string name() const = 0;
  // Draws `n` tasks i.i.d. from the distribution.
  virtual std::vector<Task> Sample(int n, Rng& rng) const = 0;
  // Throws std::invalid_argument naming the parameter when `task` is not a
  // valid task of this family (missing parameter, out of its domain).
  virtual void ValidateTask(const Task& task) const = 0;
  virtual std::unique_ptr<Env> MakeEnv() const = 0;
  // The spec every env of this distribution has.
  virtual EnvSpec spec() const = 0;
};

}  // namespace metarl::envs
