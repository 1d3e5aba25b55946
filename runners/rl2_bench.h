#pragma once
// `metarl bench rl2`: seconds per RL² iteration of a training config
// (`algorithm: rl2-ppo`), split into sampling the trials (env steps plus one
// batched GRU step per time step) and the optimisation (old log-probs and
// values by one unroll, GAE, the PPO epochs). Runs `iterations` iterations
// from the config's seed exactly as `metarl train` would (nothing is
// written) and reports each and the median.

#include <cstdint>
#include <string>
#include <vector>

#include "runners/rl2_trainer.h"

namespace metarl::runners {

struct Rl2BenchOptions {
  std::string config_file;             // a training config (configs/rl2/...)
  std::vector<std::string> overrides;  // --set key=value
  int iterations = 3;                  // iterations to run (median reported)
};

struct Rl2BenchResult {
  std::string env;
  int trials = 0;              // meta-batch-size
  int episodes_per_trial = 0;
  int hidden_size = 0;
  int threads = 0;
  std::vector<Rl2IterationMetrics> iterations;

  std::string ToText() const;
  std::string ToJson() const;  // medians
};

Rl2BenchResult RunRl2Bench(const Rl2BenchOptions& options);

}  // namespace metarl::runners
