// The `metarl` command line: `metarl COMMAND [options]`.
// Exit codes: 0 success, 2 bad input (options, config, files, values),
// 1 any other failure.

#include <exception>
#include <iostream>
#include <memory>
#include <string>
#include <vector>

#include <boost/program_options/errors.hpp>
#include <yaml-cpp/exceptions.h>

#include "core/allocator.h"
#include "core/communicator.h"
#include "core/interrupt.h"
#include "runners/cli/commands.h"

namespace {

const char* kUsage =
    "usage: metarl COMMAND [options]   (metarl COMMAND --help for its options)\n"
    "\n"
    "commands:\n"
    "  train     meta-RL training from a config file (MAML family, RL²: configs/maml, configs/rl2, ...)\n"
    "  eval      fast adaptation to new tasks from a training checkpoint\n"
    "  rollout   roll out the initial policy on a meta-batch of tasks from a config file\n"
    "  fewshot   supervised few-shot learners: `metarl fewshot train|eval|list`\n"
    "  bench     benchmarks: `metarl bench rollout` (env-steps/s: floor, runner 1 thread, N threads)\n"
    "  render    video of a policy before and after adaptation (mp4, gif or PNG frames)\n"
    "  plot      learning curves of runs (metrics.csv) as a PNG\n"
    "  envs      list the registered task distributions\n";

// Runs `command`; exceptions propagate to main.
int Dispatch(const std::string& command, const std::vector<std::string>& args) {
  if (command == "--help" || command == "-h" || command == "help") {
    std::cout << kUsage;
    return 0;
  }
  if (command == "train") return metarl::cli::TrainCommand(args);
  if (command == "eval") return metarl::cli::EvalCommand(args);
  if (command == "rollout") return metarl::cli::RolloutCommand(args);
  if (command == "bench") return metarl::cli::BenchCommand(args);
  if (command == "fewshot") return metarl::cli::FewShotCommand(args);
  if (command == "envs") return metarl::cli::EnvsCommand(args);
  if (command == "render") return metarl::cli::RenderCommand(args);
  if (command == "plot") return metarl::cli::PlotCommand(args);
  std::cerr << "metarl: unknown command '" << command << "'\n" << kUsage;
  return 2;
}

}  // namespace

int main(int argc, char** argv) {
  metarl::TuneAllocatorForLargeTensors();
  std::vector<std::string> args(argv + 1, argv + argc);
  if (args.empty()) {
    std::cerr << kUsage;
    return 2;
  }
  const std::string command = args[0];
  args.erase(args.begin());
  // A failure on one rank of a distributed job ends every rank (instead of
  // leaving the others waiting in a collective).
  auto fail = [&](const std::string& what, const std::string& message, int code) {
    std::cerr << "metarl " << command << ": " << metarl::RankPrefix() << what << ": " << message << "\n";
    if (metarl::World().size() > 1) {
      std::cerr << "metarl " << command << ": stopping all " << metarl::World().size() << " MPI ranks\n";
      std::cerr.flush();
      metarl::World().Abort(code);
    }
    return code;
  };
  // Outlives the handlers below, which may need MPI to stop the other ranks.
  std::unique_ptr<metarl::DistributedSession> session;
  try {
    session = std::make_unique<metarl::DistributedSession>(&argc, &argv);
    const bool distributed_command = command == "train" || (command == "fewshot" && !args.empty() && args[0] == "train");
    if (metarl::World().size() > 1 && !distributed_command) {
      throw std::invalid_argument("started as one of " + std::to_string(metarl::World().size()) +
                                  " MPI ranks; only `metarl train` (the MAML family and RL²) and "
                                  "`metarl fewshot train` run distributed — run this command without mpirun");
    }
    return Dispatch(command, args);
  } catch (const metarl::InterruptedError& e) {
    // Every rank stopped after the same iteration; no rank is left waiting.
    if (metarl::World().is_root()) std::cerr << "metarl " << command << ": " << e.what() << "\n";
    return e.exit_code();
  } catch (const std::invalid_argument& e) {
    return fail("error", e.what(), 2);
  } catch (const boost::program_options::error& e) {
    return fail("error", e.what(), 2);
  } catch (const YAML::Exception& e) {
    return fail("error", e.what(), 2);
  } catch (const std::exception& e) {
    return fail("failed", e.what(), 1);
  }
}
