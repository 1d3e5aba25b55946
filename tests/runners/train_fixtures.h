#pragma once
// Helpers of the in-process `metarl train` tests.

#include <filesystem>
#include <string>
#include <utility>
#include <vector>

#include <gtest/gtest.h>

#include "runners/checkpoint.h"
#include "runners/train_loop.h"
#include "tests/test_util.h"

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

// The training state in two runs' checkpoints (DIR/checkpoint.pt) is the same
// bit for bit: iteration, parameter names and values, optimiser state. The
// stored configuration is not compared (it names the run's `threads`).
inline void ExpectSameTrainingState(const std::filesystem::path& a_dir, const std::filesystem::path& b_dir,
                                    const std::string& file = runners::kCheckpointFile) {
  const runners::Checkpoint a = runners::LoadCheckpoint(a_dir.string(), file);
  const runners::Checkpoint b = runners::LoadCheckpoint(b_dir.string(), file);
  EXPECT_EQ(a.iteration, b.iteration);
  ASSERT_EQ(a.names, b.names);
  ASSERT_EQ(a.params.size(), b.params.size());
  for (std::size_t i = 0; i < a.params.size(); ++i) {
    EXPECT_TRUE(SameBits(a.params[i], b.params[i])) << a.names[i] << " differs: " << a_dir << " vs " << b_dir;
  }
  ASSERT_EQ(a.optimizer_state.size(), b.optimizer_state.size());
  for (std::size_t i = 0; i < a.optimizer_state.size(); ++i) {
    EXPECT_TRUE(SameBits(a.optimizer_state[i], b.optimizer_state[i])) << "optimiser state " << i << " differs";
  }
}

}  // namespace metarl::testing
