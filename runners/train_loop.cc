#include "runners/train_loop.h"

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <limits>
#include <filesystem>
#include <fstream>
#include <vector>

#include "core/communicator.h"
#include "core/config.h"
#include "core/error.h"
#include "core/interrupt.h"

namespace metarl::runners {
namespace fs = std::filesystem;

std::string TrainConfigFile(const TrainCommandOptions& command) {
  METARL_REQUIRE(!command.config_file.empty() || command.resume,
                 "--config is required (it may be left out only with --resume, which reads DIR/config.yaml)");
  return command.config_file.empty() ? (fs::path(command.output_dir) / "config.yaml").string() : command.config_file;
}

std::string UnstableWarning(int64_t count) {
  if (count == 0) return "";
  return Cat(" | WARNING: ", count, " episode(s) ended by unstable physics (NaN/Inf state)");
}

double TrainingJob::SelectionScore(const std::string&) const { return std::nan(""); }

namespace {

// The highest selection score among the data rows of metrics file `path`
// (−inf when none has one).
double BestScoreIn(const fs::path& path, const TrainingJob& job) {
  std::ifstream in(path);
  std::string line;
  double best = -std::numeric_limits<double>::infinity();
  for (bool header = true; std::getline(in, line); header = false) {
    if (header || line.empty()) continue;
    const double score = job.SelectionScore(line);
    if (std::isfinite(score) && score > best) best = score;
  }
  return best;
}

// On resume: drops the rows of iterations >= `first` (run after the last
// checkpoint and about to be repeated), rewriting the file atomically.
void KeepMetricsBefore(const fs::path& path, int64_t first) {
  std::ifstream in(path);
  METARL_REQUIRE(in.good(), "cannot read '", path.string(), "'");
  std::string line, kept;
  for (bool header = true; std::getline(in, line); header = false) {
    if (!header) {
      const std::size_t comma = line.find(',');
      try {
        if (line.empty() || std::stoll(line.substr(0, comma)) >= first) continue;
      } catch (const std::exception&) {
        throw std::invalid_argument(Cat("'", path.string(), "': malformed row '", line, "'"));
      }
    }
    kept += line + "\n";
  }
  WriteTextFile(path.string(), kept);
}

// "[#####-----]": done/total in 20 cells.
std::string ProgressBar(int64_t done, int64_t total) {
  constexpr int kCells = 20;
  const auto filled = static_cast<int>(kCells * done / std::max<int64_t>(1, total));
  return "[" + std::string(filled, '#') + std::string(kCells - filled, '-') + "]";
}

}  // namespace

int64_t RunTrainingLoop(TrainingJob& job, const TrainCommandOptions& command) {
  // A checkpoint that does not fit the config (another policy, optimiser or
  // algorithm) is refused naming the file.
  auto restore = [&](const Checkpoint& checkpoint) {
    try {
      job.Restore(checkpoint);
    } catch (const std::invalid_argument& e) {
      throw std::invalid_argument(Cat("cannot resume from '", (fs::path(command.output_dir) / "checkpoint.pt").string(),
                                      "' with this config: ", e.what()));
    }
  };
  if (command.dry_run) {  // the job's setup has validated the config; check a checkpoint too
    if (command.resume) restore(LoadCheckpoint(command.output_dir));
    return 0;
  }
  std::error_code ec;
  fs::create_directories(command.output_dir, ec);
  METARL_REQUIRE(!ec, "cannot create output directory '", command.output_dir, "': ", ec.message());
  const fs::path dir(command.output_dir);
  int64_t first = 0;
  if (command.resume) {
    const Checkpoint checkpoint = LoadCheckpoint(command.output_dir);
    restore(checkpoint);
    first = checkpoint.iteration;
  } else {
    METARL_REQUIRE(!fs::exists(dir / "checkpoint.pt"), "output directory '", command.output_dir,
                   "' already holds a run (checkpoint.pt); use --resume to continue it or choose another --output");
  }
  // One writer in a distributed job: rank 0.
  const bool writer = World().is_root();
  const fs::path metrics_path = dir / "metrics.csv";
  std::ofstream metrics;
  if (writer) {
    WriteYamlFile(job.resolved_config(), (dir / "config.yaml").string());
    const bool new_metrics = !fs::exists(metrics_path) || !command.resume;
    if (!new_metrics) KeepMetricsBefore(metrics_path, first);
    metrics.open(metrics_path, new_metrics ? std::ios::trunc : std::ios::app);
    METARL_REQUIRE(metrics.good(), "cannot write '", metrics_path.string(), "'");
    if (new_metrics) metrics << job.MetricsHeader() << "\n" << std::flush;
  }
  // The best validation so far: from the kept rows on resume; a new run drops a stale best.pt.
  double best_score = -std::numeric_limits<double>::infinity();
  if (writer) {
    if (command.resume) best_score = BestScoreIn(metrics_path, job);
    else fs::remove(dir / kBestCheckpointFile, ec);
  }

  const int64_t total = job.num_iterations();
  int64_t last_checkpoint = first;
  auto save = [&](int64_t completed, const char* file) {
    Checkpoint c = job.State();
    c.iteration = completed;
    YAML::Emitter emitter;
    emitter << job.resolved_config();
    c.config_yaml = emitter.c_str();
    SaveCheckpoint(command.output_dir, c, file);
    if (std::string(file) == kCheckpointFile) last_checkpoint = completed;
  };
  const InterruptWatch watch(writer && !command.quiet);
  for (int64_t i = first; i < total; ++i) {
    TrainingJob::Iteration it;
    try {
      it = job.RunIteration(i);
    } catch (const std::runtime_error& e) {
      const fs::path checkpoint = dir / "checkpoint.pt";
      throw std::runtime_error(Cat("iteration ", i + 1, " failed: ", e.what(), ". Training stopped; ",
                                   fs::exists(checkpoint) ? Cat("the last checkpoint (", checkpoint.string(),
                                                                ", iteration ", last_checkpoint, ") is intact")
                                                          : std::string("no checkpoint was written yet")));
    }
    // A signal stops every rank after the same iteration.
    int signal = i + 1 < total ? ReceivedSignal() : 0;  // after the last iteration: done anyway
    if (World().size() > 1) {
      for (int s : AllGather(World(), std::vector<int>{signal})) signal = std::max(signal, s);
    }
    if (!writer) {
      if (signal != 0) throw InterruptedError(signal, Cat("interrupted by ", SignalName(signal)));
      continue;
    }
    metrics << it.metrics_row << "\n" << std::flush;
    if (!command.quiet && ((i + 1) % job.progress_every() == 0 || i + 1 == total)) {
      std::printf("%s iter %lld/%lld | %s\n", ProgressBar(i + 1, total).c_str(), static_cast<long long>(i + 1),
                  static_cast<long long>(total), it.progress.c_str());
      std::fflush(stdout);
    }
    const double score = job.SelectionScore(it.metrics_row);
    if (std::isfinite(score) && score > best_score) {
      best_score = score;
      save(i + 1, kBestCheckpointFile);
    }
    if (signal != 0 || (i + 1) % job.checkpoint_every() == 0 || i + 1 == total) save(i + 1, kCheckpointFile);
    if (signal != 0) {
      throw InterruptedError(signal, Cat("interrupted by ", SignalName(signal), " after iteration ", i + 1, " of ",
                                         total, "; ", (dir / "checkpoint.pt").string(), " holds iteration ", i + 1,
                                         ": continue with --resume --output ", command.output_dir));
    }
  }
  return total > first ? total - first : 0;
}

}  // namespace metarl::runners
