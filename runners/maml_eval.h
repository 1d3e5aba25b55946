#pragma once
// `metarl eval`: fast adaptation to new tasks from a training checkpoint.
//
// Draws `num_tasks` fresh tasks (stream kEvalTasks of the eval seed, never the
// training tasks' stream), samples episodes per task, adapts with one vanilla
// policy-gradient step per gradient step, and reports mean ± std over tasks
// of the per-task mean return after 0..K steps.
//
// By default every step uses the training config's fast-lr and
// fast-batch-size. `fast_lrs` and `episodes_per_task` change that, e.g. to
// evaluate as the original MAML code did (first step at the training step
// size, later steps at half of it, twice the training batch:
// `--fast-lr 0.5,0.25 --fast-batch-size 40` for 2D navigation); `batch_unit`
// samples as another code base did (`--batch-unit episodes`: pytorch-maml-rl).

#include <cstdint>
#include <string>
#include <vector>

namespace metarl::runners {

struct EvalCommandOptions {
  std::string checkpoint_dir;
  int num_tasks = 40;
  int grad_steps = 3;
  std::uint64_t seed = 0;        // eval seed (tasks and rollouts)
  std::vector<double> fast_lrs;  // step s uses fast_lrs[min(s, size) − 1]; empty = the run's fast-lr
  int episodes_per_task = 0;     // per task and step; 0 = the run's fast-batch-size
  std::string batch_unit;        // "steps" | "episodes" (sampling_options.h); empty = the run's
  std::string out;               // CSV path; default checkpoint_dir/eval.csv
};

struct EvalRow {
  int grad_steps = 0;
  double mean_return = 0.0;
  double std_return = 0.0;     // over tasks (population std)
  int num_tasks = 0;
  double fast_lr = 0.0;        // step size of the step that led to this row (0 for row 0)
  int episodes_per_task = 0;   // episodes each task's mean return averages
};

// "0.5,0.25" → {0.5, 0.25}. Throws std::invalid_argument naming `text` for
// anything that is not a comma-separated list of positive finite numbers.
std::vector<double> ParseStepSizes(const std::string& text);

std::vector<EvalRow> RunEvalCommand(const EvalCommandOptions& options);

}  // namespace metarl::runners
