#pragma once
// `metarl rollout --config FILE`: samples a meta-batch of tasks from the
// configured distribution, rolls out the (freshly initialised) Gaussian MLP
// policy on all of them with the vector runner, fits the linear baseline and
// GAE advantages, and writes to the output directory:
//   config.yaml   — the resolved configuration (every key, defaults included)
//   episodes.csv  — one row per episode: task_id, task, episode, length,
//                   return, terminated, unstable
// It is the foundation's end-to-end job; training (issue 3) builds on it.

#include <cstdint>
#include <string>
#include <vector>

#include "core/config.h"
#include "policies/gaussian_mlp.h"

namespace metarl::runners {

struct RolloutJobOptions {
  std::string env = "HalfCheetahVel";  // a registered env (metarl envs)
  policies::GaussianMlpOptions policy;  // key `policy`
  int meta_batch_size = 40;             // tasks per batch
  int fast_batch_size = 20;             // episodes per task
  double gamma = 0.99;                  // discount
  double gae_lambda = 1.0;              // GAE λ
  std::uint64_t seed = 1;               // base seed of every random stream
  std::string device = "cpu";           // cpu | cuda | cuda:N | auto
  int threads = 0;                      // env-stepping threads; 0 = all hardware threads

  // Reads the top-level keys (env-kwargs is read by the env registry).
  void Read(ConfigMap& config);
  void Validate() const;
};

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
