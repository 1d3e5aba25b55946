#pragma once
// Vectorized rollouts: B = tasks × episodes_per_task envs stepped together.
//
// Per time step: one batched policy forward on all B observations (on the
// calling thread), then the thread pool steps the envs in contiguous chunks;
// each env samples its action from the policy's RowSampler with its own Rng
// stream StreamSeed(seed, {b}), resets with the same stream, and writes its
// observation into the shared [B, obs_dim] buffer row b. Episodes are
// therefore bit-identical for any thread count.
// Finished envs stay idle until every episode of the batch has ended.
// Thread-safety: one Sample() at a time per runner.

#include <cstdint>
#include <memory>
#include <vector>

#include "core/thread_pool.h"
#include "envs/task_distribution.h"
#include "policies/batch_policy.h"
#include "runners/episodes.h"

namespace metarl::runners {

struct VectorRunnerOptions {
  int threads = 1;  // worker threads stepping envs (the calling thread counts as one)

  void Validate() const;
};

class VectorRunner {
 public:
  VectorRunner(const envs::TaskDistribution& distribution, VectorRunnerOptions options);

  // Runs `episodes_per_task` episodes of every task; episode b runs task
  // b / episodes_per_task. `seed` keys the env streams (use a different seed
  // per call, e.g. StreamSeed(base, {iteration})); episode b uses stream
  // first_stream + b (a rank sampling tasks [f, f + K) of a meta-batch
  // passes f · episodes_per_task, so its episodes equal those of one process
  // sampling the whole batch). Throws std::invalid_argument for an invalid
  // task or a policy of the wrong size.
  EpisodeBatch Sample(const std::vector<envs::Task>& tasks, int episodes_per_task,
                      policies::BatchPolicy& policy, std::uint64_t seed, std::uint64_t first_stream = 0);

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
