#include "runners/maml_eval.h"

#include <cmath>
#include <filesystem>
#include <fstream>

#include "core/config.h"
#include "core/error.h"
#include "runners/checkpoint.h"
#include "runners/maml_setup.h"

namespace metarl::runners {

std::vector<EvalRow> RunEvalCommand(const EvalCommandOptions& options) {
  METARL_REQUIRE(options.num_tasks >= 1, "--num-tasks = ", options.num_tasks, ": expected >= 1");
  METARL_REQUIRE(options.grad_steps >= 0, "--grad-steps = ", options.grad_steps, ": expected >= 0");
  METARL_REQUIRE(std::isfinite(options.fast_lr) && options.fast_lr >= 0.0, "--fast-lr = ", options.fast_lr,
                 ": expected a positive step size (or 0 for the checkpoint's fast-lr)");
  const Checkpoint checkpoint = LoadCheckpoint(options.checkpoint_dir);
  YAML::Node root = YAML::Load(checkpoint.config_yaml);
  if (options.fast_lr > 0.0) root["fast-lr"] = options.fast_lr;
  ConfigMap config(root, options.checkpoint_dir + "/checkpoint.pt (config)");
  MamlSetup setup(config);
  RestoreParams(checkpoint, setup.policy().ParameterNames(), setup.policy().parameters_list());

  Rng task_rng(StreamSeed(options.seed, {kEvalTasks}));
  const std::vector<envs::Task> tasks = setup.distribution().Sample(options.num_tasks, task_rng);
  const MamlSetup::Rollouts rollouts =
      setup.RolloutWithAdaptation(tasks, options.grad_steps, StreamSeed(options.seed, {kEvalRollouts}));

  std::vector<EvalRow> rows;
  for (int s = 0; s <= options.grad_steps; ++s) {
    const auto& r = rollouts.task_returns[s];
    double mean = 0.0, var = 0.0;
    for (double v : r) mean += v / r.size();
    for (double v : r) var += (v - mean) * (v - mean) / r.size();
    rows.push_back({s, mean, std::sqrt(var), options.num_tasks, setup.options().maml.fast_lr});
  }
  const std::string out = options.out.empty() ? options.checkpoint_dir + "/eval.csv" : options.out;
  const std::string tmp = out + ".tmp";
  {
    std::ofstream csv(tmp, std::ios::trunc);
    METARL_REQUIRE(csv.good(), "cannot write '", tmp, "'");
    csv.precision(8);
    csv << "grad_steps,mean_return,std_return,num_tasks,fast_lr\n";
    for (const auto& row : rows) {
      csv << row.grad_steps << "," << row.mean_return << "," << row.std_return << "," << row.num_tasks << ","
          << row.fast_lr << "\n";
    }
    csv.flush();
    if (!csv.good()) throw std::runtime_error(Cat("write to '", tmp, "' failed"));
  }
  std::filesystem::rename(tmp, out);
  return rows;
}

}  // namespace metarl::runners
