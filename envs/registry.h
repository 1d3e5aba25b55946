#pragma once
// The explicit list of env families. Adding one = its folder, one line in
// registry.cc, one line in CMakeLists.txt; the conformance tests iterate
// EnvRegistry() and pick it up.

#include <functional>
#include <memory>
#include <string>
#include <vector>

#include "core/config.h"
#include "envs/task_distribution.h"

namespace metarl::envs {

struct EnvEntry {
  std::string name;     // as written in configs (`env: HalfCheetahVel`)
  std::string summary;  // one line for `metarl envs`
  bool physics_presets;  // reads `physics: gym|rllab` (the MuJoCo families)
  // Reads the family's options from `kwargs` (env-kwargs), validates them and
  // builds the distribution. Unknown keys are left for the caller's check.
  using Factory = std::function<std::unique_ptr<TaskDistribution>(ConfigMap& kwargs)>;
  Factory make;
};

const std::vector<EnvEntry>& EnvRegistry();

// The entry named `name`; std::invalid_argument listing the known names.
const EnvEntry& FindEnv(const std::string& name);

// Builds the named distribution; std::invalid_argument for an unknown name
// (listing the known ones) or bad kwargs. Checks kwargs for unknown keys.
std::unique_ptr<TaskDistribution> MakeTaskDistribution(const std::string& name, ConfigMap& kwargs);
// Same with default options.
std::unique_ptr<TaskDistribution> MakeTaskDistribution(const std::string& name);

}  // namespace metarl::envs
