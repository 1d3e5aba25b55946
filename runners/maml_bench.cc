#include "runners/maml_bench.h"

#include <sstream>

#include "core/error.h"
#include "runners/bench_stats.h"

namespace metarl::runners {

IterationMetrics MamlBenchResult::Median() const {
  IterationMetrics m;
  m.env_steps = static_cast<int64_t>(MedianOf(iterations, [](const auto& r) { return double(r.env_steps); }));
  m.seconds_sampling = MedianOf(iterations, [](const auto& r) { return r.seconds_sampling; });
  m.seconds_adapting = MedianOf(iterations, [](const auto& r) { return r.seconds_adapting; });
  m.seconds_optimizing = MedianOf(iterations, [](const auto& r) { return r.seconds_optimizing; });
  m.outer.seconds_gradient = MedianOf(iterations, [](const auto& r) { return r.outer.seconds_gradient; });
  m.outer.seconds_cg = MedianOf(iterations, [](const auto& r) { return r.outer.seconds_cg; });
  m.outer.seconds_line_search = MedianOf(iterations, [](const auto& r) { return r.outer.seconds_line_search; });
  m.seconds_total = MedianOf(iterations, [](const auto& r) { return r.seconds_total; });
  return m;
}

std::string MamlBenchResult::ToText() const {
  std::ostringstream out;
  out.setf(std::ios::fixed);
  out.precision(2);
  out << algorithm << " meta-iteration: " << env << ", " << meta_batch_size << " tasks x " << fast_batch_size
      << " trajectories, " << num_steps << " inner step(s), " << threads << " thread(s)\n"
      << "iter  env_steps  sampling  adapting  outer (first gradient / cg / line search or further steps)  total  [s]\n";
  auto row = [&](const std::string& name, const IterationMetrics& m) {
    out << name << "  " << m.env_steps << "  " << m.seconds_sampling << "  " << m.seconds_adapting << "  "
        << m.seconds_optimizing << " (" << m.outer.seconds_gradient << " / " << m.outer.seconds_cg << " / "
        << m.outer.seconds_line_search << ")  " << m.seconds_total << "\n";
  };
  for (const auto& m : iterations) row(std::to_string(m.iteration), m);
  const IterationMetrics median = Median();
  row("median", median);
  out << "sampling rate " << static_cast<int64_t>(median.env_steps / median.seconds_sampling)
      << " env-steps/s; total / sampling = " << median.seconds_total / median.seconds_sampling << "\n";
  return out.str();
}

std::string MamlBenchResult::ToJson() const {
  const IterationMetrics m = Median();
  std::ostringstream out;
  out.precision(6);
  out << "{\"algorithm\": \"" << algorithm << "\", \"env\": \"" << env << "\", \"meta_batch_size\": " << meta_batch_size
      << ", \"fast_batch_size\": " << fast_batch_size << ", \"num_steps\": " << num_steps
      << ", \"threads\": " << threads << ", \"iterations\": " << iterations.size()
      << ", \"env_steps\": " << m.env_steps << ", \"seconds_sampling\": " << m.seconds_sampling
      << ", \"seconds_adapting\": " << m.seconds_adapting << ", \"seconds_trpo\": " << m.seconds_optimizing
      << ", \"seconds_trpo_gradient\": " << m.outer.seconds_gradient << ", \"seconds_trpo_cg\": " << m.outer.seconds_cg
      << ", \"seconds_trpo_line_search\": " << m.outer.seconds_line_search << ", \"seconds_total\": " << m.seconds_total
      << "}";
  return out.str();
}

MamlBenchResult RunMamlBench(const MamlBenchOptions& options) {
  METARL_REQUIRE(options.iterations >= 1, "--iterations = ", options.iterations, ": expected an integer >= 1");
  ConfigMap config = ConfigMap::FromFile(options.config_file, options.overrides);
  MamlSetup setup(config);
  const MamlTrainOptions& o = setup.options();
  MamlBenchResult result;
  result.algorithm = o.algorithm;
  result.env = o.env;
  result.meta_batch_size = o.meta_batch_size;
  result.fast_batch_size = o.fast_batch_size;
  result.num_steps = o.maml.num_steps;
  result.threads = setup.runner().pool().num_threads();
  for (int i = 0; i < options.iterations; ++i) result.iterations.push_back(RunMamlIteration(setup, i));
  return result;
}

}  // namespace metarl::runners
