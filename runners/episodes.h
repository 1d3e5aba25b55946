#pragma once
// A padded batch of episodes and the return/advantage computations on it.
//
// Layout: B episode columns (task-major: column b belongs to task
// b / episodes_per_task) over T = horizon time steps. Steps t >= lengths[b]
// are padding: masks 0, zeros elsewhere. Task k's episodes are its first
// task_episodes[k] columns; the rest of its columns (when tasks have
// different episode counts, runners/vector_runner.h kSteps) are empty
// (length 0). All tensors are CPU float32.

#include <cstdint>
#include <vector>

#include <ATen/core/Tensor.h>

#include "envs/task.h"

namespace metarl::runners {

struct EpisodeBatch {
  at::Tensor observations;  // [T, B, obs_dim] observation before each action
  at::Tensor actions;       // [T, B, act_dim] sampled (unclipped) actions
  at::Tensor rewards;       // [T, B]
  at::Tensor masks;         // [T, B] 1 for steps inside the episode, 0 for padding
  std::vector<int> lengths;           // [B] steps in each episode
  std::vector<int> task_ids;          // [B] index into `tasks`
  std::vector<std::uint8_t> terminated;  // [B] 1: ended in a terminal state; 0: truncated
  std::vector<std::uint8_t> unstable;    // [B] 1: ended by physics instability
  std::vector<envs::Task> tasks;      // the tasks of this batch
  int episodes_per_task = 0;          // columns per task
  std::vector<int> task_episodes;     // [tasks] episodes of each task (<= episodes_per_task)

  int64_t horizon() const { return rewards.size(0); }
  int64_t size() const { return rewards.size(1); }
  int64_t total_steps() const;
  // Undiscounted return of each episode, [B] (double precision sum; 0 for
  // empty columns).
  std::vector<double> EpisodeReturns() const;
  // Mean episode return of each task, [tasks] (over its task_episodes).
  std::vector<double> TaskMeanReturns() const;
};

// Discounted reward-to-go G_t = Σ_{k>=t} γ^{k-t} r_k within each episode,
// [T, B]; 0 on padding.
at::Tensor DiscountedReturns(const EpisodeBatch& batch, double gamma);

// Generalized advantage estimation (Schulman et al. 2016) with per-step
// baseline values [T, B]: δ_t = r_t + γ·V_{t+1} − V_t, A_t = Σ (γλ)^k δ_{t+k},
// where V after the episode's last step is 0 (terminal or time limit, as in
// the MAML implementations). [T, B]; 0 on padding.
at::Tensor Gae(const EpisodeBatch& batch, const at::Tensor& values, double gamma, double lambda);
// The same on bare sequences: rewards and values [T, B], sequence b being
// steps 0 … lengths[b]−1 (RL² passes whole trials).
at::Tensor Gae(const at::Tensor& rewards, const std::vector<int>& lengths, const at::Tensor& values, double gamma,
               double lambda);

}  // namespace metarl::runners
