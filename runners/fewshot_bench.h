#pragma once
// `metarl bench fewshot`: milliseconds per meta-iteration (sampling the
// episodes and one meta-update) of a few-shot training config, run exactly
// as `metarl fewshot train` would from the config's seed (nothing written).
// After `warmup` iterations, `repeats` timed runs of `iterations` iterations
// each; reports each run's mean and the median over runs.

#include <cstdint>
#include <string>
#include <vector>

namespace metarl::runners {

struct FewShotBenchOptions {
  std::string config_file;             // a few-shot training config (configs/fewshot/...)
  std::vector<std::string> overrides;  // --set key=value
  int iterations = 200;                // iterations per timed run
  int repeats = 5;                     // timed runs (median reported)
  int warmup = 20;                     // untimed iterations first
};

struct FewShotBenchResult {
  std::string task, learner, device;
  int meta_batch_size = 0;
  int threads = 0;
  int iterations = 0;
  std::vector<double> ms_per_iteration;  // one per timed run
  double median_ms() const;
  std::string ToText() const;
  std::string ToJson() const;  // {"ms_per_meta_iter": median, ...}
};

FewShotBenchResult RunFewShotBench(const FewShotBenchOptions& options);

}  // namespace metarl::runners
