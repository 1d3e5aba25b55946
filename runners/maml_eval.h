#pragma once
// `metarl eval`: fast adaptation to new tasks from a training checkpoint.
//
// Draws `num_tasks` fresh tasks (stream kEvalTasks of the eval seed, never the
// training tasks' stream), samples fast-batch-size episodes per task, adapts
// with one vanilla policy-gradient step (fast-lr) per gradient step, and
// reports mean ± std over tasks of the per-task mean return after 0..K steps.
// `fast_lr` > 0 replaces the training config's step size (to study later
// steps, whose best step size often differs from the one trained for).

#include <cstdint>
#include <string>
#include <vector>

namespace metarl::runners {

struct EvalCommandOptions {
  std::string checkpoint_dir;
  int num_tasks = 40;
  int grad_steps = 3;
  std::uint64_t seed = 0;   // eval seed (tasks and rollouts)
  double fast_lr = 0.0;     // inner step size; 0 = the checkpoint config's fast-lr
  std::string out;          // CSV path; default checkpoint_dir/eval.csv
};

struct EvalRow {
  int grad_steps = 0;
  double mean_return = 0.0;
  double std_return = 0.0;  // over tasks (population std)
  int num_tasks = 0;
  double fast_lr = 0.0;     // inner step size the adapted rows used
};

std::vector<EvalRow> RunEvalCommand(const EvalCommandOptions& options);

}  // namespace metarl::runners
