#pragma once
// `metarl train` for RL² (`algorithm: rl2-ppo`): each iteration samples
// meta-batch-size tasks (stream StreamSeed(seed, {kTrainTasks, i})), one trial
// of episodes-per-trial episodes on each (rollouts from {kTrainRollouts, i}),
// and takes one PPO update over the trials (minibatch order from
// {kTrainRollouts, i, 1}). Output directory as for every train job
// (runners/train_loop.h); the checkpoint holds the policy and Adam's state.
//
// Under `mpirun -np N` every rank draws the iteration's tasks and samples the
// trials of its shard (ShardTasks with one trial per chunk, trial streams
// offset so each trial is the one-process run's), and the PPO update sums
// over ranks (algorithms/rl2/rl2_ppo.h); only rank 0 writes files.

#include <cstdint>
#include <vector>

#include "algorithms/rl2/rl2_ppo.h"
#include "runners/rl2_setup.h"
#include "runners/train_loop.h"

namespace metarl::runners {

struct Rl2IterationMetrics {
  int64_t iteration = 0;
  std::vector<double> episode_returns;  // [E] mean return of episode e of the trials
  int64_t env_steps = 0;
  int64_t unstable_episodes = 0;  // episodes ended by physics instability (see IterationMetrics)
  algorithms::Rl2PpoStats ppo;
  double seconds_sampling = 0.0;
  double seconds_optimizing = 0.0;  // old log-probs, GAE and the PPO update
  double seconds_total = 0.0;
  double seconds_communicating = 0.0;  // in collectives (transfer and waiting); 0 in one process
};

Rl2IterationMetrics RunRl2Iteration(Rl2Setup& setup, int64_t iteration);

// The whole command for an RL² config. Returns the metrics of the iterations it ran.
std::vector<Rl2IterationMetrics> RunRl2TrainCommand(const TrainCommandOptions& options);

}  // namespace metarl::runners
