#pragma once
// The few-shot learners by name (config key `learner`), an explicit list in
// registry.cc. Each learner reads its own keys from the top level of the
// config (see its options struct); keys of other learners are unknown keys.

#include <cstdint>
#include <memory>
#include <string>
#include <vector>

#include "algorithms/fewshot/functional_net.h"
#include "algorithms/fewshot/learner.h"
#include "core/config.h"

namespace metarl::algorithms::fewshot {

struct LearnerEntry {
  std::string name;
  std::string summary;
};
const std::vector<LearnerEntry>& LearnerRegistry();

// Reads the learner's keys from `config` and builds it from `init`
// (the net's initial parameters). `num_iterations`: the run's length (for
// schedules); `seed`: the run's seed (LEO's own initialisation and noise).
// std::invalid_argument for an unknown name or a bad value.
std::unique_ptr<FewShotLearner> MakeLearner(const std::string& name, ConfigMap& config,
                                            std::shared_ptr<const FunctionalNet> net, bool classification,
                                            const Params& init, int64_t num_iterations, std::uint64_t seed);

}  // namespace metarl::algorithms::fewshot
