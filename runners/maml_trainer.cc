#include "runners/maml_trainer.h"

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <iostream>

#include "core/error.h"
#include "runners/checkpoint.h"

namespace metarl::runners {
namespace fs = std::filesystem;

IterationMetrics RunMamlIteration(MamlSetup& setup, int64_t iteration) {
  const auto start = std::chrono::steady_clock::now();
  const MamlTrainOptions& o = setup.options();
  Rng task_rng(StreamSeed(o.seed, {kTrainTasks, static_cast<std::uint64_t>(iteration)}));
  const std::vector<envs::Task> tasks = setup.distribution().Sample(o.meta_batch_size, task_rng);
  MamlSetup::Rollouts rollouts = setup.RolloutWithAdaptation(
      tasks, o.maml.num_steps, StreamSeed(o.seed, {kTrainRollouts, static_cast<std::uint64_t>(iteration)}));
  const algorithms::TaskBatch valid = rollouts.batches.back();
  rollouts.batches.pop_back();

  IterationMetrics m;
  m.iteration = iteration;
  m.returns = rollouts.mean_returns;
  m.env_steps = static_cast<int64_t>(valid.masks.sum().item<double>());
  for (const auto& b : rollouts.batches) m.env_steps += static_cast<int64_t>(b.masks.sum().item<double>());
  m.seconds_sampling = rollouts.seconds_sampling;
  m.seconds_adapting = rollouts.seconds_adapting;
  algorithms::MetaBatch batch{std::move(rollouts.batches), valid, {}};
  if (o.exploration.enabled) {
    batch.exploration_weights = algorithms::ExplorationWeights(rollouts.task_returns.back(), valid.masks,
                                                               o.fast_batch_size, valid.advantage_scale, o.exploration)
                                    .to(valid.masks.device(), valid.masks.scalar_type());
  }
  const auto opt_start = std::chrono::steady_clock::now();
  m.outer = setup.optimizer().Step(setup.policy(), batch, &setup.runner().pool());
  m.seconds_optimizing = std::chrono::duration<double>(std::chrono::steady_clock::now() - opt_start).count();
  m.seconds_total = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
  return m;
}

namespace {

std::string MetricsHeader(int num_steps) {
  std::string h = "iteration";
  for (int s = 0; s <= num_steps; ++s) h += ",return_step" + std::to_string(s);
  h += ",surrogate_before,surrogate_after,kl,line_search_steps,accepted,cg_iterations,epochs";
  for (int s = 0; s < num_steps; ++s) h += ",inner_kl_step" + std::to_string(s);
  for (int s = 0; s < num_steps; ++s) h += ",inner_kl_penalty_step" + std::to_string(s);
  // The timings last (tests compare rows without them).
  return h +
         ",seconds_sampling,seconds_adapting,seconds_optimizing,seconds_trpo_gradient,seconds_trpo_cg,"
         "seconds_trpo_line_search,seconds_total";
}

std::string MetricsRow(const IterationMetrics& m) {
  std::ostringstream row;
  row.precision(8);
  row << m.iteration;
  for (double r : m.returns) row << "," << r;
  row << "," << m.outer.surrogate_before << "," << m.outer.surrogate_after << "," << m.outer.kl_after << ","
      << m.outer.line_search_steps << "," << (m.outer.accepted ? 1 : 0) << "," << m.outer.cg_iterations << ","
      << m.outer.epochs;
  // Empty cells where the algorithm has no inner-KL statistics.
  const std::size_t steps = m.returns.size() - 1;
  for (std::size_t s = 0; s < steps; ++s) {
    row << ",";
    if (s < m.outer.inner_kl.size()) row << m.outer.inner_kl[s];
  }
  for (std::size_t s = 0; s < steps; ++s) {
    row << ",";
    if (s < m.outer.inner_kl_penalty.size()) row << m.outer.inner_kl_penalty[s];
  }
  row << "," << m.seconds_sampling << "," << m.seconds_adapting << "," << m.seconds_optimizing << ","
      << m.outer.seconds_gradient << "," << m.outer.seconds_cg << "," << m.outer.seconds_line_search << ","
      << m.seconds_total;
  return row.str();
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
  const fs::path tmp = path.string() + ".tmp";
  {
    std::ofstream out(tmp, std::ios::trunc);
    out << kept << std::flush;
    METARL_REQUIRE(out.good(), "cannot write '", tmp.string(), "'");
  }
  fs::rename(tmp, path);
}

// "[#####-----]": done/total in 20 cells.
std::string ProgressBar(int64_t done, int64_t total) {
  constexpr int kCells = 20;
  const auto filled = static_cast<int>(kCells * done / std::max<int64_t>(1, total));
  return "[" + std::string(filled, '#') + std::string(kCells - filled, '-') + "]";
}

Checkpoint MakeCheckpoint(MamlSetup& setup, int64_t iteration) {
  Checkpoint c;
  c.iteration = iteration;
  YAML::Emitter emitter;
  emitter << setup.resolved_config();
  c.config_yaml = emitter.c_str();
  c.names = setup.policy().ParameterNames();
  c.params = setup.policy().parameters_list();
  c.optimizer_state = setup.optimizer().State();
  return c;
}

}  // namespace

std::vector<IterationMetrics> RunTrainCommand(const TrainCommandOptions& command) {
  METARL_REQUIRE(!command.config_file.empty() || command.resume,
                 "--config is required (it may be left out only with --resume, which reads DIR/config.yaml)");
  const std::string config_file =
      command.config_file.empty() ? (fs::path(command.output_dir) / "config.yaml").string() : command.config_file;
  ConfigMap config = ConfigMap::FromFile(config_file, command.overrides);
  MamlSetup setup(config);  // every key validated before any work
  const MamlTrainOptions& o = setup.options();

  std::error_code ec;
  fs::create_directories(command.output_dir, ec);
  METARL_REQUIRE(!ec, "cannot create output directory '", command.output_dir, "': ", ec.message());
  const fs::path dir(command.output_dir);
  int64_t first = 0;
  if (command.resume) {
    const Checkpoint checkpoint = LoadCheckpoint(command.output_dir);
    RestoreParams(checkpoint, setup.policy().ParameterNames(), setup.policy().parameters_list());
    setup.optimizer().Restore(checkpoint.optimizer_state);
    first = checkpoint.iteration;
  } else {
    METARL_REQUIRE(!fs::exists(dir / "checkpoint.pt"), "output directory '", command.output_dir,
                   "' already holds a run (checkpoint.pt); use --resume to continue it or choose another --output");
  }
  WriteYamlFile(setup.resolved_config(), (dir / "config.yaml").string());

  const fs::path metrics_path = dir / "metrics.csv";
  const bool new_metrics = !fs::exists(metrics_path) || !command.resume;
  if (!new_metrics) KeepMetricsBefore(metrics_path, first);
  std::ofstream metrics(metrics_path, new_metrics ? std::ios::trunc : std::ios::app);
  METARL_REQUIRE(metrics.good(), "cannot write '", metrics_path.string(), "'");
  if (new_metrics) metrics << MetricsHeader(o.maml.num_steps) << "\n" << std::flush;

  std::vector<IterationMetrics> all;
  int64_t last_checkpoint = first;
  for (int64_t i = first; i < o.num_batches; ++i) {
    IterationMetrics m;
    try {
      m = RunMamlIteration(setup, i);
    } catch (const std::runtime_error& e) {
      const fs::path checkpoint = dir / "checkpoint.pt";
      throw std::runtime_error(Cat("meta-iteration ", i + 1, " failed: ", e.what(), ". Training stopped; ",
                                   fs::exists(checkpoint) ? Cat("the last checkpoint (", checkpoint.string(),
                                                                ", iteration ", last_checkpoint, ") is intact")
                                                          : std::string("no checkpoint was written yet")));
    }
    metrics << MetricsRow(m) << "\n" << std::flush;
    all.push_back(m);
    if (!command.quiet) {
      // TRPO reports its line search; the Adam-based steps their epochs.
      const std::string step = m.outer.cg_iterations > 0
                                   ? Cat("ls ", m.outer.line_search_steps, m.outer.accepted ? "" : " rejected")
                                   : Cat("epochs ", m.outer.epochs);
      std::printf("%s iter %lld/%d | return pre %.2f post %.2f | kl %.4f | %s | %.2f s (sample %.2f, adapt %.2f, outer %.2f)\n",
                  ProgressBar(i + 1, o.num_batches).c_str(), static_cast<long long>(i + 1), o.num_batches,
                  m.returns.front(), m.returns.back(), m.outer.kl_after, step.c_str(), m.seconds_total,
                  m.seconds_sampling, m.seconds_adapting, m.seconds_optimizing);
      std::fflush(stdout);
    }
    if ((i + 1) % o.checkpoint_every == 0 || i + 1 == o.num_batches) {
      SaveCheckpoint(command.output_dir, MakeCheckpoint(setup, i + 1));
      last_checkpoint = i + 1;
    }
  }
  return all;
}

}  // namespace metarl::runners
