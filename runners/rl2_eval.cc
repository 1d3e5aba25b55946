#include "runners/rl2_eval.h"

#include <cmath>
#include <sstream>

#include "core/error.h"
#include "runners/checkpoint.h"
#include "runners/maml_setup.h"
#include "runners/rl2_setup.h"

namespace metarl::runners {

std::vector<Rl2EvalRow> RunRl2Eval(const Rl2EvalOptions& options) {
  METARL_REQUIRE(options.num_tasks >= 1, "--num-tasks = ", options.num_tasks, ": expected >= 1");
  METARL_REQUIRE(options.episodes >= 0, "--episodes = ", options.episodes,
                 ": expected >= 1 (or 0 for the run's episodes-per-trial)");
  const Checkpoint checkpoint = LoadCheckpoint(options.checkpoint_dir);
  ConfigMap config = ConfigMap::FromString(checkpoint.config_yaml, options.checkpoint_dir + "/checkpoint.pt (config)");
  Rl2Setup setup(config);
  RestoreParams(checkpoint, setup.policy().ParameterNames(), setup.policy().parameters_list());

  const int episodes = options.episodes > 0 ? options.episodes : setup.options().episodes_per_trial;
  Rng task_rng(StreamSeed(options.seed, {kEvalTasks}));
  const std::vector<envs::Task> tasks = setup.distribution().Sample(options.num_tasks, task_rng);
  const TrialBatch trials =
      setup.runner().Sample(tasks, episodes, setup.SamplingPolicy(), StreamSeed(options.seed, {kEvalRollouts}));

  std::vector<Rl2EvalRow> rows;
  for (int e = 0; e < episodes; ++e) {
    double mean = 0.0, var = 0.0;
    for (const auto& trial : trials.episode_returns) mean += trial[e] / options.num_tasks;
    for (const auto& trial : trials.episode_returns) var += (trial[e] - mean) * (trial[e] - mean) / options.num_tasks;
    rows.push_back({e + 1, mean, std::sqrt(var), options.num_tasks});
  }
  const std::string out = options.out.empty() ? options.checkpoint_dir + "/eval.csv" : options.out;
  std::ostringstream csv;
  csv.precision(8);
  csv << "episode,mean_return,std_return,num_tasks\n";
  for (const auto& row : rows) {
    csv << row.episode << "," << row.mean_return << "," << row.std_return << "," << row.num_tasks << "\n";
  }
  WriteTextFile(out, csv.str());
  return rows;
}

}  // namespace metarl::runners
