#pragma once
// The few-shot task distributions, by name (config key `task`; its options
// under `task-kwargs`). An explicit list in registry.cc.

#include <memory>
#include <string>
#include <vector>

#include "core/config.h"
#include "envs/fewshot/episodes.h"

namespace metarl::envs::fewshot {

struct FewShotTaskEntry {
  std::string name;
  std::string summary;
};
const std::vector<FewShotTaskEntry>& FewShotTaskRegistry();

// Builds `name` from its kwargs (every key read and validated; unknown keys
// are left to the caller's CheckNoUnknownKeys). std::invalid_argument for an
// unknown name, listing the known ones.
std::unique_ptr<FewShotTasks> MakeFewShotTasks(const std::string& name, ConfigMap& kwargs);

}  // namespace metarl::envs::fewshot
