#pragma once
// What `metarl train` and `metarl eval` share for RL² (`algorithm: rl2-ppo`):
// the configuration, the task distribution, the recurrent policy on its
// device, the trial runner, and the step from sampled trials to a PPO batch.
//
// Config keys: RunOptions' (env, meta-batch-size = trials per batch, one per
// task, gamma, gae-lambda, seed, device, threads), policy {hidden-size,
// init-std}, episodes-per-trial, lr, the PPO keys of Rl2PpoOptions,
// num-batches, checkpoint-every, sampling-device.

#include <cstdint>
#include <memory>
#include <string>
#include <vector>

#include <c10/core/Device.h>

#include "algorithms/common/adam.h"
#include "algorithms/rl2/rl2_ppo.h"
#include "core/config.h"
#include "envs/task_distribution.h"
#include "policies/recurrent_policy.h"
#include "runners/sampling_options.h"
#include "runners/trial_runner.h"

namespace metarl::runners {

inline constexpr const char* kRl2Algorithm = "rl2-ppo";

// The `algorithm` key of a config (default maml-trpo), read without
// validating the rest.
std::string ConfiguredAlgorithm(const ConfigMap& config);

struct Rl2TrainOptions : RunOptions {
  Rl2TrainOptions() { gae_lambda = 0.95; }
  std::string algorithm = kRl2Algorithm;
  policies::RecurrentPolicyOptions policy;  // key `policy`: hidden-size (64), init-std (1.0)
  int episodes_per_trial = 2;               // episodes-per-trial: episodes of one task the hidden state spans
  algorithms::Rl2PpoOptions ppo;            // clip-eps, ppo-epochs, num-minibatches, value-coef, entropy-coef, bptt-chunk, max-grad-norm, normalize-advantages
  algorithms::AdamOptions adam;             // lr: Adam step size (default 1e-3)
  int num_batches = 500;                    // iterations (one PPO update each)
  int checkpoint_every = 10;                // iterations between checkpoints (and one at the end)
  // Where the recurrent step that picks actions during sampling runs:
  // "device" (where the policy is, `device`) or "cpu" (a CPU copy of the
  // policy, refreshed once per Sample; inputs and hidden states never leave
  // the CPU). The PPO update stays on `device`.
  std::string sampling_device = "device";

  void Read(ConfigMap& config);
  void Validate() const;
};

class Rl2Setup {
 public:
  // Reads and validates every key before any work (messages name the key and
  // the source).
  explicit Rl2Setup(ConfigMap& config);

  const Rl2TrainOptions& options() const { return options_; }
  const envs::TaskDistribution& distribution() const { return *distribution_; }
  policies::RecurrentPolicy& policy() { return *policy_; }
  // The policy the trial runner samples with (sampling-device): policy()
  // itself, or its CPU copy with the current parameters copied in on each
  // call. Not thread-safe.
  policies::RecurrentPolicy& SamplingPolicy();
  TrialRunner& runner() { return *runner_; }
  algorithms::FlatAdam& adam() { return adam_; }
  const YAML::Node& resolved_config() const { return resolved_; }

  // Log-probabilities and values of the sampled trials under the current
  // policy, GAE over each whole trial, on the policy's device.
  algorithms::Rl2PpoBatch MakePpoBatch(const TrialBatch& trials);

 private:
  Rl2TrainOptions options_;
  std::unique_ptr<envs::TaskDistribution> distribution_;
  std::shared_ptr<policies::RecurrentPolicy> policy_;
  std::shared_ptr<policies::RecurrentPolicy> cpu_policy_;  // sampling-device: cpu with a GPU device; else null
  c10::Device device_{c10::kCPU};
  std::unique_ptr<TrialRunner> runner_;
  algorithms::FlatAdam adam_;
  YAML::Node resolved_;
};

}  // namespace metarl::runners
