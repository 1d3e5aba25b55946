#pragma once
// Rollouts of recurrent policies (RL²): B trials stepped together, trial b on
// task b, each `episodes_per_trial` consecutive episodes of its task.
//
// Per time step: every active row writes its policy input x_t (obs, previous
// action, reward and done; policies/recurrent_policy.h) into a shared [B, I]
// buffer, one batched recurrent step maps (x_t, h_t) to h_{t+1} and the action
// distribution on the calling thread, then the thread pool samples the actions
// and steps the envs. When an episode ends before the trial's last one, the
// env is reset on the same task and the next input carries done = 1; the
// hidden state runs on. Hidden states start at zero for every trial (a trial
// is one batch row for one Sample()), so they are reset exactly at trial
// boundaries.
//
// Row b draws actions and resets from its own stream StreamSeed(seed,
// {first_stream + b}): trials are bit-identical for any thread count, and a
// rank sampling trials [f, f + K) of a meta-batch passes first_stream = f so
// that its trials draw the numbers of one process sampling the whole batch.
// Thread-safety: one Sample() at a time per runner.

#include <cstdint>
#include <memory>
#include <vector>

#include <ATen/core/Tensor.h>

#include "core/thread_pool.h"
#include "envs/task_distribution.h"
#include "policies/recurrent_policy.h"
#include "runners/vector_runner.h"

namespace metarl::runners {

// B trials padded to T = episodes_per_trial × horizon steps. CPU float32.
struct TrialBatch {
  at::Tensor inputs;   // [T, B, I] policy input at each step (what Evaluate replays)
  at::Tensor actions;  // [T, B, A] sampled actions (unclipped; the index for discrete actions)
  at::Tensor rewards;  // [T, B]
  at::Tensor masks;    // [T, B] 1 inside the trial, 0 for padding
  std::vector<int> lengths;                          // [B] steps in each trial
  std::vector<std::vector<double>> episode_returns;  // [B][E] undiscounted return of each episode
  std::vector<int> unstable;                         // [B] episodes of the trial ended by physics instability
  std::vector<envs::Task> tasks;                     // [B] task of each trial
  int episodes_per_trial = 0;                        // E

  int64_t horizon() const { return rewards.size(0); }
  int64_t size() const { return rewards.size(1); }
  int64_t total_steps() const;
  // [E]: mean over trials of the return of episode e.
  std::vector<double> MeanEpisodeReturns() const;
};

class TrialRunner {
 public:
  TrialRunner(const envs::TaskDistribution& distribution, VectorRunnerOptions options);

  // One trial per task (first_stream: see above). Throws std::invalid_argument for an invalid task or
  // a policy that does not fit the env.
  TrialBatch Sample(const std::vector<envs::Task>& tasks, int episodes_per_trial, policies::RecurrentPolicy& policy,
                    std::uint64_t seed, std::uint64_t first_stream = 0);

  ThreadPool& pool() { return pool_; }
  const envs::EnvSpec& spec() const { return spec_; }

 private:
  const envs::TaskDistribution& distribution_;
  envs::EnvSpec spec_;
  ThreadPool pool_;
  std::vector<std::unique_ptr<envs::Env>> envs_;
};

}  // namespace metarl::runners
