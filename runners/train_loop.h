#pragma once
// The loop every `metarl train` job shares: output directory, resolved
// config.yaml, metrics.csv (one row per iteration; on resume the rows after
// the checkpoint are dropped, as they are about to be repeated), a progress
// line, atomic checkpoints every `checkpoint_every` iterations and at the
// end, and a failed iteration reported with the state of the last checkpoint.
//
// A job (MAML family, RL²) supplies its iterations, metrics and checkpoint
// contents through TrainingJob. Iteration i must depend only on the seed, i and
// the checkpointed state, so a resumed run continues exactly as an
// uninterrupted one.
//
// In a distributed job (core/communicator.h) every rank runs the loop and
// its iterations; only rank 0 writes config.yaml, metrics.csv, checkpoints
// and progress lines. Every rank reads the checkpoint on resume.
//
// Model selection: a job whose metrics rows carry a validation score
// (SelectionScore) also keeps DIR/best.pt, the state after the iteration with
// the highest score so far (the first of equal ones), written by rank 0 when
// that iteration's row is; on resume the best so far is read back from the
// kept metrics rows, so a resumed run's best.pt is an uninterrupted one's.
//
// SIGINT, SIGTERM or SIGUSR1 (core/interrupt.h) during the loop: the current
// iteration finishes, its metrics row and a checkpoint are written, and the
// loop throws InterruptedError (the CLI exits 128 + the signal number); a
// second signal ends the process at once. Every rank of a distributed job
// stops after the same iteration. A process killed outright (SIGKILL, power)
// loses the iterations since the last checkpoint, which is never left
// half-written (runners/checkpoint.h).

#include <cstdint>
#include <string>
#include <vector>

#include <yaml-cpp/yaml.h>

#include "runners/checkpoint.h"

namespace metarl::runners {

struct TrainCommandOptions {
  std::string config_file;
  std::string output_dir;
  std::vector<std::string> overrides;  // --set key=value
  bool resume = false;                 // continue from output_dir/checkpoint.pt
  bool quiet = false;                  // no per-iteration progress line
  bool dry_run = false;                // set up (validating everything), restore on resume, then stop: no files
};

// The config of a train command: --config, or DIR/config.yaml with --resume
// and no --config; overrides applied. Throws std::invalid_argument.
std::string TrainConfigFile(const TrainCommandOptions& command);

class TrainingJob {
 public:
  virtual ~TrainingJob() = default;
  virtual int64_t num_iterations() const = 0;
  virtual int64_t checkpoint_every() const = 0;
  // Iterations between progress lines (the last one is always printed).
  virtual int64_t progress_every() const { return 1; }
  virtual const YAML::Node& resolved_config() const = 0;
  virtual std::string MetricsHeader() const = 0;

  struct Iteration {
    std::string metrics_row;  // metrics.csv row, starting with the iteration number
    std::string progress;     // progress text after "iter i/N | "
  };
  // Runs iteration `iteration` (0-based). std::runtime_error on a numerical failure.
  virtual Iteration RunIteration(int64_t iteration) = 0;
  // Parameters (names, values) and optimiser state; the loop fills the
  // iteration and the config.
  virtual Checkpoint State() const = 0;
  virtual void Restore(const Checkpoint& checkpoint) = 0;
  // The model-selection score of an iteration from its metrics row (higher
  // is better), NaN when the row holds none (the default: no best.pt).
  virtual double SelectionScore(const std::string& metrics_row) const;
};

// The checkpoint contents of a job whose state is one policy (ParameterNames(),
// parameters_list()) and an optimiser (State(), Restore()).
template <typename Policy, typename Optimizer>
Checkpoint PolicyState(const Policy& policy, const Optimizer& optimizer) {
  Checkpoint c;
  c.names = policy.ParameterNames();
  c.params = policy.parameters_list();
  c.optimizer_state = optimizer.State();
  return c;
}
template <typename Policy, typename Optimizer>
void RestorePolicyState(const Checkpoint& checkpoint, const Policy& policy, Optimizer& optimizer) {
  RestoreParams(checkpoint, policy.ParameterNames(), policy.parameters_list());
  optimizer.Restore(checkpoint.optimizer_state);
}

// Progress-line suffix for an iteration in which `count` episodes were ended
// by physics instability (NaN/Inf state or a MuJoCo warning): empty for 0.
std::string UnstableWarning(int64_t count);

// Runs the job's remaining iterations; returns how many it ran.
int64_t RunTrainingLoop(TrainingJob& job, const TrainCommandOptions& command);

}  // namespace metarl::runners
