// The MAML family learns: a short seeded run of each outer step on 2D
// navigation (the MAML paper's settings, configs/maml/2d-navigation.yaml and
// its family siblings) must make one inner step clearly improve the return
// on held-out goals. Before meta-training the step barely helps (pre −79.5,
// post −75.4 on the same 20 held-out goals: +4); after 20 iterations of
// 10 tasks × 10 episodes (seed 2), measured when written: MAML-TRPO
// −42.0 → −16.4, MAML-VPG −46.3 → −30.8, MAML-PPO −41.8 → −16.1, ProMP
// −41.4 → −15.0, E-MAML-TRPO −41.2 → −14.9. The thresholds (a gain of more
// than 10 and a post-update return above −40) sit between the two. Seeds 2–4
// of MAML-TRPO end at −15 to −18; seed 1 at this small batch let the
// pre-update policy drift away (pre −491, post −45) under one float rounding
// of the packed batches and not under another, so the test uses seed 2.

#include <filesystem>
#include <fstream>
#include <ostream>
#include <string>
#include <vector>

#include <gtest/gtest.h>
#include <yaml-cpp/yaml.h>

#include "runners/maml_eval.h"
#include "runners/maml_trainer.h"
#include "tests/runners/train_fixtures.h"

namespace metarl::runners {
namespace {

namespace fs = std::filesystem;

struct Case {
  std::string name, config;
  std::string algorithm;  // replaces the config's algorithm (and drops its TRPO keys) when set
};

void PrintTo(const Case& c, std::ostream* out) { *out << c.name; }

std::vector<EvalRow> TrainAndEvaluate(const Case& c, int iterations) {
  const fs::path dir = testing::FreshDir("learning_" + c.name);
  YAML::Node config = YAML::LoadFile(std::string(METARL_SOURCE_DIR) + "/" + c.config);
  if (!c.algorithm.empty()) {
    for (const char* key : {"max-kl", "cg-iters", "cg-damping", "ls-max-steps", "ls-backtrack-ratio"}) config.remove(key);
    config["algorithm"] = c.algorithm;
    config["outer-lr"] = 1.0e-3;
  }
  const fs::path file = dir / "config.yaml";
  std::ofstream(file) << config;
  RunTrainCommand(testing::Train(file, dir / "run",
                                 {"num-batches=" + std::to_string(iterations), "meta-batch-size=10",
                                  "fast-batch-size=10", "threads=2", "seed=2"}));
  EvalCommandOptions eval;
  eval.checkpoint_dir = (dir / "run").string();
  eval.num_tasks = 20;
  eval.grad_steps = 1;
  eval.seed = 7;
  return RunEvalCommand(eval);
}

class MamlFamilyLearns : public ::testing::TestWithParam<Case> {};

TEST_P(MamlFamilyLearns, OneInnerStepImprovesHeldOutGoalsAfterMetaTraining) {
  const std::vector<EvalRow> rows = TrainAndEvaluate(GetParam(), 20);
  ASSERT_EQ(rows.size(), 2u);
  const double pre = rows[0].mean_return, post = rows[1].mean_return;
  EXPECT_GT(post - pre, 10.0) << "pre " << pre << ", post " << post;
  EXPECT_GT(post, -40.0) << "pre " << pre << ", post " << post;
}

INSTANTIATE_TEST_SUITE_P(
    Navigation2D, MamlFamilyLearns,
    ::testing::Values(Case{"MamlTrpo", "configs/maml/2d-navigation.yaml", ""},
                      Case{"MamlVpg", "configs/maml/2d-navigation.yaml", "maml-vpg"},
                      Case{"MamlPpo", "configs/maml-ppo/2d-navigation.yaml", ""},
                      Case{"ProMp", "configs/promp/2d-navigation.yaml", ""},
                      Case{"EMamlTrpo", "configs/emaml/2d-navigation.yaml", ""}),
    [](const ::testing::TestParamInfo<Case>& info) { return info.param.name; });

// The control: the same evaluation one barely-trained iteration in (a trust
// region too small to move the policy) shows no such gain, so the criterion
// above measures meta-learning, not the inner step alone.
TEST(MamlFamilyLearnsControl, WithoutMetaTrainingTheInnerStepBarelyHelps) {
  const fs::path dir = testing::FreshDir("learning_control");
  RunTrainCommand(testing::Train(std::string(METARL_SOURCE_DIR) + "/configs/maml/2d-navigation.yaml", dir,
                                 {"num-batches=1", "meta-batch-size=10", "fast-batch-size=10", "max-kl=1e-12"}));
  EvalCommandOptions eval;
  eval.checkpoint_dir = dir.string();
  eval.num_tasks = 20;
  eval.grad_steps = 1;
  eval.seed = 7;
  const std::vector<EvalRow> rows = RunEvalCommand(eval);
  ASSERT_EQ(rows.size(), 2u);
  EXPECT_LT(rows[1].mean_return - rows[0].mean_return, 10.0);
  EXPECT_LT(rows[1].mean_return, -40.0);
}

}  // namespace
}  // namespace metarl::runners
