#pragma once
// Vectorized rollouts: B = tasks × episodes_per_task envs stepped together.
//
// Per time step: one batched policy forward on all B observations (on the
// calling thread), then the thread pool steps the envs in contiguous chunks;
// each env samples its action from the policy's RowSampler with its own Rng
// stream StreamSeed(seed, {b}), resets with the same stream, and writes its
// observation into the shared [B, obs_dim] buffer row b. Episodes are
// therefore bit-identical for any thread count.
// What happens when an env's episode ends is the batch unit's choice:
//   kEpisodes — the env stays idle until every episode of the batch has
//     ended: `slots_per_task` episodes per task (pytorch-maml-rl's sampler).
//   kSteps — the env resets (same random stream) and starts the next episode
//     of its task; a task stops once its completed episodes hold
//     slots_per_task × horizon steps, dropping the episodes still running
//     (cbfinn/maml_rl's vectorized_sampler.py, which collects complete paths
//     until batch_size = fast_batch_size × max_path_length steps). The batch
//     then holds a varying number of episodes per task. Without terminations
//     both units give the same batch.
// Thread-safety: one Sample() at a time per runner.

#include <cstdint>
#include <memory>
#include <vector>

#include "core/thread_pool.h"
#include "envs/task_distribution.h"
#include "policies/batch_policy.h"
#include "runners/episodes.h"

namespace metarl::runners {

enum class BatchUnit { kEpisodes, kSteps };

struct VectorRunnerOptions {
  int threads = 1;  // worker threads stepping envs (the calling thread counts as one)

  void Validate() const;
};

class VectorRunner {
 public:
  VectorRunner(const envs::TaskDistribution& distribution, VectorRunnerOptions options);

  // Steps `slots_per_task` envs per task; env (slot) b runs task
  // b / slots_per_task and the policy's row b acts for it. `seed` keys the
  // env streams (use a different seed per call, e.g. StreamSeed(base,
  // {iteration})); slot b uses stream first_stream + b (a rank sampling
  // tasks [f, f + K) of a meta-batch passes f · slots_per_task, so its
  // episodes equal those of one process sampling the whole batch). The
  // batch's episodes are task-major, each task's in slot order (and, within
  // a slot, in time order). Throws std::invalid_argument for an invalid task
  // or a policy of the wrong size.
  EpisodeBatch Sample(const std::vector<envs::Task>& tasks, int slots_per_task, policies::BatchPolicy& policy,
                      std::uint64_t seed, std::uint64_t first_stream = 0, BatchUnit unit = BatchUnit::kEpisodes);

  // Creates envs up to `num_envs` now (Sample creates missing ones lazily).
  void Reserve(int64_t num_envs);

  ThreadPool& pool() { return pool_; }
  const envs::EnvSpec& spec() const { return spec_; }
  // Policy forwards performed by the last Sample() (= time steps run).
  int64_t last_forward_calls() const { return last_forward_calls_; }

 private:
  const envs::TaskDistribution& distribution_;
  VectorRunnerOptions options_;
  envs::EnvSpec spec_;
  ThreadPool pool_;
  std::vector<std::unique_ptr<envs::Env>> envs_;
  int64_t last_forward_calls_ = 0;
};

}  // namespace metarl::runners
