#include "runners/cli/commands.h"

#include <iostream>

#include <boost/program_options.hpp>

#include "envs/registry.h"
#include "runners/rollout_bench.h"
#include "runners/rollout_job.h"

namespace metarl::cli {
namespace po = boost::program_options;

namespace {

// Parses `args` against `desc`; prints help and returns false for --help.
bool Parse(const std::vector<std::string>& args, const po::options_description& desc,
           const std::string& usage, po::variables_map* vm) {
  po::store(po::command_line_parser(args).options(desc).run(), *vm);
  if (vm->count("help")) {
    std::cout << usage << "\n" << desc << "\n";
    return false;
  }
  po::notify(*vm);
  return true;
}

}  // namespace

int RolloutCommand(const std::vector<std::string>& args) {
  std::string config, out;
  po::options_description desc("Options");
  desc.add_options()("help,h", "show this help")
      ("config,c", po::value(&config)->required(), "experiment YAML file")
      ("out,o", po::value(&out)->default_value("runs/rollout"), "output directory");
  po::variables_map vm;
  if (!Parse(args, desc,
             "usage: metarl rollout --config FILE [--out DIR]\n"
             "Rolls out the initial policy on a meta-batch of tasks; writes config.yaml and episodes.csv.",
             &vm)) {
    return 0;
  }
  const runners::RolloutJobSummary s = runners::RunRolloutJob(config, out);
  std::cout << "rollout: " << s.episodes << " episodes, " << s.env_steps << " env steps in " << s.seconds
            << " s (" << static_cast<int64_t>(s.env_steps / s.seconds) << " steps/s incl. baseline + GAE)\n"
            << "  mean return " << s.mean_return << ", baseline explained variance "
            << s.baseline_explained_variance << ", unstable episodes " << s.unstable_episodes << "\n"
            << "  wrote " << out << "/config.yaml, " << out << "/episodes.csv\n";
  return 0;
}

int BenchCommand(const std::vector<std::string>& args) {
  const std::string usage =
      "usage: metarl bench rollout [--env NAME] [--envs TASKS] [--trajs N] [--threads N] [--json]\n"
      "Rollout throughput: (a) raw physics floor, (b) runner + policy on 1 thread, (c) on N threads.";
  if (args.empty() || args[0] == "--help" || args[0] == "-h") {
    std::cout << usage << "\n";
    return args.empty() ? 2 : 0;
  }
  if (args[0] != "rollout") {
    throw std::invalid_argument("unknown benchmark '" + args[0] + "'; expected: rollout");
  }
  runners::RolloutBenchOptions o;
  bool json = false;
  po::options_description desc("Options");
  desc.add_options()("help,h", "show this help")
      ("env", po::value(&o.env)->default_value(o.env), "env name (metarl envs)")
      ("envs,tasks", po::value(&o.tasks)->default_value(o.tasks), "tasks in the batch")
      ("trajs", po::value(&o.trajs)->default_value(o.trajs), "episodes per task (B = envs x trajs)")
      ("horizon", po::value(&o.horizon)->default_value(o.horizon), "steps per episode")
      ("physics", po::value(&o.physics)->default_value(o.physics), "gym | rllab (MuJoCo envs)")
      ("threads", po::value(&o.threads)->default_value(o.threads), "threads for measurement (c)")
      ("repeats", po::value(&o.repeats)->default_value(o.repeats), "best of this many runs")
      ("seed", po::value(&o.seed)->default_value(o.seed), "random seed")
      ("json", po::bool_switch(&json), "print one JSON object");
  po::variables_map vm;
  if (!Parse({args.begin() + 1, args.end()}, desc, usage, &vm)) return 0;
  const runners::RolloutBenchResult result = runners::RunRolloutBench(o);
  std::cout << (json ? result.ToJson() + "\n" : result.ToText());
  return 0;
}

int EnvsCommand(const std::vector<std::string>& args) {
  if (!args.empty() && args[0] != "--help" && args[0] != "-h") {
    throw std::invalid_argument("metarl envs takes no arguments");
  }
  for (const auto& entry : envs::EnvRegistry()) {
    std::cout << "  " << entry.name << std::string(16 - std::min<size_t>(15, entry.name.size()), ' ')
              << entry.summary << "\n";
  }
  return 0;
}

}  // namespace metarl::cli
