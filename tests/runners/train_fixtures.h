#pragma once
// Helpers of the in-process `metarl train` tests.

#include <filesystem>
#include <string>
#include <utility>
#include <vector>

#include "runners/train_loop.h"

namespace metarl::testing {

// An empty directory under the system temp dir, named after the test.
inline std::filesystem::path FreshDir(const std::string& name) {
  const std::filesystem::path dir = std::filesystem::temp_directory_path() / ("metarl_trainer_test_" + name);
  std::filesystem::remove_all(dir);
  std::filesystem::create_directories(dir);
  return dir;
}

// A quiet train command.
inline runners::TrainCommandOptions Train(const std::filesystem::path& config, const std::filesystem::path& out,
                                 std::vector<std::string> overrides = {}, bool resume = false) {
  runners::TrainCommandOptions o;
  o.config_file = config.string();
  o.output_dir = out.string();
  o.overrides = std::move(overrides);
  o.resume = resume;
  o.quiet = true;
  return o;
}

// A metrics.csv row without its last `timings` columns (the seconds_*).
inline std::string WithoutTimings(const std::string& row, int timings) {
  std::string out = row;
  for (int i = 0; i < timings; ++i) out = out.substr(0, out.rfind(','));
  return out;
}

}  // namespace metarl::testing
