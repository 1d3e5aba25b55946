#pragma once
// `metarl train`: meta-training of the MAML family (MetaAlgorithms()) from a config file.
//
// Output directory (runners/train_loop.h): config.yaml, metrics.csv (one row
// per meta-iteration), checkpoint.pt.
// Iteration i samples its tasks from StreamSeed(seed, {kTrainTasks, i}) and its
// rollouts from StreamSeed(seed, {kTrainRollouts, i}), so a resumed run
// continues exactly as an uninterrupted one.
//
// Distributed (`mpirun -np N metarl train`, core/communicator.h): every rank
// draws the iteration's tasks and samples and adapts its shard of whole task
// chunks (ShardTasks, core/task_shard.h); the outer step gathers every chunk's
// values, so all ranks take the step one process would take, bit for bit.

#include <cstdint>
#include <string>
#include <vector>

#include "runners/maml_setup.h"
#include "runners/train_loop.h"

namespace metarl::runners {

struct IterationMetrics {
  int64_t iteration = 0;
  std::vector<double> returns;  // mean return before adaptation, then after each inner step
  int64_t env_steps = 0;        // env steps sampled (all inner steps and the valid episodes)
  // How many of the sampled episodes physics instability ended (a MuJoCo
  // warning or a NaN/Inf state; envs/env.h): their last reward is 0 and
  // their state was reset. In metrics.csv and on the progress line; usually
  // a sign of a model or actions the simulator cannot integrate.
  int64_t unstable_episodes = 0;
  // The pre-update policy's action std, mean of exp(log_std) over the action
  // dimensions (what exploration the inner step's samples had).
  double policy_std = 0.0;
  // [s]: mean over the meta-batch's tasks of ‖φ_{s+1} − φ_s‖₂ over all
  // parameters, the size of inner step s.
  std::vector<double> inner_step_norms;
  algorithms::OuterStepStats outer;
  double seconds_sampling = 0.0;
  double seconds_adapting = 0.0;
  double seconds_optimizing = 0.0;
  double seconds_total = 0.0;
  // In collectives (distributed runs; part of the phases above): transfers
  // and waiting for the other ranks. 0 in one process.
  double seconds_communicating = 0.0;
};

// Runs meta-iteration `iteration` (0-based) on `setup`, updating its policy.
IterationMetrics RunMamlIteration(MamlSetup& setup, int64_t iteration);

// The whole command for a MAML-family config. Returns the metrics of the
// iterations it ran.
std::vector<IterationMetrics> RunTrainCommand(const TrainCommandOptions& options);

}  // namespace metarl::runners
