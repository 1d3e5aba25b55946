#include "runners/cli/commands.h"

#include <cmath>
#include <cstdio>
#include <iostream>

#include <boost/program_options.hpp>

#include "core/communicator.h"
#include "core/config.h"
#include "core/error.h"
#include "envs/registry.h"
#include "algorithms/fewshot/registry.h"
#include "envs/fewshot/registry.h"
#include "envs/fewshot/synthetic_images.h"
#include "runners/checkpoint.h"
#include "runners/cli/parse.h"
#include "runners/adapt_bench.h"
#include "runners/fewshot_bench.h"
#include "runners/fewshot_eval.h"
#include "runners/fewshot_setup.h"
#include "runners/fewshot_trainer.h"
#include "runners/maml_bench.h"
#include "runners/maml_eval.h"
#include "runners/maml_trainer.h"
#include "runners/plot.h"
#include "runners/rl2_bench.h"
#include "runners/rl2_eval.h"
#include "runners/rl2_setup.h"
#include "runners/rl2_trainer.h"
#include "runners/rollout_bench.h"
#include "runners/rollout_job.h"

namespace metarl::cli {
namespace po = boost::program_options;

namespace {

// The adaptation curve beside the eval CSV (FILE.csv -> FILE.png). The
// table is already written: a plotting failure (no gnuplot) is reported
// on stderr and does not fail the command.
void WriteEvalPlot(const std::string& csv, const runners::Series& curve, const std::string& xlabel,
                   const std::string& title) {
  std::string png = csv;
  if (png.size() > 4 && png.compare(png.size() - 4, 4, ".csv") == 0) png.resize(png.size() - 4);
  png += ".png";
  try {
    runners::WritePlotPng(png, {curve}, {title, xlabel, "return", 800, 500});
    std::cout << "wrote " << png << "\n";
  } catch (const std::exception& e) {
    std::cerr << "warning: the adaptation curve was not drawn: " << e.what() << "\n";
  }
}

}  // namespace

int TrainCommand(const std::vector<std::string>& args) {
  runners::TrainCommandOptions o;
  po::options_description desc("Options");
  desc.add_options()("help,h", "show this help")
      ("config,c", po::value(&o.config_file), "experiment YAML file (configs/maml/...); with --resume, defaults to DIR/config.yaml")
      ("output,o", po::value(&o.output_dir)->required(), "output directory (config.yaml, metrics.csv, checkpoint.pt)")
      ("set", po::value(&o.overrides)->composing(), "override a config key: --set num-batches=20 (repeatable)")
      ("resume", po::bool_switch(&o.resume), "continue the run in --output from its checkpoint")
      ("quiet,q", po::bool_switch(&o.quiet), "no per-iteration progress line")
      ("dry-run", po::bool_switch(&o.dry_run),
       "check the config (every key, the env or dataset, the policy; with --resume the checkpoint) and exit "
       "without training or writing anything");
  po::variables_map vm;
  if (!Parse(args, desc,
             "usage: metarl train --config FILE --output DIR [--set key=value ...]\n"
             "       metarl train --output DIR --resume [--config FILE] [--set key=value ...]\n"
             "Meta-training of the algorithm the config names (key `algorithm`: maml-trpo, maml-vpg,\n"
             "maml-ppo, promp, rl2-ppo).",
             &vm)) {
    return 0;
  }
  const ConfigMap config = ConfigMap::FromFile(runners::TrainConfigFile(o), o.overrides);
  METARL_REQUIRE(!runners::IsFewShotConfig(config), config.source(),
                 " is a few-shot config (it names a `learner`); train it with `metarl fewshot train`");
  const std::string algorithm = runners::ConfiguredAlgorithm(config);
  const std::size_t iterations = algorithm == runners::kRl2Algorithm ? runners::RunRl2TrainCommand(o).size()
                                                                     : runners::RunTrainCommand(o).size();
  if (!World().is_root()) return 0;
  if (o.dry_run) {
    std::cout << config.source() << ": config OK (algorithm " << algorithm << "); nothing was written\n";
    return 0;
  }
  std::cout << "trained " << iterations << " iterations; wrote " << o.output_dir << "/{config.yaml,metrics.csv,checkpoint.pt}\n";
  return 0;
}

int EvalCommand(const std::vector<std::string>& args) {
  runners::EvalCommandOptions o;
  std::string fast_lrs;
  int episodes = 0;
  po::options_description desc("Options");
  desc.add_options()("help,h", "show this help")
      ("checkpoint", po::value(&o.checkpoint_dir)->required(), "output directory of `metarl train`")
      ("num-tasks", po::value(&o.num_tasks)->default_value(o.num_tasks), "fresh tasks to evaluate on")
      ("grad-steps", po::value(&o.grad_steps)->default_value(o.grad_steps), "adaptation steps (table rows 0..K)")
      ("seed", po::value(&o.seed)->default_value(o.seed), "evaluation seed (tasks and rollouts)")
      ("fast-lr", po::value(&fast_lrs), "inner step sizes, one per step, the last repeating: 0.5 or 0.5,0.25 (default: the run's fast-lr)")
      ("fast-batch-size", po::value(&o.episodes_per_task), "episodes per task and step (default: the run's fast-batch-size)")
      ("batch-unit", po::value(&o.batch_unit), "steps | episodes: what a task's batch counts (default: the run's batch-unit)")
      ("episodes", po::value(&episodes), "RL²: episodes per trial (default: the run's episodes-per-trial)")
      ("out", po::value(&o.out), "CSV path (default CHECKPOINT/eval.csv)");
  po::variables_map vm;
  if (!Parse(args, desc,
             "usage: metarl eval --checkpoint DIR [--num-tasks N] [--grad-steps K] [--seed S]\n"
             "                   [--fast-lr LR[,LR...]] [--fast-batch-size N] [--batch-unit U] [--episodes N]\n"
             "                   [--out FILE]\n"
             "Fast adaptation to new tasks. MAML family: mean +- std return after 0..K policy-gradient\n"
             "steps. RL²: mean +- std return of episode 1..N of a trial (no gradient steps).",
             &vm)) {
    return 0;
  }
  const runners::Checkpoint checkpoint = runners::LoadCheckpoint(o.checkpoint_dir);
  const bool recurrent =
      runners::ConfiguredAlgorithm(ConfigMap::FromString(checkpoint.config_yaml, o.checkpoint_dir)) ==
      runners::kRl2Algorithm;
  for (const char* maml_only : {"grad-steps", "fast-lr", "fast-batch-size", "batch-unit"}) {
    if (recurrent && vm.count(maml_only) && !vm[maml_only].defaulted()) {
      throw std::invalid_argument(Cat("--", maml_only, " applies to MAML-family checkpoints; ", o.checkpoint_dir,
                                      " holds an RL² run (use --episodes)"));
    }
  }
  if (!recurrent && vm.count("episodes")) {
    throw std::invalid_argument(Cat("--episodes applies to RL² checkpoints; ", o.checkpoint_dir,
                                    " holds a MAML-family run (use --grad-steps)"));
  }
  if (recurrent) {
    runners::Rl2EvalOptions r;
    r.checkpoint_dir = o.checkpoint_dir;
    r.num_tasks = o.num_tasks;
    r.episodes = episodes;
    r.seed = o.seed;
    r.out = o.out;
    double trial = 0.0;
    std::cout << "episode  mean_return  std_return  num_tasks\n";
    runners::Series curve{"mean ± std over tasks", {}, {}, {}};
    for (const auto& row : runners::RunRl2Eval(r)) {
      curve.x.push_back(row.episode);
      curve.y.push_back(row.mean_return);
      curve.spread.push_back(row.std_return);
      char line[120];
      std::snprintf(line, sizeof(line), "%7d  %11.2f  %10.2f  %9d\n", row.episode, row.mean_return, row.std_return,
                    row.num_tasks);
      std::cout << line;
      trial += row.mean_return;
    }
    std::cout << "mean trial return " << trial << "\n";
    WriteEvalPlot(o.out.empty() ? o.checkpoint_dir + "/eval.csv" : o.out, curve, "episode of the trial",
                  "RL²: return per episode of a trial (" + std::to_string(o.num_tasks) + " tasks)");
    return 0;
  }
  if (!fast_lrs.empty()) o.fast_lrs = runners::ParseStepSizes(fast_lrs);
  const auto rows = runners::RunEvalCommand(o);
  std::cout << "grad_steps  mean_return  std_return  num_tasks  fast_lr  episodes\n";
  runners::Series curve{"mean ± std over tasks", {}, {}, {}};
  for (const auto& r : rows) {
    curve.x.push_back(r.grad_steps);
    curve.y.push_back(r.mean_return);
    curve.spread.push_back(r.std_return);
    char line[160];
    std::snprintf(line, sizeof(line), "%10d  %11.2f  %10.2f  %9d  %7g  %8d\n", r.grad_steps, r.mean_return,
                  r.std_return, r.num_tasks, r.fast_lr, r.episodes_per_task);
    std::cout << line;
  }
  WriteEvalPlot(o.out.empty() ? o.checkpoint_dir + "/eval.csv" : o.out, curve, "gradient steps",
                "adaptation to " + std::to_string(o.num_tasks) + " new tasks");
  return 0;
}

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

namespace {

int BenchMaml(const std::vector<std::string>& args, const std::string& usage) {
  runners::MamlBenchOptions o;
  bool json = false;
  po::options_description desc("Options");
  desc.add_options()("help,h", "show this help")
      ("config,c", po::value(&o.config_file)->required(), "training config (configs/maml/...)")
      ("iterations", po::value(&o.iterations)->default_value(o.iterations), "meta-iterations (median reported)")
      ("set", po::value(&o.overrides)->composing(), "override a config key (repeatable)")
      ("json", po::bool_switch(&json), "print one JSON object (medians)");
  po::variables_map vm;
  if (!Parse(args, desc, usage, &vm)) return 0;
  const runners::MamlBenchResult result = runners::RunMamlBench(o);
  std::cout << (json ? result.ToJson() + "\n" : result.ToText());
  return 0;
}

int BenchAdapt(const std::vector<std::string>& args, const std::string& usage) {
  runners::AdaptBenchOptions o;
  bool json = false;
  po::options_description desc("Options");
  desc.add_options()("help,h", "show this help")
      ("config,c", po::value(&o.config_file)->required(), "MAML-family training config (configs/maml/...)")
      ("iterations", po::value(&o.iterations)->default_value(o.iterations), "timed meta-updates per device (median)")
      ("warmup", po::value(&o.warmup)->default_value(o.warmup), "untimed meta-updates per device first")
      ("set", po::value(&o.overrides)->composing(), "override a config key (repeatable; device is ignored)")
      ("json", po::bool_switch(&json), "print one JSON object (medians; GPU figures null without a GPU)");
  po::variables_map vm;
  if (!Parse(args, desc, usage, &vm)) return 0;
  const runners::AdaptBenchResult result = runners::RunAdaptBench(o);
  std::cout << (json ? result.ToJson() + "\n" : result.ToText());
  return 0;
}

int BenchFewShot(const std::vector<std::string>& args, const std::string& usage) {
  runners::FewShotBenchOptions o;
  bool json = false;
  po::options_description desc("Options");
  desc.add_options()("help,h", "show this help")
      ("config,c", po::value(&o.config_file)->required(), "few-shot training config (configs/fewshot/...)")
      ("iterations", po::value(&o.iterations)->default_value(o.iterations), "meta-iterations per timed run")
      ("repeats", po::value(&o.repeats)->default_value(o.repeats), "timed runs (median reported)")
      ("warmup", po::value(&o.warmup)->default_value(o.warmup), "untimed meta-iterations first")
      ("set", po::value(&o.overrides)->composing(), "override a config key (repeatable)")
      ("json", po::bool_switch(&json), "print one JSON object (ms_per_meta_iter: the median)");
  po::variables_map vm;
  if (!Parse(args, desc, usage, &vm)) return 0;
  const runners::FewShotBenchResult result = runners::RunFewShotBench(o);
  std::cout << (json ? result.ToJson() + "\n" : result.ToText());
  return 0;
}

int BenchRl2(const std::vector<std::string>& args, const std::string& usage) {
  runners::Rl2BenchOptions o;
  bool json = false;
  po::options_description desc("Options");
  desc.add_options()("help,h", "show this help")
      ("config,c", po::value(&o.config_file)->required(), "RL² training config (configs/rl2/...)")
      ("iterations", po::value(&o.iterations)->default_value(o.iterations), "iterations (median reported)")
      ("set", po::value(&o.overrides)->composing(), "override a config key (repeatable)")
      ("json", po::bool_switch(&json), "print one JSON object (medians)");
  po::variables_map vm;
  if (!Parse(args, desc, usage, &vm)) return 0;
  const runners::Rl2BenchResult result = runners::RunRl2Bench(o);
  std::cout << (json ? result.ToJson() + "\n" : result.ToText());
  return 0;
}

}  // namespace

int BenchCommand(const std::vector<std::string>& args) {
  const std::string usage =
      "usage: metarl bench rollout [--env NAME] [--envs TASKS] [--trajs N] [--threads N] [--json]\n"
      "       metarl bench maml --config FILE [--iterations N] [--set key=value ...] [--json]\n"
      "       metarl bench adapt --config FILE [--iterations N] [--warmup N] [--set key=value ...] [--json]\n"
      "       metarl bench rl2 --config FILE [--iterations N] [--set key=value ...] [--json]\n"
      "       metarl bench fewshot --config FILE [--iterations N] [--repeats R] [--set key=value ...] [--json]\n"
      "rollout: throughput, (a) raw physics floor, (b) runner + policy on 1 thread, (c) on N threads.\n"
      "maml: seconds per meta-iteration of a MAML-family config (sampling, adaptation, outer step).\n"
      "adapt: seconds per meta-update (adaptation + meta-gradient + outer step) on the CPU and the GPU.\n"
      "rl2: seconds per RL² iteration (sampling trials with the batched GRU, PPO update).\n"
      "fewshot: milliseconds per few-shot meta-iteration (episodes and one meta-update).";
  if (args.empty() || args[0] == "--help" || args[0] == "-h") {
    std::cout << usage << "\n";
    return args.empty() ? 2 : 0;
  }
  if (args[0] == "maml") return BenchMaml({args.begin() + 1, args.end()}, usage);
  if (args[0] == "adapt") return BenchAdapt({args.begin() + 1, args.end()}, usage);
  if (args[0] == "rl2") return BenchRl2({args.begin() + 1, args.end()}, usage);
  if (args[0] == "fewshot") return BenchFewShot({args.begin() + 1, args.end()}, usage);
  if (args[0] != "rollout") {
    throw std::invalid_argument("unknown benchmark '" + args[0] + "'; expected: rollout, maml, adapt, rl2 or fewshot");
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

namespace {

int FewShotTrain(const std::vector<std::string>& args) {
  runners::TrainCommandOptions o;
  po::options_description desc("Options");
  desc.add_options()("help,h", "show this help")
      ("config,c", po::value(&o.config_file), "few-shot YAML file (configs/fewshot/...); with --resume, defaults to DIR/config.yaml")
      ("output,o", po::value(&o.output_dir)->required(), "output directory (config.yaml, metrics.csv, checkpoint.pt)")
      ("set", po::value(&o.overrides)->composing(), "override a config key: --set num-batches=100 (repeatable)")
      ("resume", po::bool_switch(&o.resume), "continue the run in --output from its checkpoint")
      ("quiet,q", po::bool_switch(&o.quiet), "no progress lines")
      ("dry-run", po::bool_switch(&o.dry_run),
       "check the config (every key, the env or dataset, the policy; with --resume the checkpoint) and exit "
       "without training or writing anything");
  po::variables_map vm;
  if (!Parse(args, desc,
             "usage: metarl fewshot train --config FILE --output DIR [--set key=value ...]\n"
             "       metarl fewshot train --output DIR --resume [--config FILE] [--set key=value ...]\n"
             "Meta-training of a few-shot learner (key `learner`: maml, meta-sgd, anil, reptile, leo, protonet, matching, relation, siamese, recurrent).",
             &vm)) {
    return 0;
  }
  const std::size_t iterations = runners::RunFewShotTrainCommand(o).size();
  if (!World().is_root()) return 0;
  if (o.dry_run) {
    std::cout << runners::TrainConfigFile(o) << ": config OK; nothing was written\n";
    return 0;
  }
  std::cout << "trained " << iterations << " iterations; wrote " << o.output_dir
            << "/{config.yaml,metrics.csv,checkpoint.pt}\n";
  return 0;
}

int FewShotEval(const std::vector<std::string>& args) {
  runners::FewShotEvalOptions o;
  po::options_description desc("Options");
  desc.add_options()("help,h", "show this help")
      ("checkpoint", po::value(&o.checkpoint_dir)->required(), "output directory of `metarl fewshot train`")
      ("episodes", po::value(&o.episodes)->default_value(o.episodes), "held-out episodes")
      ("steps", po::value(&o.steps), "inner steps, table rows 0..K (default: the run's eval-steps)")
      ("seed", po::value(&o.seed)->default_value(o.seed), "evaluation seed")
      ("out", po::value(&o.out), "CSV path (default CHECKPOINT/eval.csv)")
      ("checkpoint-kind", po::value(&o.checkpoint_kind)->default_value(o.checkpoint_kind),
       "best: the state after the best validation (best.pt; checkpoint.pt when the run validated nothing) | last");
  po::variables_map vm;
  if (!Parse(args, desc,
             "usage: metarl fewshot eval --checkpoint DIR [--episodes N] [--steps K] [--seed S] [--out FILE]\n"
             "                           [--checkpoint-kind best|last]\n"
             "Mean query loss (and accuracy) with 95% confidence intervals after 0..K inner steps\n"
             "on held-out episodes (the test split).",
             &vm)) {
    return 0;
  }
  const auto rows = runners::RunFewShotEval(o);
  if (!rows.empty()) {
    std::cout << "evaluating " << o.checkpoint_dir << "/" << rows.front().checkpoint_file << " (iteration "
              << rows.front().checkpoint_iteration << ")\n";
  }
  const bool classification = !rows.empty() && !std::isnan(rows.front().mean_accuracy);
  std::cout << (classification ? "steps   mean_loss   ci95_loss  accuracy  ci95_acc  episodes\n"
                               : "steps   mean_loss   ci95_loss  episodes\n");
  for (const auto& r : rows) {
    char line[160];
    if (r.diverged > 0) {
      std::snprintf(line, sizeof(line), "%5d  diverged in %d of %d episodes (non-finite query loss)\n", r.steps,
                    r.diverged, r.episodes);
    } else if (classification) {
      std::snprintf(line, sizeof(line), "%5d  %10.4f  %10.4f  %7.2f%%  %7.2f%%  %8d\n", r.steps, r.mean_loss,
                    r.ci95_loss, 100.0 * r.mean_accuracy, 100.0 * r.ci95_accuracy, r.episodes);
    } else {
      std::snprintf(line, sizeof(line), "%5d  %10.4f  %10.4f  %8d\n", r.steps, r.mean_loss, r.ci95_loss, r.episodes);
    }
    std::cout << line;
  }
  return 0;
}

}  // namespace

int FewShotSynthesize(const std::vector<std::string>& args) {
  envs::fewshot::SyntheticImagesOptions o;
  po::options_description desc("Options");
  desc.add_options()("help,h", "show this help")
      ("task", po::value(&o.task)->required(), "mini-imagenet, tiered-imagenet, cifar-fs or fc100")
      ("output", po::value(&o.output)->required(), "folder to create (the folders layout)")
      ("images-per-class", po::value(&o.images_per_class)->default_value(o.images_per_class), "images per class")
      ("seed", po::value(&o.seed)->default_value(o.seed), "seed of the colours and noise");
  po::variables_map vm;
  if (!Parse(args, desc,
             "usage: metarl fewshot synthesize --task NAME --output DIR [--images-per-class N] [--seed S]\n"
             "A synthetic dataset of the task's real shape (class counts, image size) in the folders layout,\n"
             "for timing the learners without the real data (`metarl bench fewshot ... --set task-kwargs.root=DIR`).",
             &vm)) {
    return 0;
  }
  const int64_t n = envs::fewshot::WriteSyntheticImages(o);
  std::cout << "wrote " << n << " images to " << o.output << "\n";
  return 0;
}

int FewShotCommand(const std::vector<std::string>& args) {
  const std::string usage =
      "usage: metarl fewshot train --config FILE --output DIR [--set key=value ...] [--resume]\n"
      "       metarl fewshot eval --checkpoint DIR [--episodes N] [--steps K]\n"
      "       metarl fewshot list\n"
      "       metarl fewshot synthesize --task NAME --output DIR [--images-per-class N]\n"
      "Supervised few-shot learning: meta-training and evaluation of the learners on the tasks.";
  if (args.empty() || args[0] == "--help" || args[0] == "-h") {
    std::cout << usage << "\n";
    return args.empty() ? 2 : 0;
  }
  const std::vector<std::string> rest(args.begin() + 1, args.end());
  if (args[0] == "train") return FewShotTrain(rest);
  if (args[0] == "eval") return FewShotEval(rest);
  if (args[0] == "synthesize") return FewShotSynthesize(rest);
  if (args[0] == "list") {
    std::cout << "tasks (key `task`):\n";
    for (const auto& e : envs::fewshot::FewShotTaskRegistry()) std::cout << "  " << e.name << "  " << e.summary << "\n";
    std::cout << "learners (key `learner`):\n";
    for (const auto& e : algorithms::fewshot::LearnerRegistry()) std::cout << "  " << e.name << "  " << e.summary << "\n";
    return 0;
  }
  throw std::invalid_argument("unknown fewshot command '" + args[0] + "'; expected: train, eval, list or synthesize");
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
