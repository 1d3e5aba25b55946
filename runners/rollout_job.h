#pragma once
// `metarl rollout --config FILE`: samples a meta-batch of tasks from the
// configured distribution, rolls out the (freshly initialised) Gaussian MLP
// policy on all of them with the vector runner, fits the linear baseline and
// GAE advantages, and writes to the output directory:
//   config.yaml   — the resolved configuration (every key, defaults included)
//   episodes.csv  — one row per episode: task_id, task, episode, length,
//                   return, terminated, unstable
// Its keys are SamplingOptions' (sampling_options.h) plus env-kwargs.

#include <cstdint>
#include <string>
#include <vector>

namespace metarl::runners {

struct RolloutJobSummary {
  int64_t episodes = 0;
  int64_t env_steps = 0;
  double mean_return = 0.0;
  double seconds = 0.0;
  double baseline_explained_variance = 0.0;
  int64_t unstable_episodes = 0;
};

// Throws std::invalid_argument for bad configuration, std::runtime_error for
// I/O failures.
RolloutJobSummary RunRolloutJob(const std::string& config_file, const std::string& out_dir);

}  // namespace metarl::runners
