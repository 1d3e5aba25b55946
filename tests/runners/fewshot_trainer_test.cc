// `metarl fewshot train|eval` in process: a seeded learning check on the
// sinusoid, resume = uninterrupted run, determinism across thread counts, and
// bad configs named before any work.

#include <algorithm>
#include <cmath>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <string>
#include <vector>

#include <ATen/ATen.h>
#include <gtest/gtest.h>

#include "core/config.h"
#include "runners/fewshot_eval.h"
#include "runners/fewshot_setup.h"
#include "runners/fewshot_trainer.h"
#include "tests/envs/image_folder_fixture.h"
#include "tests/envs/omniglot_fixture.h"
#include "tests/runners/train_fixtures.h"
#include "tests/test_util.h"

namespace metarl::runners {
namespace {

namespace fs = std::filesystem;
using testing::FreshDir;
using testing::Train;
using testing::WithoutTimings;

const fs::path kSinusoid = fs::path(METARL_SOURCE_DIR) / "configs/fewshot/sinusoid-maml.yaml";

std::vector<std::string> Lines(const fs::path& file) {
  std::ifstream in(file);
  std::vector<std::string> lines;
  for (std::string line; std::getline(in, line);) lines.push_back(line);
  return lines;
}

// An accuracy of `episodes` episodes of `ways` × `query` query images is a
// count over ways·query per episode: its mean times episodes·ways·query is a
// whole number, and its 95% interval 1.96·s/√E cannot exceed that of
// accuracies spread as far as [0, 1] allows around the same mean
// (s² ≤ m(1 − m)·E/(E − 1)).
void ExpectAccuracyOfCounts(double mean, double ci95, int episodes, int ways, int query) {
  const double count = mean * episodes * ways * query;
  EXPECT_NEAR(count, std::round(count), 1e-6) << "mean accuracy " << mean;
  const double bound = 1.96 * std::sqrt(mean * (1.0 - mean) / (episodes - 1));
  EXPECT_LE(ci95, bound + 1e-12) << "mean " << mean;
  EXPECT_GE(ci95, 0.0);
}

// After 1500 meta-iterations of MAML (≈ 5 s) one inner step from the learned
// initialisation cuts the query MSE on held-out sinusoids to a fraction of
// its value before the step. Measured for seeds 1–3 (200 episodes): 0.76–1.00
// after the step, 3.09–3.10 before; thresholds 1.6 and 0.6×.
TEST(FewShotTrainer, MamlLearnsToAdaptToSinusoids) {
  const fs::path dir = FreshDir("fewshot_learn");
  RunFewShotTrainCommand(Train(kSinusoid, dir, {"num-batches=1500", "checkpoint-every=1500"}));
  FewShotEvalOptions e;
  e.checkpoint_dir = dir.string();
  e.episodes = 200;
  e.steps = 1;
  const auto rows = RunFewShotEval(e);
  ASSERT_EQ(rows.size(), 2u);
  EXPECT_LT(rows[1].mean_loss, 1.6);
  EXPECT_LT(rows[1].mean_loss, 0.6 * rows[0].mean_loss);
  EXPECT_GT(rows[1].ci95_loss, 0.0);
  EXPECT_EQ(Lines(dir / "eval.csv").size(), 3u);
}

TEST(FewShotTrainer, ResumeContinuesExactlyAsAnUninterruptedRun) {
  for (const std::string learner : {"maml", "meta-sgd", "reptile", "leo"}) {
    const fs::path config = fs::path(METARL_SOURCE_DIR) / ("configs/fewshot/sinusoid-" + learner + ".yaml");
    std::vector<std::string> set = {"num-batches=12", "checkpoint-every=5", "validate-every=2",
                                    "validation-episodes=10"};
    // The shortened first part would otherwise anneal Reptile's step over 7 iterations.
    if (learner == "reptile") set.push_back("anneal-outer-lr=false");
    const fs::path whole = FreshDir("fewshot_whole_" + learner), parts = FreshDir("fewshot_parts_" + learner);
    RunFewShotTrainCommand(Train(config, whole, set));
    auto first = set;
    first[0] = "num-batches=7";  // checkpoints at 5 and 7
    RunFewShotTrainCommand(Train(config, parts, first));
    RunFewShotTrainCommand(Train(config, parts, set, /*resume=*/true));
    const auto a = Lines(whole / "metrics.csv"), b = Lines(parts / "metrics.csv");
    ASSERT_EQ(a.size(), 13u) << learner;
    ASSERT_EQ(b.size(), 13u) << learner;
    for (std::size_t i = 0; i < a.size(); ++i) EXPECT_EQ(WithoutTimings(a[i], 1), WithoutTimings(b[i], 1)) << learner;
    SCOPED_TRACE(learner);
    testing::ExpectSameTrainingState(whole, parts);
    testing::ExpectSameTrainingState(whole, parts, kBestCheckpointFile);  // the best so far survives the resume
  }
}

// ProtoNets' protocol: meta-train on more ways than it is evaluated on. The
// metric learners read the ways of each batch; a learner whose parameters
// are sized by the ways is refused, naming train-ways.
TEST(FewShotTrainer, MetricLearnersTrainOnOtherWaysThanTheyAreEvaluatedOn) {
  const fs::path root = fs::temp_directory_path() / "metarl_fewshot_train_ways";
  testing::MakeOmniglotFixture(root, 2, 6, 6, 8);  // 24 characters
  const fs::path config = fs::temp_directory_path() / "metarl_fewshot_train_ways.yaml";
  std::ofstream(config) << "task: omniglot\n"
                           "task-kwargs: {root: " << root.string() << ", ways: 3, shots: 1, query: 2, image-size: 8,\n"
                           "              train-ways: 12, train-shots: 2, train-query: 3,\n"
                           "              train-characters: 14, validation-characters: 4}\n"
                           "learner: protonet\n"
                           "net: {filters: 4, blocks: 2}\n"
                           "meta-batch-size: 2\nnum-batches: 3\neval-steps: 0\nvalidate-every: 3\nvalidation-episodes: 4\n";
  for (const char* learner : {"protonet", "matching", "relation", "siamese"}) {
    SCOPED_TRACE(learner);
    const fs::path dir = FreshDir(std::string("fewshot_train_ways_") + learner);
    const auto run = RunFewShotTrainCommand(Train(config, dir, {std::string("learner=") + learner}));
    ASSERT_EQ(run.size(), 3u);
    EXPECT_TRUE(std::isfinite(run.back().stats.query_loss));
    EXPECT_TRUE(run.back().validated);  // 3-way validation episodes after 12-way training
    FewShotEvalOptions e;
    e.checkpoint_dir = dir.string();
    e.episodes = 10;
    const auto rows = RunFewShotEval(e);
    EXPECT_TRUE(std::isfinite(rows[0].mean_accuracy));
  }
  for (const char* learner : {"maml", "recurrent"}) {
    const std::string m = testing::InvalidArgumentMessage(
        [&] { RunFewShotTrainCommand(Train(config, FreshDir("fewshot_train_ways_bad"), {std::string("learner=") + learner})); });
    EXPECT_NE(m.find("train-ways = 12"), std::string::npos) << learner << ": " << m;
  }
}

// best.pt holds the state after the iteration with the best validation score
// in metrics.csv (the lowest loss for the sinusoid; the first of equal ones),
// and `fewshot eval` evaluates it by default, checkpoint.pt with
// --checkpoint-kind last.
TEST(FewShotTrainer, BestCheckpointIsTheBestValidatedIterationAndEvalUsesIt) {
  const fs::path dir = FreshDir("fewshot_best");
  RunFewShotTrainCommand(Train(kSinusoid, dir, {"num-batches=30", "checkpoint-every=10", "validate-every=3",
                                                "validation-episodes=20", "meta-lr=0.05"}));
  // The best row, read from metrics.csv: column 4 is validation_loss.
  int64_t best_iteration = -1, validated = 0;
  double best_loss = 0.0;
  const auto rows = Lines(dir / "metrics.csv");
  for (std::size_t r = 1; r < rows.size(); ++r) {
    std::vector<std::string> cells;
    std::stringstream in(rows[r]);
    for (std::string cell; std::getline(in, cell, ',');) cells.push_back(cell);
    if (cells[4].empty()) continue;
    ++validated;
    const double loss = std::stod(cells[4]);
    if (best_iteration < 0 || loss < best_loss) best_iteration = std::stoll(cells[0]), best_loss = loss;
  }
  ASSERT_EQ(validated, 10);
  const Checkpoint best = LoadCheckpoint(dir.string(), kBestCheckpointFile);
  const Checkpoint last = LoadCheckpoint(dir.string());
  EXPECT_EQ(best.iteration, best_iteration + 1);  // completed iterations
  EXPECT_EQ(last.iteration, 30);
  if (best.iteration != last.iteration) EXPECT_FALSE(at::equal(best.params[0], last.params[0]));

  FewShotEvalOptions e;
  e.checkpoint_dir = dir.string();
  e.episodes = 20;
  e.steps = 1;
  const auto by_default = RunFewShotEval(e);
  EXPECT_EQ(by_default[0].checkpoint_file, "best.pt");
  EXPECT_EQ(by_default[0].checkpoint_iteration, best.iteration);
  e.checkpoint_kind = "last";
  const auto from_last = RunFewShotEval(e);
  EXPECT_EQ(from_last[0].checkpoint_file, "checkpoint.pt");
  EXPECT_EQ(from_last[0].checkpoint_iteration, 30);
  e.checkpoint_kind = "newest";
  EXPECT_THROW(RunFewShotEval(e), std::invalid_argument);

  // A run that validates nothing has no best.pt; eval falls back to checkpoint.pt.
  const fs::path plain = FreshDir("fewshot_best_none");
  RunFewShotTrainCommand(Train(kSinusoid, plain, {"num-batches=4", "checkpoint-every=2", "validate-every=0"}));
  EXPECT_FALSE(fs::exists(plain / "best.pt"));
  e.checkpoint_dir = plain.string();
  e.checkpoint_kind = "best";
  EXPECT_EQ(RunFewShotEval(e)[0].checkpoint_file, "checkpoint.pt");
}

// The metric and black-box learners on images (a fixture in the Omniglot
// layout): a run resumed from a checkpoint continues exactly as an
// uninterrupted one, and the uninterrupted one ran on 2 threads, the parts
// on 1 (bit-identical for any thread count). The recurrent learner's support
// order is drawn per iteration, so resume must restore its stream too; with
// running batch-norm statistics (the `+running` runs) the averages are part
// of the checkpoint and of the compared state.
TEST(FewShotTrainer, EmbeddingLearnersResumeExactlyAndIgnoreThreadCount) {
  const fs::path root = fs::temp_directory_path() / "metarl_fewshot_embedding_omniglot";
  testing::MakeOmniglotFixture(root, 2, 3, 8, 8);
  const std::vector<std::pair<std::string, std::string>> learners = {
      {"protonet", ""},
      {"protonet+running", ""},
      {"matching", "fce: true\nfce-steps: 2\n"},
      {"matching+running", ""},
      {"relation", "relation-filters: 4\n"},
      {"siamese", ""},
      {"recurrent", "hidden-size: 8\n"},
      {"recurrent+running", "hidden-size: 8\n"}};
  for (const auto& [run, keys] : learners) {
    const bool running = run.find("+running") != std::string::npos;
    const std::string learner = run.substr(0, run.find('+')), tag = learner + (running ? "_running" : "");
    const fs::path config = fs::temp_directory_path() / ("metarl_fewshot_embedding_" + tag + ".yaml");
    std::ofstream(config) << "task: omniglot\n"
                             "task-kwargs: {root: " << root.string() << ", class-pool: rotated, ways: 3, shots: 1, query: 2, image-size: 8,\n"
                             "              train-characters: 6, validation-characters: 2}\n"
                             "learner: " << learner << "\n" << keys
                          << "net: {filters: 4, blocks: 2" << (learner == "relation" ? ", pooling-blocks: 1" : "")
                          << (running ? ", batch-norm: running" : "")
                          << "}\nmeta-batch-size: 4\nnum-batches: 6\ncheckpoint-every: 2\neval-steps: 0\n";
    const fs::path whole = FreshDir("fewshot_emb_whole_" + tag), parts = FreshDir("fewshot_emb_parts_" + tag);
    SCOPED_TRACE(run);
    RunFewShotTrainCommand(Train(config, whole, {"threads=2"}));
    RunFewShotTrainCommand(Train(config, parts, {"threads=1", "num-batches=3"}));  // checkpoints at 2 and 3
    RunFewShotTrainCommand(Train(config, parts, {"threads=1"}, /*resume=*/true));
    const auto a = Lines(whole / "metrics.csv"), b = Lines(parts / "metrics.csv");
    ASSERT_EQ(a.size(), 7u) << learner;
    ASSERT_EQ(b.size(), 7u) << learner;
    for (std::size_t i = 0; i < a.size(); ++i) EXPECT_EQ(WithoutTimings(a[i], 1), WithoutTimings(b[i], 1)) << learner;
    {
      SCOPED_TRACE(learner);
      testing::ExpectSameTrainingState(whole, parts);
    }
    FewShotEvalOptions e;
    e.checkpoint_dir = parts.string();
    e.episodes = 8;
    const auto rows = RunFewShotEval(e);
    ASSERT_EQ(rows.size(), 1u) << learner;
    ExpectAccuracyOfCounts(rows[0].mean_accuracy, rows[0].ci95_accuracy, 8, 3, 2);
  }
}

// Trains `config` with `set` (4 iterations, checkpoints every 2) in one run
// on 2 threads into DIR_whole, and in two parts on 1 thread (to iteration
// 3, then resumed) into DIR_parts; expects the same metrics rows and
// training state. Returns the uninterrupted run's folder.
fs::path ExpectPartsEqualWhole(const fs::path& config, const std::string& name, const std::vector<std::string>& set) {
  const fs::path whole = FreshDir(name + "_whole"), parts = FreshDir(name + "_parts");
  auto on_two = set, first = set;
  on_two.push_back("threads=2");
  first.push_back("num-batches=3");  // checkpoints at 2 and 3
  RunFewShotTrainCommand(Train(config, whole, on_two));
  RunFewShotTrainCommand(Train(config, parts, first));
  EXPECT_EQ(Lines(parts / "metrics.csv").size(), 4u);
  RunFewShotTrainCommand(Train(config, parts, set, /*resume=*/true));
  const auto a = Lines(whole / "metrics.csv"), b = Lines(parts / "metrics.csv");
  EXPECT_EQ(a.size(), 5u);
  EXPECT_EQ(b.size(), a.size());
  for (std::size_t i = 0; i < std::min(a.size(), b.size()); ++i) {
    EXPECT_EQ(WithoutTimings(a[i], 1), WithoutTimings(b[i], 1));
  }
  testing::ExpectSameTrainingState(whole, parts);
  return whole;
}

// The shipped mini-ImageNet configs end to end on a fixture in Ravi &
// Larochelle's CSV layout (JPEG images; shrunk: 8×8 images, 2 blocks, 4
// filters, 3 ways, the preset's class counts not checked): training saves
// the class split, eval reads the checkpoint and reports accuracies over
// whole query counts, and a resumed run on 1 thread equals an uninterrupted
// one on 2.
TEST(FewShotTrainer, MiniImageNetConfigsRunOnAColourDataset) {
  const fs::path root = fs::temp_directory_path() / "metarl_fewshot_mini_imagenet";
  testing::MakeColourFixture(root, "csv");
  for (const std::string learner : {"maml", "protonet"}) {
    SCOPED_TRACE(learner);
    const fs::path config = fs::path(METARL_SOURCE_DIR) / ("configs/fewshot/mini-imagenet-5way1shot-" + learner + ".yaml");
    const std::vector<std::string> set = {"task-kwargs.root=" + root.string(), "task-kwargs.image-size=8",
                                          "task-kwargs.check-class-counts=false", "task-kwargs.ways=3",
                                          "task-kwargs.query=2", "task-kwargs.train-query=2",
                                          learner == "protonet" ? "task-kwargs.train-ways=4" : "inner-steps=1",
                                          "net.blocks=2", "net.filters=4", "num-batches=4", "checkpoint-every=2",
                                          "validate-every=2", "validation-episodes=4", "eval-steps=" +
                                          std::string(learner == "maml" ? "2" : "0")};
    const fs::path whole = ExpectPartsEqualWhole(config, "fewshot_mini_" + learner, set);
    EXPECT_EQ(Lines(whole / "split.csv").size(), 11u);  // header + 4 + 3 + 3 classes
    FewShotEvalOptions e;
    e.checkpoint_dir = whole.string();
    e.episodes = 6;
    const auto rows = RunFewShotEval(e);
    ASSERT_FALSE(rows.empty());
    for (const auto& r : rows) ExpectAccuracyOfCounts(r.mean_accuracy, r.ci95_accuracy, 6, 3, 2);
  }
}

// ResNet-12 as the backbone of a metric, a gradient-based and a Reptile
// learner on a colour fixture (16×16 images, 4 channels per block): each
// trains, resumes exactly (the uninterrupted run on 2 threads, the parts on
// 1) and evaluates; a net type that does not exist is named.
TEST(FewShotTrainer, ResNet12IsABackboneForEveryFamily) {
  const fs::path root = fs::temp_directory_path() / "metarl_fewshot_resnet12";
  testing::ColourFixture shape;
  shape.size = 16;
  testing::MakeColourFixture(root, "folders", shape);
  const fs::path config = fs::temp_directory_path() / "metarl_fewshot_resnet12.yaml";
  std::ofstream(config) << "task: image-folder\n"
                           "task-kwargs: {root: " << root.string() << ", ways: 3, shots: 1, query: 2, image-size: 16}\n"
                           "net: {type: resnet12, channels: [4, 4, 4, 4], feature-pool: average}\n"
                           "meta-batch-size: 2\nnum-batches: 4\ncheckpoint-every: 2\n";
  for (const std::string run : {"protonet", "protonet+running", "maml", "reptile"}) {
    SCOPED_TRACE(run);
    const std::string learner = run.substr(0, run.find('+'));
    std::vector<std::string> set = {"learner=" + learner,
                                    std::string("eval-steps=") + (learner == "protonet" ? "0" : "1")};
    if (run != learner) set.push_back("net.batch-norm=running");  // MetaOptNet's and RFS's mode
    // The shortened first part would otherwise anneal Reptile's step over 3 iterations.
    if (learner == "reptile") set.push_back("anneal-outer-lr=false");
    const fs::path whole = ExpectPartsEqualWhole(config, "fewshot_resnet_" + run, set);
    FewShotEvalOptions e;
    e.checkpoint_dir = whole.string();
    e.episodes = 4;
    for (const auto& r : RunFewShotEval(e)) ExpectAccuracyOfCounts(r.mean_accuracy, r.ci95_accuracy, 4, 3, 2);
  }
  const std::string m = testing::InvalidArgumentMessage(
      [&] { RunFewShotTrainCommand(Train(config, FreshDir("fewshot_resnet_bad"), {"learner=protonet", "net.type=resnet18"})); });
  EXPECT_NE(m.find("net.type = 'resnet18'"), std::string::npos) << m;
}

TEST(FewShotTrainer, BitIdenticalForAnyThreadCount) {
  std::vector<std::string> rows[2];
  for (int threads : {1, 2}) {
    const fs::path dir = FreshDir("fewshot_threads" + std::to_string(threads));
    RunFewShotTrainCommand(Train(kSinusoid, dir, {"num-batches=5", "threads=" + std::to_string(threads)}));
    for (const auto& line : Lines(dir / "metrics.csv")) rows[threads - 1].push_back(WithoutTimings(line, 1));
  }
  EXPECT_EQ(rows[0], rows[1]);
  testing::ExpectSameTrainingState(fs::temp_directory_path() / "metarl_trainer_test_fewshot_threads1",
                                   fs::temp_directory_path() / "metarl_trainer_test_fewshot_threads2");
}

TEST(FewShotTrainer, ConvNetRunsAreBitIdenticalForAnyThreadCount) {
  const fs::path root = fs::temp_directory_path() / "metarl_fewshot_threads_omniglot";
  testing::MakeOmniglotFixture(root, 2, 3, 8, 28);
  const fs::path config = fs::temp_directory_path() / "metarl_fewshot_threads_omniglot.yaml";
  std::ofstream(config) << "task: omniglot\n"
                           "task-kwargs: {root: " << root.string() << ", class-pool: rotated, ways: 5, shots: 1, query: 3,\n"
                           "              train-characters: 6, validation-characters: 2}\n"
                           "learner: maml\ninner-lr: [0.4]\nnet: {filters: 16, blocks: 4}\n"
                           "meta-batch-size: 8\nnum-batches: 3\n";
  std::vector<std::string> rows[2];
  for (int threads : {1, 2}) {
    const fs::path dir = FreshDir("fewshot_conv_threads" + std::to_string(threads));
    RunFewShotTrainCommand(Train(config, dir, {"threads=" + std::to_string(threads)}));
    for (const auto& line : Lines(dir / "metrics.csv")) rows[threads - 1].push_back(WithoutTimings(line, 1));
  }
  EXPECT_EQ(rows[0], rows[1]);
  testing::ExpectSameTrainingState(fs::temp_directory_path() / "metarl_trainer_test_fewshot_conv_threads1",
                                   fs::temp_directory_path() / "metarl_trainer_test_fewshot_conv_threads2");
}

// Every image learner at sizes where LibTorch splits work over its threads in
// ways that change the bits (core/threads.h): 20-way episodes, meta-batch 17,
// so the relation and Siamese scores ([T, Q·N] = 17 × 2 000 = 34 000 pairs)
// and LEO's latent codes (17 × 20 × 100 = 34 000 values) are larger than
// LibTorch's grain of 32 768 elements for reductions to one value (their
// one-element parameters' gradients); the conv body's fifth block normalises
// 1×1 maps (the per-thread batch-norm kernel); batched 3×3 convolutions
// (oneDNN's weight gradient). (Siamese networks with OpenBLAS's Haswell
// kernels caught the first batch-norm layout for 1×1 maps here, which the
// unit tests of batch_norm.h did not.) The parameters and optimiser state after two
// iterations on 1, 2 and 3 threads must be the same bits.
TEST(FewShotTrainer, EveryImageLearnerIsBitIdenticalOnOneTwoAndThreeThreadsWhereLibTorchSplitsWork) {
  const fs::path root = fs::temp_directory_path() / "metarl_fewshot_split_omniglot";
  testing::MakeOmniglotFixture(root, 2, 14, 6, 28);
  const std::vector<std::pair<std::string, std::string>> learners = {
      {"maml", "inner-lr: [0.4]\n"},
      {"meta-sgd", ""},
      {"anil", ""},
      {"reptile", ""},
      {"leo", "latent-dim: 100\nhidden-dim: 8\ninner-steps: 1\nfinetune-steps: 1\n"},
      {"protonet", ""},
      {"matching", ""},
      {"relation", "relation-filters: 4\n"},
      {"siamese", ""},
      // One query per class: each query is embedded in its own batch with
      // the support set (21 images), so five would cost 20 s a run.
      {"recurrent", "hidden-size: 8\n"}};
  for (const auto& [learner, keys] : learners) {
    SCOPED_TRACE(learner);
    const fs::path config = fs::temp_directory_path() / ("metarl_fewshot_split_" + learner + ".yaml");
    const int query = learner == "recurrent" ? 1 : 5;
    std::ofstream(config) << "task: omniglot\n"
                             "task-kwargs: {root: " << root.string() << ", class-pool: rotated, ways: 20, shots: 1, query: "
                          << query << ",\n"
                             "              train-characters: 22, validation-characters: 6}\n"
                             "learner: " << learner << "\n" << keys
                          << "net: {filters: 4, blocks: 5, pooling-blocks: 4}\n"
                             "meta-batch-size: 17\nnum-batches: 2\neval-steps: 0\n";
    std::vector<fs::path> dirs;
    for (int threads : {1, 2, 3}) {
      dirs.push_back(FreshDir("fewshot_split_" + learner + std::to_string(threads)));
      RunFewShotTrainCommand(Train(config, dirs.back(), {"threads=" + std::to_string(threads)}));
    }
    testing::ExpectSameTrainingState(dirs[0], dirs[1]);
    testing::ExpectSameTrainingState(dirs[0], dirs[2]);
  }
}

TEST(FewShotTrainer, BadConfigsAreNamedBeforeAnyWork) {
  const fs::path dir = FreshDir("fewshot_bad");
  auto message = [&](const std::vector<std::string>& set) {
    return testing::InvalidArgumentMessage([&] { RunFewShotTrainCommand(Train(kSinusoid, dir, set)); });
  };
  EXPECT_NE(message({"learner=mamal"}).find("learner = 'mamal'"), std::string::npos);
  EXPECT_NE(message({"outer-lr=0.5"}).find("outer-lr"), std::string::npos);  // a Reptile key on MAML
  EXPECT_NE(message({"inner-steps=0"}).find("inner-steps"), std::string::npos);
  EXPECT_NE(message({"inner-lr=[]"}).find("inner-lr"), std::string::npos);
  EXPECT_NE(message({"task=omniglut"}).find("omniglut"), std::string::npos);
  EXPECT_NE(message({"task-kwargs.shots=-1"}).find("shots"), std::string::npos);
  EXPECT_NE(message({"meta-batch-size=0"}).find("meta-batch-size"), std::string::npos);
  EXPECT_NE(message({"net.hidden-sizes=[40, 0]"}).find("hidden-sizes"), std::string::npos);
  EXPECT_FALSE(fs::exists(dir / "metrics.csv"));
}

// The image path end to end on a fixture in the Omniglot layout: the conv
// net trains, the run saves its class split, eval reports accuracies, and a
// dataset that changed since training is refused.
TEST(FewShotTrainer, OmniglotRunSavesItsSplitAndEvalReportsAccuracy) {
  const fs::path root = fs::temp_directory_path() / "metarl_fewshot_omniglot";
  testing::MakeOmniglotFixture(root, 2, 3, 8, 8);
  const fs::path dir = FreshDir("fewshot_omniglot");
  const fs::path config = dir.parent_path() / "metarl_fewshot_omniglot.yaml";
  std::ofstream(config) << "task: omniglot\n"
                           "task-kwargs: {root: " << root.string() << ", class-pool: rotated, ways: 3, shots: 1, query: 2, image-size: 8,\n"
                           "              train-characters: 6, validation-characters: 2}\n"
                           "learner: maml\ninner-lr: [0.4]\nnet: {filters: 4, blocks: 2}\n"
                           "meta-batch-size: 4\nnum-batches: 3\ncheckpoint-every: 3\neval-steps: 2\n"
                           "validate-every: 2\nvalidation-episodes: 5\n";
  const auto run = RunFewShotTrainCommand(Train(config, dir));
  ASSERT_EQ(run.size(), 3u);
  // Meta-validation after iteration 2 only: its columns are filled there.
  EXPECT_FALSE(run[0].validated);
  ASSERT_TRUE(run[1].validated);
  // 5 validation episodes of 3 ways × 2 queries: a count over 30.
  EXPECT_NEAR(run[1].validation_accuracy * 30, std::round(run[1].validation_accuracy * 30), 1e-6);
  const auto metrics = Lines(dir / "metrics.csv");
  ASSERT_EQ(metrics.size(), 4u);
  EXPECT_EQ(metrics[0], "iteration,support_loss,query_loss,query_accuracy,validation_loss,validation_accuracy,seconds");
  EXPECT_NE(metrics[1].find(",,,"), std::string::npos) << metrics[1];
  EXPECT_EQ(metrics[2].find(",,,"), std::string::npos) << metrics[2];
  // 4 tasks of 3 ways × 2 queries: a count over 24.
  EXPECT_NEAR(run.back().stats.query_accuracy * 24, std::round(run.back().stats.query_accuracy * 24), 1e-6);
  const auto split = Lines(dir / "split.csv");
  ASSERT_EQ(split.size(), 13u);  // header + 12 characters
  EXPECT_EQ(split[0], "split,character");

  FewShotEvalOptions e;
  e.checkpoint_dir = dir.string();
  e.episodes = 10;
  const auto rows = RunFewShotEval(e);
  ASSERT_EQ(rows.size(), 3u);
  for (const auto& r : rows) {
    ExpectAccuracyOfCounts(r.mean_accuracy, r.ci95_accuracy, 10, 3, 2);
    EXPECT_EQ(r.diverged, 0);
  }

  testing::MakeOmniglotFixture(root, 2, 4, 8, 8);  // other characters: another split
  const std::string message = testing::InvalidArgumentMessage([&] { RunFewShotEval(e); });
  EXPECT_NE(message.find("split.csv"), std::string::npos) << message;
  EXPECT_NE(message.find("changed"), std::string::npos) << message;
}

}  // namespace
}  // namespace metarl::runners
