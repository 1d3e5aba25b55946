#pragma once
// `metarl bench maml`: seconds per meta-iteration of a training config of
// the MAML family (any `algorithm`), broken down into sampling, adaptation
// (baseline, GAE, inner updates) and the outer step (first meta-gradient;
// TRPO: conjugate gradient and line search; Adam-based steps: the further
// epochs and the final evaluation). JSON keys keep their first names
// (seconds_trpo = the outer step, seconds_trpo_gradient/_cg/_line_search). Runs `iterations` meta-iterations from the config's seed, exactly
// as `metarl train` would (nothing is written), and reports each one and the
// median.

#include <cstdint>
#include <string>
#include <vector>

#include "runners/maml_trainer.h"

namespace metarl::runners {

struct MamlBenchOptions {
  std::string config_file;             // a training config (configs/maml/...)
  std::vector<std::string> overrides;  // --set key=value
  int iterations = 3;                  // meta-iterations to run (median reported)
};

struct MamlBenchResult {
  std::string algorithm;  // `algorithm` of the config (MetaAlgorithms())
  std::string env;
  int meta_batch_size = 0;
  int fast_batch_size = 0;
  int num_steps = 0;
  int threads = 0;
  std::vector<IterationMetrics> iterations;

  IterationMetrics Median() const;  // per column, over iterations
  std::string ToText() const;
  std::string ToJson() const;
};

MamlBenchResult RunMamlBench(const MamlBenchOptions& options);

}  // namespace metarl::runners
