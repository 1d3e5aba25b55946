#pragma once
// `metarl eval` for an RL² checkpoint: black-box adaptation measured by
// episode index. Draws `num_tasks` fresh tasks (stream kEvalTasks of the eval
// seed), runs one trial of `episodes` episodes on each with the trained
// policy (no gradient step; the hidden state carries what it learned across
// the episodes) and reports, per episode index e = 1 … E, the mean ± std over
// tasks of the return of episode e. Writes CHECKPOINT/eval.csv (or `out`):
// episode,mean_return,std_return,num_tasks.

#include <cstdint>
#include <string>
#include <vector>

namespace metarl::runners {

struct Rl2EvalOptions {
  std::string checkpoint_dir;
  int num_tasks = 40;
  int episodes = 0;         // episodes per trial; 0 = the run's episodes-per-trial
  std::uint64_t seed = 0;   // eval seed (tasks and rollouts)
  std::string out;          // CSV path; default checkpoint_dir/eval.csv
};

struct Rl2EvalRow {
  int episode = 0;  // 1-based index within the trial
  double mean_return = 0.0;
  double std_return = 0.0;  // over tasks (population std)
  int num_tasks = 0;
};

std::vector<Rl2EvalRow> RunRl2Eval(const Rl2EvalOptions& options);

}  // namespace metarl::runners
