// Checkpoints: round trip, refusal of a diverged state (the previous
// checkpoint kept byte for byte), and a truncated, foreign or newer-format
// file refused with a message naming it.

#include "runners/checkpoint.h"

#include <filesystem>
#include <fstream>
#include <iterator>
#include <limits>
#include <string>

#include <ATen/ATen.h>
#include <gtest/gtest.h>
#include <torch/serialize/output-archive.h>

namespace metarl::runners {
namespace {
namespace fs = std::filesystem;

fs::path FreshDir(const std::string& name) {
  const fs::path dir = fs::temp_directory_path() / ("metarl_checkpoint_test_" + name);
  fs::remove_all(dir);
  fs::create_directories(dir);
  return dir;
}

std::string Bytes(const fs::path& file) {
  std::ifstream in(file, std::ios::binary);
  return std::string(std::istreambuf_iterator<char>(in), {});
}

Checkpoint Sample() {
  Checkpoint c;
  c.iteration = 7;
  c.config_yaml = "env: Navigation2D\nseed: 3\n";
  c.names = {"w", "b"};
  c.params = {at::arange(6, at::kFloat).reshape({2, 3}), at::full({3}, -0.5f)};
  c.optimizer_state = {at::ones({4}, at::kFloat), at::tensor({2.0}, at::kDouble)};
  return c;
}

std::string LoadError(const fs::path& dir) {
  try {
    LoadCheckpoint(dir.string());
  } catch (const std::invalid_argument& e) {
    return e.what();
  }
  return "(no error)";
}

TEST(Checkpoint, RoundTripKeepsEverythingAndLeavesNoTemporaryFile) {
  const fs::path dir = FreshDir("round_trip");
  SaveCheckpoint(dir.string(), Sample());
  EXPECT_FALSE(fs::exists(dir / "checkpoint.pt.tmp"));
  const Checkpoint got = LoadCheckpoint(dir.string());
  const Checkpoint want = Sample();
  EXPECT_EQ(got.iteration, want.iteration);
  EXPECT_EQ(got.config_yaml, want.config_yaml);
  EXPECT_EQ(got.names, want.names);
  ASSERT_EQ(got.params.size(), 2u);
  for (std::size_t i = 0; i < 2; ++i) EXPECT_TRUE(at::equal(got.params[i], want.params[i])) << i;
  ASSERT_EQ(got.optimizer_state.size(), 2u);
  for (std::size_t i = 0; i < 2; ++i) EXPECT_TRUE(at::equal(got.optimizer_state[i], want.optimizer_state[i])) << i;
}

TEST(Checkpoint, ADivergedStateIsRefusedAndThePreviousCheckpointKept) {
  const fs::path dir = FreshDir("diverged");
  SaveCheckpoint(dir.string(), Sample());
  const std::string before = Bytes(dir / "checkpoint.pt");
  Checkpoint bad = Sample();
  bad.iteration = 8;
  bad.params[1] = bad.params[1].clone();
  bad.params[1][2] = std::numeric_limits<float>::quiet_NaN();
  try {
    SaveCheckpoint(dir.string(), bad);
    FAIL() << "expected std::runtime_error";
  } catch (const std::runtime_error& e) {
    const std::string what = e.what();
    EXPECT_NE(what.find("after iteration 8: parameter 'b' holds NaN or Inf"), std::string::npos) << what;
  }
  Checkpoint bad_state = Sample();
  bad_state.optimizer_state[0] = at::full({4}, std::numeric_limits<float>::infinity());
  EXPECT_THROW(SaveCheckpoint(dir.string(), bad_state), std::runtime_error);
  EXPECT_EQ(Bytes(dir / "checkpoint.pt"), before);
  EXPECT_FALSE(fs::exists(dir / "checkpoint.pt.tmp"));
}

TEST(Checkpoint, TruncatedForeignOrNewerFilesAreRefusedByName) {
  const fs::path dir = FreshDir("bad_files");
  EXPECT_NE(LoadError(dir).find("does not exist"), std::string::npos);
  SaveCheckpoint(dir.string(), Sample());
  const std::string bytes = Bytes(dir / "checkpoint.pt");
  const std::string path = (dir / "checkpoint.pt").string();
  for (const std::size_t keep : {std::size_t{0}, std::size_t{10}, bytes.size() / 2, bytes.size() - 1}) {
    std::ofstream(dir / "checkpoint.pt", std::ios::binary | std::ios::trunc) << bytes.substr(0, keep);
    const std::string what = LoadError(dir);
    EXPECT_NE(what.find("checkpoint '" + path + "' cannot be read"), std::string::npos)
        << keep << " of " << bytes.size() << " bytes: " << what;
  }
  std::ofstream(dir / "checkpoint.pt", std::ios::trunc) << "env: Navigation2D\n";  // not an archive at all
  EXPECT_NE(LoadError(dir).find("cannot be read"), std::string::npos);

  torch::serialize::OutputArchive newer;
  newer.write("format_version", c10::IValue(kCheckpointFormatVersion + 1));
  newer.save_to(path);
  EXPECT_NE(LoadError(dir).find("has format version " + std::to_string(kCheckpointFormatVersion + 1) +
                                "; this build reads version " + std::to_string(kCheckpointFormatVersion)),
            std::string::npos)
      << LoadError(dir);
}

}  // namespace
}  // namespace metarl::runners
