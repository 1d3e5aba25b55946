// `metarl train` in process: resuming from a checkpoint continues exactly as
// an uninterrupted run; a NaN stops the run leaving the last checkpoint
// intact; a checkpoint of another policy shape is refused.

#include <filesystem>
#include <fstream>
#include <iterator>
#include <string>

#include <ATen/ATen.h>
#include <gtest/gtest.h>

#include "runners/checkpoint.h"
#include "runners/fewshot_setup.h"
#include "tests/envs/image_folder_fixture.h"
#include "tests/envs/omniglot_fixture.h"
#include "runners/maml_trainer.h"
#include "runners/rl2_setup.h"
#include "tests/runners/train_fixtures.h"
#include "tests/test_util.h"

namespace metarl::runners {
namespace {

namespace fs = std::filesystem;
using metarl::testing::FreshDir;
using metarl::testing::Train;
using metarl::testing::WithoutTimings;

const char* kTinyRun =
    "env: Navigation2D\n"
    "env-kwargs: {horizon: 10}\n"
    "policy: {hidden-sizes: [8], nonlinearity: tanh}\n"
    "meta-batch-size: 3\n"
    "fast-batch-size: 4\n"
    "num-batches: 3\n"
    "checkpoint-every: 2\n"
    "threads: 2\n"
    "seed: 5\n";

std::string ReadAll(const fs::path& path) {
  std::ifstream in(path, std::ios::binary);
  return {std::istreambuf_iterator<char>(in), {}};
}

TEST(MamlTrainer, ResumedRunContinuesExactlyAsAnUninterruptedOne) {
  // Every outer step, with its optimiser state (Adam moments, ProMP's penalties).
  for (const std::string algorithm : {"maml-trpo", "maml-vpg", "maml-ppo", "promp"}) {
    SCOPED_TRACE(algorithm);
    const fs::path dir = FreshDir("resume_" + algorithm);
    const fs::path config = dir / "run.yaml";
    std::ofstream(config) << kTinyRun << "algorithm: " << algorithm << "\n"
                          << (algorithm == "promp" ? "adaptive-inner-kl-penalty: true\n" : "")
                          << (algorithm == "maml-vpg" ? "exploration: true\n" : "");

    const auto straight = RunTrainCommand(Train(config, dir / "straight"));
    ASSERT_EQ(straight.size(), 3u);
    // Interrupted after the checkpoint at iteration 2, then resumed (config
    // from DIR/config.yaml); a row the interrupted run wrote after its last
    // checkpoint is dropped.
    ASSERT_EQ(RunTrainCommand(Train(config, dir / "split", {"num-batches=2"})).size(), 2u);
    std::ofstream(dir / "split" / "metrics.csv", std::ios::app) << "2,999\n";
    TrainCommandOptions resume = Train("", dir / "split", {"num-batches=3"}, /*resume=*/true);
    const auto resumed = RunTrainCommand(resume);
    ASSERT_EQ(resumed.size(), 1u);
    EXPECT_EQ(resumed[0].iteration, 2);
    EXPECT_EQ(resumed[0].returns, straight[2].returns);
    EXPECT_EQ(resumed[0].outer.surrogate_before, straight[2].outer.surrogate_before);
    EXPECT_EQ(resumed[0].outer.kl_after, straight[2].outer.kl_after);
    EXPECT_EQ(resumed[0].outer.inner_kl_penalty, straight[2].outer.inner_kl_penalty);

    const Checkpoint a = LoadCheckpoint((dir / "straight").string());
    const Checkpoint b = LoadCheckpoint((dir / "split").string());
    EXPECT_EQ(a.iteration, 3);
    EXPECT_EQ(b.iteration, 3);
    for (std::size_t i = 0; i < a.params.size(); ++i) EXPECT_TRUE(at::equal(a.params[i], b.params[i])) << a.names[i];
    ASSERT_EQ(a.optimizer_state.size(), b.optimizer_state.size());
    EXPECT_EQ(a.optimizer_state.empty(), algorithm == "maml-trpo");
    for (std::size_t i = 0; i < a.optimizer_state.size(); ++i) {
      EXPECT_TRUE(at::equal(a.optimizer_state[i], b.optimizer_state[i])) << "optimizer state " << i;
    }
    // metrics.csv of the resumed run has every iteration once, equal to the straight run's.
    std::ifstream sa(dir / "straight" / "metrics.csv"), sb(dir / "split" / "metrics.csv");
    int rows = 0;
    for (std::string la, lb; std::getline(sa, la);) {
      ASSERT_TRUE(std::getline(sb, lb));
      EXPECT_EQ(WithoutTimings(la, 8), WithoutTimings(lb, 8));
      ++rows;
    }
    EXPECT_EQ(rows, 4);  // header + 3 iterations
    std::string extra;
    EXPECT_FALSE(std::getline(sb, extra)) << extra;
  }
}

// configs/rl2/ load with the RL² setup.
TEST(MamlTrainer, EveryShippedConfigLoadsWithItsFoldersAlgorithm) {
  int checked = 0;
  for (const auto& entry : fs::recursive_directory_iterator(fs::path(METARL_SOURCE_DIR) / "configs")) {
    if (entry.path().extension() != ".yaml") continue;
    SCOPED_TRACE(entry.path().string());
    const std::string folder = entry.path().parent_path().filename().string();
    std::vector<std::string> overrides = {"threads=1"};
    if (entry.path().stem().string().rfind("omniglot", 0) == 0) {  // the dataset: a small fixture in its layout
      const fs::path root = fs::temp_directory_path() / "metarl_config_omniglot";
      metarl::testing::MakeOmniglotFixture(root, 2, 12, 12, 8);  // 48 characters: 20-way needs 20 per split
      overrides.insert(overrides.end(), {"task-kwargs.root=" + root.string(), "task-kwargs.train-characters=22",
                                         "task-kwargs.validation-characters=0", "device=cpu"});
    }
    if (entry.path().stem().string().rfind("mini-imagenet", 0) == 0) {  // colour images, folders layout
      const fs::path root = fs::temp_directory_path() / "metarl_config_mini_imagenet";
      static const bool made = [&root] {
        metarl::testing::ColourFixture shape;
        shape.classes = {30, 5, 5};  // ProtoNets trains 30-way
        shape.images = 16;           // 1 shot + 15 queries
        metarl::testing::MakeColourFixture(root, "folders", shape);
        return true;
      }();
      (void)made;
      overrides.insert(overrides.end(), {"task-kwargs.root=" + root.string(), "task-kwargs.check-class-counts=false",
                                         "device=cpu"});
    }
    ConfigMap config = ConfigMap::FromFile(entry.path().string(), overrides);
    if (folder == "fewshot") {  // <task>-<learner>.yaml
      FewShotSetup fewshot(config);
      const std::string stem = entry.path().stem().string();
      std::string learner = stem.substr(stem.rfind('-') + 1);
      if (learner == "sgd") learner = "meta-sgd";
      if (learner == "fomaml") learner = "maml";
      EXPECT_EQ(fewshot.options().learner, learner);
      ++checked;
      continue;
    }
    if (folder == "rl2") {
      const Rl2Setup rl2(config);
      EXPECT_EQ(rl2.options().algorithm, kRl2Algorithm);
      ++checked;
      continue;
    }
    const MamlSetup setup(config);
    const bool vpg = entry.path().stem().string().find("-vpg") != std::string::npos;
    const std::string expected = folder == "promp"      ? "promp"
                                 : folder == "maml-ppo" ? "maml-ppo"
                                 : vpg                  ? "maml-vpg"
                                                        : "maml-trpo";
    EXPECT_EQ(setup.options().algorithm, expected);
    EXPECT_EQ(setup.options().exploration.enabled, folder == "emaml");
    ++checked;
  }
  EXPECT_GE(checked, 38);
}

TEST(MamlTrainer, KeysOfAnotherAlgorithmAndUnknownAlgorithmsAreRefused) {
  auto message = [](const std::string& extra) {
    return metarl::testing::InvalidArgumentMessage([&] {
      ConfigMap config(YAML::Load(std::string(kTinyRun) + extra), "test.yaml");
      MamlSetup setup(config);
    });
  };
  EXPECT_NE(message("algorithm: maml-ppo\nmax-kl: 0.01\n").find("max-kl"), std::string::npos);
  EXPECT_NE(message("outer-lr: 0.01\n").find("outer-lr"), std::string::npos);  // maml-trpo has no Adam
  EXPECT_NE(message("exploration-weight: 2\n").find("exploration-weight"), std::string::npos);
  EXPECT_NE(message("algorithm: promp\nnum-ppo-steps: 3\n").find("num-ppo-steps"), std::string::npos);
  const std::string unknown = message("algorithm: reptile\n");
  EXPECT_NE(unknown.find("reptile"), std::string::npos) << unknown;
  EXPECT_NE(unknown.find("promp"), std::string::npos) << unknown;
  EXPECT_NE(message("algorithm: promp\nclip-eps: 1.5\n").find("clip-eps"), std::string::npos);
  const std::string one_task = metarl::testing::InvalidArgumentMessage([&] {
    std::string text = kTinyRun;
    text.replace(text.find("meta-batch-size: 3"), 18, "meta-batch-size: 1");
    ConfigMap config(YAML::Load(text + "exploration: true\n"), "test.yaml");
    MamlSetup setup(config);
  });
  EXPECT_NE(one_task.find("meta-batch-size"), std::string::npos) << one_task;
}

TEST(MamlTrainer, NanStopsTheRunAndLeavesTheLastCheckpointIntact) {
  const fs::path dir = FreshDir("nan");
  const fs::path config = dir / "run.yaml";
  std::ofstream(config) << kTinyRun;
  RunTrainCommand(Train(config, dir / "out", {"num-batches=2"}));
  const std::string good = ReadAll(dir / "out" / "checkpoint.pt");
  ASSERT_FALSE(good.empty());
  // An absurd inner step size makes the adapted parameters overflow.
  try {
    RunTrainCommand(Train(config, dir / "out", {"num-batches=4", "fast-lr=1e38"}, /*resume=*/true));
    FAIL() << "expected the run to stop";
  } catch (const std::exception& e) {
    const std::string what = e.what();
    EXPECT_NE(what.find("NaN/Inf"), std::string::npos) << what;
    EXPECT_NE(what.find("iteration 2) is intact"), std::string::npos) << what;
  }
  EXPECT_EQ(ReadAll(dir / "out" / "checkpoint.pt"), good);
  EXPECT_EQ(LoadCheckpoint((dir / "out").string()).iteration, 2);
}

TEST(MamlTrainer, CheckpointOfAnotherPolicyShapeIsRefused) {
  const fs::path dir = FreshDir("shape");
  const fs::path config = dir / "run.yaml";
  std::ofstream(config) << kTinyRun;
  RunTrainCommand(Train(config, dir / "out", {"num-batches=1"}));
  const std::string message = testing::InvalidArgumentMessage([&] {
    RunTrainCommand(Train(config, dir / "out", {"num-batches=2", "policy.hidden-sizes=[16]"}, /*resume=*/true));
  });
  EXPECT_NE(message.find("checkpoint"), std::string::npos) << message;
  EXPECT_NE(message.find("weight_0"), std::string::npos) << message;
  // Starting a new run over an existing one is refused too.
  const std::string again = testing::InvalidArgumentMessage([&] { RunTrainCommand(Train(config, dir / "out")); });
  EXPECT_NE(again.find("--resume"), std::string::npos) << again;
}

}  // namespace
}  // namespace metarl::runners
