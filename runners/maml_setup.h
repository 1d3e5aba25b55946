#pragma once
// What `metarl train` and `metarl eval` share for MAML: the configuration,
// the task distribution, the policy on its device, the runner, and rollouts
// with per-task adaptation in between.

#include <cstdint>
#include <memory>
#include <string>
#include <vector>

#include <c10/core/Device.h>

#include "algorithms/common/adam.h"
#include "algorithms/maml/exploration.h"
#include "algorithms/maml/maml_ppo.h"
#include "algorithms/maml/maml_trpo.h"
#include "algorithms/maml/maml_vpg.h"
#include "algorithms/maml/meta_optimizer.h"
#include "algorithms/promp/promp.h"
#include "algorithms/maml/task_batch.h"
#include "core/config.h"
#include "envs/task_distribution.h"
#include "policies/gaussian_mlp.h"
#include "runners/sampling_options.h"
#include "runners/vector_runner.h"

namespace metarl::runners {

// The gradient-based meta-RL algorithms `metarl train` runs (key
// `algorithm`), in the order of MetaAlgorithms(). Each takes E-MAML's
// exploration term with `exploration: true`.
//   maml-trpo  MAML with a TRPO outer step (Finn et al. 2017); + exploration: E-MAML-TRPO
//   maml-vpg   MAML with one Adam step per batch (`outer-lr`); + exploration: E-MAML-VPG
//   maml-ppo   MAML with the PPO clipped outer objective, `num-ppo-steps` Adam steps (`clip-eps`, `outer-lr`)
//   promp      ProMP (Rothfuss et al. 2019): LVC inner loss, PPO-clip outer objective, inner-KL penalty
const std::vector<std::string>& MetaAlgorithms();

// The sampling keys (sampling_options.h) plus the meta-algorithm's.
struct MamlTrainOptions : SamplingOptions {
  std::string algorithm = "maml-trpo";        // one of MetaAlgorithms()
  algorithms::MamlTrpoOptions maml;           // fast-lr, num-steps, first-order, tasks-per-chunk; TRPO: max-kl, cg-*, ls-*
  algorithms::ExplorationOptions exploration; // exploration (E-MAML), exploration-weight
  algorithms::AdamOptions adam;               // all but maml-trpo: outer-lr (Adam step size, default 1e-3)
  algorithms::PpoOuterOptions ppo;            // maml-ppo only: clip-eps (0.2), num-ppo-steps (5)
  algorithms::ProMpOptions promp;             // promp only: clip-eps (0.3), num-promp-steps (5), *-inner-kl*
  int num_batches = 500;             // meta-iterations
  int checkpoint_every = 10;         // iterations between checkpoints (and one at the end)
  // Where the policy forward that picks actions during sampling runs:
  // "device" (where the policy is, `device`) or "cpu" (the per-task
  // parameters are copied to the CPU once per inner step, and observations
  // never leave it). Adaptation and the outer step stay on `device`.
  std::string sampling_device = "device";

  void Read(ConfigMap& config);  // top-level keys; env-kwargs is read by the env registry
  void Validate() const;
};

// Evaluation-time changes to the inner loop (training uses the defaults).
struct AdaptationSchedule {
  // Step size of inner step s (1-based) is fast_lrs[min(s, size) − 1];
  // empty = the config's fast-lr for every step.
  std::vector<double> fast_lrs;
  int episodes_per_task = 0;  // episodes sampled per task and step; 0 = fast-batch-size
  double StepSize(int step, double config_fast_lr) const;
};

class MamlSetup {
 public:
  // Reads every key (unknown keys, wrong types and out-of-range values are
  // rejected here, before any work, naming the key and the source).
  explicit MamlSetup(ConfigMap& config);

  const MamlTrainOptions& options() const { return options_; }
  const envs::TaskDistribution& distribution() const { return *distribution_; }
  policies::GaussianMlpPolicy& policy() { return *policy_; }
  const c10::Device& device() const { return device_; }
  VectorRunner& runner() { return *runner_; }
  const YAML::Node& resolved_config() const { return resolved_; }
  // The configured algorithm's outer step; its State() is checkpointed.
  algorithms::MetaOptimizer& optimizer() { return *optimizer_; }

  struct Rollouts {
    // batches[s]: episodes sampled with the parameters after s inner steps
    // (s = 0..steps), each task adapting on batches[0..s).
    std::vector<algorithms::TaskBatch> batches;
    // [s][k]: mean episode return of task k (with a shard: of every task of
    // the meta-batch, all ranks', k counted from the batch's first task)
    std::vector<std::vector<double>> task_returns;
    std::vector<std::vector<int>> task_episodes;    // [s][k]: episodes task k's mean return averages (all ranks')
    std::vector<algorithms::RewardMoments> post_rewards;  // [k]: the last batch's reward moments (all ranks')
    std::vector<double> mean_returns;               // [s]: mean over tasks (all ranks')
    TaskShard shard;                    // which tasks of the meta-batch `batches` hold
    std::vector<policies::Params> params;           // [s]: per-task parameters [K, ...] that sampled batches[s] (detached)
    double seconds_sampling = 0.0;
    double seconds_adapting = 0.0;  // baseline + GAE + inner updates
    int64_t unstable_episodes = 0;  // of this rank's episodes, those ended by physics instability
  };
  // Samples `tasks` with `steps` inner policy-gradient steps in between;
  // `seed` keys the rollouts' random streams. With a distributed `shard`,
  // `tasks` are the shard's tasks [first, first + count) of the meta-batch;
  // their episodes equal those one process sampling the whole batch gets,
  // and the returns are gathered from every rank (a collective).
  Rollouts RolloutWithAdaptation(const std::vector<envs::Task>& tasks, int steps, std::uint64_t seed,
                                 const AdaptationSchedule& schedule = {}, const TaskShard& shard = {});
  // What the outer step consumes from training rollouts: the inner batches,
  // the last batch as validation and, with exploration: true, E-MAML's
  // per-task credit (from every rank's returns when sharded). Moves the
  // batches out of `rollouts`.
  algorithms::MetaBatch TakeMetaBatch(Rollouts& rollouts) const;

 private:
  MamlTrainOptions options_;
  std::unique_ptr<envs::TaskDistribution> distribution_;
  std::unique_ptr<policies::GaussianMlpPolicy> policy_;
  c10::Device device_{c10::kCPU};
  c10::Device sampling_device_{c10::kCPU};  // sampling-device resolved
  std::unique_ptr<VectorRunner> runner_;
  YAML::Node resolved_;
  algorithms::AdvantageOptions advantages_;
  std::unique_ptr<algorithms::MetaOptimizer> optimizer_;
};

// Stream tags under the base seed (StreamSeed(seed, {tag, ...})).
enum StreamTag : std::uint64_t { kInitStream = 1, kTrainTasks = 2, kTrainRollouts = 3, kEvalTasks = 4, kEvalRollouts = 5 };

}  // namespace metarl::runners
