#include "runners/maml_eval.h"

#include <cmath>
#include <sstream>

#include <yaml-cpp/yaml.h>

#include "core/error.h"
#include "runners/checkpoint.h"
#include "runners/maml_setup.h"

namespace metarl::runners {

std::vector<double> ParseStepSizes(const std::string& text) {
  std::vector<double> out;
  std::stringstream in(text);
  std::string item;
  while (std::getline(in, item, ',')) {
    std::size_t used = 0;
    double value = 0.0;
    try {
      value = std::stod(item, &used);
    } catch (const std::exception&) {
      used = 0;
    }
    METARL_REQUIRE(used > 0 && used == item.size() && std::isfinite(value) && value > 0.0, "--fast-lr = '", text,
                   "': expected positive step sizes separated by commas (e.g. 0.5 or 0.5,0.25)");
    out.push_back(value);
  }
  METARL_REQUIRE(!out.empty() && text.back() != ',', "--fast-lr = '", text,
                 "': expected positive step sizes separated by commas (e.g. 0.5 or 0.5,0.25)");
  return out;
}

std::vector<EvalRow> RunEvalCommand(const EvalCommandOptions& options) {
  METARL_REQUIRE(options.num_tasks >= 1, "--num-tasks = ", options.num_tasks, ": expected >= 1");
  METARL_REQUIRE(options.grad_steps >= 0, "--grad-steps = ", options.grad_steps, ": expected >= 0");
  METARL_REQUIRE(options.episodes_per_task >= 0, "--fast-batch-size = ", options.episodes_per_task,
                 ": expected >= 1 (or 0 for the run's fast-batch-size)");
  for (double lr : options.fast_lrs) {
    METARL_REQUIRE(std::isfinite(lr) && lr > 0.0, "--fast-lr: step size ", lr, ": expected a positive number");
  }
  METARL_REQUIRE(options.batch_unit.empty() || options.batch_unit == "steps" || options.batch_unit == "episodes",
                 "--batch-unit = '", options.batch_unit, "': expected 'steps' or 'episodes'");
  const Checkpoint checkpoint = LoadCheckpoint(options.checkpoint_dir);
  YAML::Node run = YAML::Load(checkpoint.config_yaml);
  if (!options.batch_unit.empty()) run["batch-unit"] = options.batch_unit;
  YAML::Emitter emitter;
  emitter << run;
  ConfigMap config = ConfigMap::FromString(emitter.c_str(), options.checkpoint_dir + "/checkpoint.pt (config)");
  MamlSetup setup(config);
  RestoreParams(checkpoint, setup.policy().ParameterNames(), setup.policy().parameters_list());

  AdaptationSchedule schedule;
  schedule.fast_lrs = options.fast_lrs;
  schedule.episodes_per_task = options.episodes_per_task;
  const int episodes = options.episodes_per_task > 0 ? options.episodes_per_task : setup.options().fast_batch_size;
  Rng task_rng(StreamSeed(options.seed, {kEvalTasks}));
  const std::vector<envs::Task> tasks = setup.distribution().Sample(options.num_tasks, task_rng);
  const MamlSetup::Rollouts rollouts =
      setup.RolloutWithAdaptation(tasks, options.grad_steps, StreamSeed(options.seed, {kEvalRollouts}), schedule);

  std::vector<EvalRow> rows;
  for (int s = 0; s <= options.grad_steps; ++s) {
    const auto& r = rollouts.task_returns[s];
    double mean = 0.0, var = 0.0;
    for (double v : r) mean += v / r.size();
    for (double v : r) var += (v - mean) * (v - mean) / r.size();
    const double lr = s == 0 ? 0.0 : schedule.StepSize(s, setup.options().maml.fast_lr);
    rows.push_back({s, mean, std::sqrt(var), options.num_tasks, lr, episodes});
  }
  const std::string out = options.out.empty() ? options.checkpoint_dir + "/eval.csv" : options.out;
  std::ostringstream csv;
  csv.precision(8);
  csv << "grad_steps,mean_return,std_return,num_tasks,fast_lr,episodes_per_task\n";
  for (const auto& row : rows) {
    csv << row.grad_steps << "," << row.mean_return << "," << row.std_return << "," << row.num_tasks << ","
        << row.fast_lr << "," << row.episodes_per_task << "\n";
  }
  WriteTextFile(out, csv.str());
  return rows;
}

}  // namespace metarl::runners
