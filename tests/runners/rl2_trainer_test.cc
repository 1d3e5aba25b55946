// `metarl train` / `metarl eval` for RL² in process: a resumed run continues
// exactly as an uninterrupted one (policy, Adam state, metrics), eval reports
// one row per episode of a trial, and bad keys are refused by name.

#include "runners/rl2_trainer.h"

#include <filesystem>
#include <fstream>
#include <string>

#include <ATen/ATen.h>
#include <gtest/gtest.h>

#include "runners/checkpoint.h"
#include "runners/rl2_eval.h"
#include "tests/runners/train_fixtures.h"
#include "tests/test_util.h"

namespace metarl::runners {
namespace {

namespace fs = std::filesystem;
using metarl::testing::FreshDir;
using metarl::testing::Train;
using metarl::testing::WithoutTimings;

const char* kTinyRun =
    "algorithm: rl2-ppo\n"
    "env: Navigation2D\n"
    "env-kwargs: {horizon: 8}\n"
    "policy: {hidden-size: 8}\n"
    "episodes-per-trial: 3\n"
    "meta-batch-size: 6\n"
    "num-minibatches: 2\n"
    "ppo-epochs: 2\n"
    "bptt-chunk: 5\n"
    "entropy-coef: 0.01\n"
    "num-batches: 3\n"
    "checkpoint-every: 2\n"
    "threads: 2\n"
    "seed: 4\n";

TEST(Rl2Trainer, ResumedRunContinuesExactlyAsAnUninterruptedOne) {
  const fs::path dir = FreshDir("rl2_resume");
  const fs::path config = dir / "run.yaml";
  std::ofstream(config) << kTinyRun;
  const auto straight = RunRl2TrainCommand(Train(config, dir / "straight"));
  ASSERT_EQ(straight.size(), 3u);
  EXPECT_EQ(straight[0].episode_returns.size(), 3u);
  EXPECT_GT(straight[0].ppo.grad_norm, 0.0);
  ASSERT_EQ(RunRl2TrainCommand(Train(config, dir / "split", {"num-batches=2"})).size(), 2u);
  const auto resumed = RunRl2TrainCommand(Train("", dir / "split", {"num-batches=3"}, /*resume=*/true));
  ASSERT_EQ(resumed.size(), 1u);
  EXPECT_EQ(resumed[0].iteration, 2);
  EXPECT_EQ(resumed[0].episode_returns, straight[2].episode_returns);
  EXPECT_EQ(resumed[0].ppo.policy_loss, straight[2].ppo.policy_loss);
  EXPECT_EQ(resumed[0].ppo.approx_kl, straight[2].ppo.approx_kl);

  const Checkpoint a = LoadCheckpoint((dir / "straight").string());
  const Checkpoint b = LoadCheckpoint((dir / "split").string());
  EXPECT_EQ(b.iteration, 3);
  ASSERT_EQ(a.params.size(), b.params.size());
  for (std::size_t i = 0; i < a.params.size(); ++i) EXPECT_TRUE(at::equal(a.params[i], b.params[i])) << a.names[i];
  ASSERT_EQ(a.optimizer_state.size(), 3u);  // Adam m, v, t
  for (std::size_t i = 0; i < 3; ++i) EXPECT_TRUE(at::equal(a.optimizer_state[i], b.optimizer_state[i]));
  std::ifstream sa(dir / "straight" / "metrics.csv"), sb(dir / "split" / "metrics.csv");
  int rows = 0;
  for (std::string la, lb; std::getline(sa, la); ++rows) {
    ASSERT_TRUE(std::getline(sb, lb));
    EXPECT_EQ(WithoutTimings(la, 4), WithoutTimings(lb, 4));
  }
  EXPECT_EQ(rows, 4);

  // Eval: one row per episode index, 1 … E (E from the run, or --episodes).
  Rl2EvalOptions eval;
  eval.checkpoint_dir = (dir / "straight").string();
  eval.num_tasks = 5;
  const auto table = RunRl2Eval(eval);
  ASSERT_EQ(table.size(), 3u);
  EXPECT_EQ(table[2].episode, 3);
  EXPECT_EQ(table[0].num_tasks, 5);
  eval.episodes = 5;
  const auto longer = RunRl2Eval(eval);
  ASSERT_EQ(longer.size(), 5u);
  // The first episodes of a trial do not depend on how many follow them.
  for (int i = 0; i < 3; ++i) {
    EXPECT_EQ(longer[i].mean_return, table[i].mean_return) << "episode " << i + 1;
    EXPECT_EQ(longer[i].std_return, table[i].std_return) << "episode " << i + 1;
  }
  std::ifstream csv(dir / "straight" / "eval.csv");
  std::string header;
  std::getline(csv, header);
  EXPECT_EQ(header, "episode,mean_return,std_return,num_tasks");
}

TEST(Rl2Trainer, BadKeysAreRefusedByName) {
  const fs::path dir = FreshDir("rl2_bad");
  const fs::path config = dir / "run.yaml";
  std::ofstream(config) << kTinyRun;
  for (const auto& [override, key] : std::vector<std::pair<std::string, std::string>>{
           {"ppo-epochs=0", "ppo-epochs"},
           {"episodes-per-trial=0", "episodes-per-trial"},
           {"num-minibatches=7", "num-minibatches"},
           {"policy.hidden-size=-1", "policy.hidden-size"},
           {"fast-lr=0.1", "fast-lr"},
           {"bptt-chunk=-2", "bptt-chunk"}}) {
    const std::string message =
        testing::InvalidArgumentMessage([&] { RunRl2TrainCommand(Train(config, dir / "out", {override})); });
    EXPECT_NE(message.find(key), std::string::npos) << override << ": " << message;
  }
  // The Gaussian MLP's key does not exist for the recurrent policy.
  const std::string message = testing::InvalidArgumentMessage(
      [&] { RunRl2TrainCommand(Train(config, dir / "out", {"policy.hidden-sizes=[8]"})); });
  EXPECT_NE(message.find("hidden-sizes"), std::string::npos) << message;
}

}  // namespace
}  // namespace metarl::runners
