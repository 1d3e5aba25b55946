#pragma once
// Helpers shared by the tests.

#include <cstring>
#include <functional>
#include <memory>
#include <stdexcept>
#include <string>

#include <ATen/core/Tensor.h>

#include "core/config.h"
#include "envs/registry.h"

namespace metarl::testing {

// Same dtype, shape and bytes (not only equal values: -0 ≠ +0, NaN = NaN).
inline bool SameBits(const at::Tensor& a, const at::Tensor& b) {
  if (a.scalar_type() != b.scalar_type() || a.sizes() != b.sizes()) return false;
  const at::Tensor ca = a.contiguous(), cb = b.contiguous();
  return std::memcmp(ca.data_ptr(), cb.data_ptr(), ca.nbytes()) == 0;
}

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
