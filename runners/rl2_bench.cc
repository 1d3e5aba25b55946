#include "runners/rl2_bench.h"

#include <sstream>

#include "core/error.h"
#include "runners/bench_stats.h"

namespace metarl::runners {

namespace {

struct Medians {
  double env_steps, sampling, optimizing, total;
};

Medians MediansOf(const std::vector<Rl2IterationMetrics>& rows) {
  return {MedianOf(rows, [](const auto& r) { return r.env_steps; }),
          MedianOf(rows, [](const auto& r) { return r.seconds_sampling; }),
          MedianOf(rows, [](const auto& r) { return r.seconds_optimizing; }),
          MedianOf(rows, [](const auto& r) { return r.seconds_total; })};
}

}  // namespace

std::string Rl2BenchResult::ToText() const {
  std::ostringstream out;
  out.setf(std::ios::fixed);
  out.precision(3);
  out << "rl2-ppo iteration: " << env << ", " << trials << " trials x " << episodes_per_trial
      << " episodes, GRU " << hidden_size << ", " << threads << " thread(s)\n"
      << "iter  env_steps  sampling  optimizing  total  [s]\n";
  for (const auto& m : iterations) {
    out << m.iteration << "  " << m.env_steps << "  " << m.seconds_sampling << "  " << m.seconds_optimizing << "  "
        << m.seconds_total << "\n";
  }
  const Medians m = MediansOf(iterations);
  out << "median  " << static_cast<int64_t>(m.env_steps) << "  " << m.sampling << "  " << m.optimizing << "  "
      << m.total << "\n"
      << "sampling rate " << static_cast<int64_t>(m.env_steps / m.sampling) << " env-steps/s (with the GRU step)\n";
  return out.str();
}

std::string Rl2BenchResult::ToJson() const {
  const Medians m = MediansOf(iterations);
  std::ostringstream out;
  out.precision(6);
  out << "{\"algorithm\": \"rl2-ppo\", \"env\": \"" << env << "\", \"trials\": " << trials
      << ", \"episodes_per_trial\": " << episodes_per_trial << ", \"hidden_size\": " << hidden_size
      << ", \"threads\": " << threads << ", \"iterations\": " << iterations.size()
      << ", \"env_steps\": " << m.env_steps << ", \"seconds_sampling\": " << m.sampling
      << ", \"seconds_optimizing\": " << m.optimizing << ", \"seconds_total\": " << m.total << "}";
  return out.str();
}

Rl2BenchResult RunRl2Bench(const Rl2BenchOptions& options) {
  METARL_REQUIRE(options.iterations >= 1, "--iterations = ", options.iterations, ": expected an integer >= 1");
  ConfigMap config = ConfigMap::FromFile(options.config_file, options.overrides);
  Rl2Setup setup(config);
  const Rl2TrainOptions& o = setup.options();
  Rl2BenchResult result;
  result.env = o.env;
  result.trials = o.meta_batch_size;
  result.episodes_per_trial = o.episodes_per_trial;
  result.hidden_size = o.policy.hidden_size;
  result.threads = setup.runner().pool().num_threads();
  for (int i = 0; i < options.iterations; ++i) result.iterations.push_back(RunRl2Iteration(setup, i));
  return result;
}

}  // namespace metarl::runners
