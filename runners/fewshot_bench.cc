#include "runners/fewshot_bench.h"

#include <chrono>
#include <sstream>

#include "core/config.h"
#include "core/error.h"
#include "runners/bench_stats.h"
#include "runners/fewshot_setup.h"
#include "runners/fewshot_trainer.h"

namespace metarl::runners {

double FewShotBenchResult::median_ms() const {
  return MedianOf(ms_per_iteration, [](double v) { return v; });
}

std::string FewShotBenchResult::ToText() const {
  std::ostringstream out;
  out.precision(4);
  out << "fewshot bench: " << learner << " on " << task << ", meta-batch " << meta_batch_size << ", " << threads
      << " thread(s), " << device << "\n";
  for (std::size_t r = 0; r < ms_per_iteration.size(); ++r) {
    out << "  run " << r + 1 << ": " << ms_per_iteration[r] << " ms per meta-iteration (" << iterations
        << " iterations)\n";
  }
  out << "  median: " << median_ms() << " ms per meta-iteration\n";
  return out.str();
}

std::string FewShotBenchResult::ToJson() const {
  std::ostringstream out;
  out.precision(6);
  out << "{\"task\": \"" << task << "\", \"learner\": \"" << learner << "\", \"device\": \"" << device
      << "\", \"meta_batch_size\": " << meta_batch_size << ", \"threads\": " << threads
      << ", \"iterations\": " << iterations << ", \"repeats\": " << ms_per_iteration.size()
      << ", \"ms_per_meta_iter\": " << median_ms() << "}";
  return out.str();
}

FewShotBenchResult RunFewShotBench(const FewShotBenchOptions& options) {
  METARL_REQUIRE(options.iterations >= 1, "--iterations = ", options.iterations, ": expected an integer >= 1");
  METARL_REQUIRE(options.repeats >= 1, "--repeats = ", options.repeats, ": expected an integer >= 1");
  METARL_REQUIRE(options.warmup >= 0, "--warmup = ", options.warmup, ": expected an integer >= 0");
  ConfigMap config = ConfigMap::FromFile(options.config_file, options.overrides);
  FewShotSetup setup(config);
  const FewShotTrainOptions& o = setup.options();
  FewShotBenchResult result;
  result.task = o.task;
  result.learner = o.learner;
  result.device = setup.device().str();
  result.meta_batch_size = o.meta_batch_size;
  result.threads = o.threads;
  result.iterations = options.iterations;
  int64_t i = 0;
  for (; i < options.warmup; ++i) RunFewShotIteration(setup, i);
  for (int r = 0; r < options.repeats; ++r) {
    const auto start = std::chrono::steady_clock::now();
    for (int k = 0; k < options.iterations; ++k, ++i) RunFewShotIteration(setup, i);
    const double s = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
    result.ms_per_iteration.push_back(1e3 * s / options.iterations);
  }
  return result;
}

}  // namespace metarl::runners
