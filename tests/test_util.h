#pragma once
// Helpers shared by the tests.

#include <functional>
#include <memory>
#include <stdexcept>
#include <string>

#include "core/config.h"
#include "envs/registry.h"

namespace metarl::testing {

// The message of the std::invalid_argument `fn` throws, or a marker string.
inline std::string InvalidArgumentMessage(const std::function<void()>& fn) {
  try {
    fn();
  } catch (const std::invalid_argument& e) {
    return e.what();
  }
  return "<no std::invalid_argument thrown>";
}

// Builds a distribution from an env name and env-kwargs written as YAML.
inline std::unique_ptr<envs::TaskDistribution> MakeDist(const std::string& name,
                                                        const std::string& kwargs_yaml = "{}") {
  ConfigMap kwargs(YAML::Load(kwargs_yaml), "test", "env-kwargs");
  return envs::MakeTaskDistribution(name, kwargs);
}

}  // namespace metarl::testing
