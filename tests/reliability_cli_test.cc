// What happens to long runs, end to end through the `metarl` executable:
// a signal stops training after the current iteration with a checkpoint and
// the run resumes exactly; `kill -9` at random moments never costs more than
// the iterations since the last checkpoint; and a corpus of bad inputs (hand
// written and randomly mutated configs) always gets exit code 2 and a
// message, never a crash.

#include <gtest/gtest.h>

#include <algorithm>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <iterator>
#include <random>
#include <regex>
#include <sstream>
#include <string>
#include <vector>

#include "cli_util.h"

namespace {

using namespace metarl::testing;
namespace fs = std::filesystem;

std::string ReadAll(const fs::path& file) {
  std::ifstream in(file, std::ios::binary);
  return std::string(std::istreambuf_iterator<char>(in), {});
}

// metrics.csv rows without the last `timings` columns.
std::vector<std::string> Rows(const fs::path& file, int timings) {
  std::ifstream in(file);
  std::vector<std::string> rows;
  for (std::string line; std::getline(in, line);) {
    for (int i = 0; i < timings && line.rfind(',') != std::string::npos; ++i) line.erase(line.rfind(','));
    rows.push_back(line);
  }
  return rows;
}

// MAML-TRPO on 2D navigation, small enough for dozens of iterations a second.
std::string SmallMamlConfig() {
  return "env: Navigation2D\n"
         "env-kwargs: {horizon: 20}\n"
         "policy: {hidden-sizes: [8], nonlinearity: tanh}\n"
         "meta-batch-size: 4\n"
         "fast-batch-size: 4\n"
         "threads: 1\n"
         "seed: 5\n";
}

// Starts `command` (a command line) in the background, waits until
// metrics.csv in `run` has `rows` lines (header included), sends `signal`,
// and returns the output, ending with "exit=<the command's exit code>". The
// whole line is bounded by `timeout`.
Result SignalAfterRows(const std::string& command, const fs::path& run, int rows, const std::string& signal) {
  const std::string metrics = (run / "metrics.csv").string();
  return RunShell("timeout 120 sh -c '" + command + " & p=$!; " + "i=0; while [ \"$(cat " + metrics +
                  " 2>/dev/null | wc -l)\" -lt " + std::to_string(rows) +
                  " ] && kill -0 $p 2>/dev/null && [ $i -lt 1200 ]; do sleep 0.05; i=$((i+1)); done; kill -" +
                  signal + " $p; wait $p; echo exit=$?'");
}

int ExitCodeOf(const Result& r) {
  const std::size_t at = r.output.rfind("exit=");
  return at == std::string::npos ? -1 : std::stoi(r.output.substr(at + 5));
}

// Trains `config` in one uninterrupted process into `straight` (with the
// `--set` overrides `sets`) and expects `run` to hold the same metrics
// (without timings) and the same checkpoint bytes.
void ExpectSameAsAStraightRun(const std::string& config, const std::string& sets, const fs::path& run,
                              const fs::path& straight) {
  const Result r = RunCli("train -q --config " + config + " --output " + straight.string() + sets);
  ASSERT_EQ(r.code, 0) << r.output;
  EXPECT_EQ(Rows(run / "metrics.csv", 8), Rows(straight / "metrics.csv", 8));
  EXPECT_EQ(ReadAll(run / "checkpoint.pt"), ReadAll(straight / "checkpoint.pt"));
}

TEST(Reliability, SigintStopsAfterTheIterationWithACheckpointAndTheRunResumesExactly) {
  const auto dir = TempDir("sigint");
  const std::string config = WriteFile(dir / "c.yaml", SmallMamlConfig() + "checkpoint-every: 1000\n");
  const fs::path run = dir / "run";
  const Result r = SignalAfterRows(std::string(METARL_CLI_PATH) + " train --config " + config + " --output " +
                                       run.string() + " --set num-batches=100000",
                                   run, 4, "INT");
  ASSERT_EQ(ExitCodeOf(r), 130) << r.output;  // 128 + SIGINT
  EXPECT_NE(r.output.find("interrupted by SIGINT after iteration "), std::string::npos) << r.output;
  EXPECT_NE(r.output.find("continue with --resume --output " + run.string()), std::string::npos) << r.output;
  // The checkpoint holds exactly the iterations metrics.csv lists (the
  // periodic one would have come only after 1000).
  const std::vector<std::string> rows = Rows(run / "metrics.csv", 8);
  ASSERT_GE(rows.size(), 4u);
  const int done = static_cast<int>(rows.size()) - 1;
  EXPECT_NE(r.output.find("holds iteration " + std::to_string(done)), std::string::npos) << r.output;
  EXPECT_FALSE(fs::exists(run / "checkpoint.pt.tmp"));

  // Resumed for two more iterations: the same as an uninterrupted run.
  const std::string more = " --set num-batches=" + std::to_string(done + 2);
  const Result resumed = RunCli("train -q --resume --output " + run.string() + more);
  ASSERT_EQ(resumed.code, 0) << resumed.output;
  ExpectSameAsAStraightRun(config, more, run, dir / "straight");
}

TEST(Reliability, SigtermAndSigusr1StopFewShotAndRl2TrainingTheSameWay) {
  const auto dir = TempDir("sigterm");
  const std::string fewshot = std::string(METARL_SOURCE_DIR) + "/configs/fewshot/sinusoid-maml.yaml";
  const Result a = SignalAfterRows(
      std::string(METARL_CLI_PATH) + " fewshot train -q --config " + fewshot + " --output " +
          (dir / "fs").string() + " --set num-batches=1000000 --set checkpoint-every=1000000 --set threads=1",
      dir / "fs", 3, "TERM");
  ASSERT_EQ(ExitCodeOf(a), 143) << a.output;  // 128 + SIGTERM
  EXPECT_NE(a.output.find("interrupted by SIGTERM"), std::string::npos) << a.output;
  const Result eval =
      RunCli("fewshot eval --checkpoint " + (dir / "fs").string() + " --episodes 5 --steps 1");
  EXPECT_EQ(eval.code, 0) << eval.output;

  const std::string rl2 = std::string(METARL_SOURCE_DIR) + "/configs/rl2/2d-navigation.yaml";
  const Result b = SignalAfterRows(
      std::string(METARL_CLI_PATH) + " train -q --config " + rl2 + " --output " + (dir / "rl2").string() +
          " --set num-batches=100000 --set checkpoint-every=100000 --set threads=1"
          " --set meta-batch-size=4 --set num-minibatches=2 --set env-kwargs.horizon=10",
      dir / "rl2", 3, "USR1");
  ASSERT_EQ(ExitCodeOf(b), 128 + 10) << b.output;  // SIGUSR1 is 10 on Linux
  EXPECT_NE(b.output.find("interrupted by SIGUSR1"), std::string::npos) << b.output;
  const Result resumed =
      RunCli("train -q --resume --output " + (dir / "rl2").string() +
             " --set num-batches=" + std::to_string(Rows(dir / "rl2" / "metrics.csv", 0).size() + 1));
  EXPECT_EQ(resumed.code, 0) << resumed.output;
}

// mpirun forwards SIGUSR1 to every rank: all stop after the same iteration,
// rank 0 writes the checkpoint, and the job resumes (on 2 ranks) exactly.
TEST(Reliability, Sigusr1ToMpirunStopsEveryRankAfterTheSameIteration) {
#ifndef METARL_MPIEXEC
  GTEST_SKIP() << "built without MPI (CMake METARL_MPI; libopenmpi-dev not found)";
#else
  const auto dir = TempDir("mpi_usr1");
  const std::string config =
      WriteFile(dir / "c.yaml", SmallMamlConfig() + "checkpoint-every: 1000\ntasks-per-chunk: 1\n");
  const fs::path run = dir / "run";
  const Result r = SignalAfterRows(Mpirun(2, /*bounded=*/false) + "train -q --config " + config +
                                       " --output " + run.string() + " --set num-batches=100000",
                                   run, 3, "USR1");
  EXPECT_EQ(ExitCodeOf(r), 128 + 10) << r.output;
  EXPECT_NE(r.output.find("interrupted by SIGUSR1 after iteration "), std::string::npos) << r.output;
  const int done = static_cast<int>(Rows(run / "metrics.csv", 8).size()) - 1;
  ASSERT_GE(done, 2);
  const std::string more = " --set num-batches=" + std::to_string(done + 1);
  const Result resumed = RunShell(Mpirun(2) + "train -q --resume --output " + run.string() + more);
  ASSERT_EQ(resumed.code, 0) << resumed.output;
  ExpectSameAsAStraightRun(config, more, run, dir / "straight");
#endif
}

// kill -9 at seeded random moments (during iterations, metric writes and
// checkpoint writes: one checkpoint per iteration), resuming each time: the
// finished run equals an uninterrupted one, metrics and checkpoint bytes.
TEST(Reliability, KillNineAtRandomMomentsLosesOnlyUncheckpointedIterations) {
  const auto dir = TempDir("kill9");
  const std::string config =
      WriteFile(dir / "c.yaml", SmallMamlConfig() + "checkpoint-every: 1\nnum-batches: 40\n");
  const fs::path run = dir / "run";
  std::mt19937 rng(11);
  std::uniform_int_distribution<int> delay_ms(300, 1500);
  int killed = 0;
  for (int attempt = 0; attempt < 6; ++attempt) {
    const bool resume = fs::exists(run / "checkpoint.pt");
    const std::string args =
        "train -q --output " + run.string() + (resume ? " --resume" : " --config " + config);
    const int ms = delay_ms(rng);
    const Result r = RunShell("timeout 120 sh -c '" + std::string(METARL_CLI_PATH) + " " + args +
                              " & p=$!; sleep " + std::to_string(ms / 1000.0) +
                              "; kill -9 $p 2>/dev/null; wait $p; "
                              "echo exit=$?'");
    const int code = ExitCodeOf(r);
    ASSERT_TRUE(code == 137 || code == 0) << r.output;  // killed, or finished first
    if (code == 0) break;
    ++killed;
  }
  EXPECT_GE(killed, 3) << "the run finished before most kills; raise num-batches";
  const Result finish = RunCli("train -q --output " + run.string() +
                               (fs::exists(run / "checkpoint.pt") ? " --resume" : " --config " + config));
  ASSERT_EQ(finish.code, 0) << finish.output;
  ExpectSameAsAStraightRun(config, "", run, dir / "straight");
}

// A step that produces NaN stops training where it arises, naming the
// iteration and the quantity, with exit code 1; the last checkpoint stays
// usable.
TEST(Reliability, ANumericalFaultStopsTrainingWithItsIterationAndKeepsTheLastCheckpoint) {
  const auto dir = TempDir("nan");
  const std::string sinusoid = std::string(METARL_SOURCE_DIR) + "/configs/fewshot/sinusoid-maml.yaml";
  const Result r =
      RunCli("fewshot train -q --config " + sinusoid + " --output " + (dir / "fs").string() +
             " --set meta-lr=1e30 --set checkpoint-every=1 --set num-batches=50 --set threads=1");
  EXPECT_EQ(r.code, 1) << r.output;
  EXPECT_NE(r.output.find("failed: maml: non-finite meta-loss or meta-gradient"), std::string::npos)
      << r.output;
  EXPECT_NE(r.output.find(") is intact"), std::string::npos) << r.output;
  const std::size_t at = r.output.find("iteration ");
  ASSERT_NE(at, std::string::npos) << r.output;
  const int failed = std::stoi(r.output.substr(at + 10));
  EXPECT_EQ(static_cast<int>(Rows(dir / "fs" / "metrics.csv", 0).size()), failed)
      << "header + the iterations before";
  const Result eval =
      RunCli("fewshot eval --checkpoint " + (dir / "fs").string() + " --episodes 5 --steps 1");
  EXPECT_EQ(eval.code, 0) << eval.output;

  const std::string navigation = std::string(METARL_SOURCE_DIR) + "/configs/maml/2d-navigation.yaml";
  const Result maml = RunCli("train -q --config " + navigation + " --output " + (dir / "maml").string() +
                             " --set fast-lr=1e30 --set num-batches=3 --set threads=1");
  EXPECT_EQ(maml.code, 1) << maml.output;
  EXPECT_NE(maml.output.find("iteration 1 failed: the policy produced a non-finite action"),
            std::string::npos)
      << maml.output;
  EXPECT_NE(maml.output.find("no checkpoint was written yet"), std::string::npos) << maml.output;
}

// Physics that diverges (a cheetah whose motors are 25 to 300 times too strong:
// about half of a random policy's episodes blow up within 10-20 steps) is not
// a failure of the run: the episodes it ends are counted in metrics.csv and
// flagged on the progress line, for the MAML family and RL².
TEST(Reliability, UnstablePhysicsIsCountedInTheMetricsAndFlagged) {
  const auto dir = TempDir("unstable");
  const std::string shipped = ReadAll(std::string(METARL_SOURCE_DIR) + "/envs/assets/half_cheetah.xml");
  auto cheetah = [&](const std::string& gear) {  // --set arguments: HalfCheetahVel with every motor's gear = `gear`
    const std::string xml = std::regex_replace(shipped, std::regex("gear=\"[0-9.]+\""), "gear=\"" + gear + "\"");
    return " --set env=HalfCheetahVel --set env-kwargs.model-file=" + WriteFile(dir / ("cheetah" + gear + ".xml"), xml);
  };
  const std::string config = WriteFile(dir / "c.yaml", SmallMamlConfig());
  // The column of `name` in the header of `metrics`, summed over the rows.
  auto column_sum = [](const fs::path& metrics, const std::string& name) {
    std::ifstream in(metrics);
    std::string line;
    std::getline(in, line);
    const std::string before = line.substr(0, line.find("," + name + ","));
    const long index = std::count(before.begin(), before.end(), ',') + 1;
    long sum = 0;
    while (std::getline(in, line)) {
      std::istringstream cells(line);
      std::string cell;
      for (long i = 0; i <= index; ++i) std::getline(cells, cell, ',');
      sum += std::stol(cell);
    }
    return sum;
  };

  const Result maml = RunCli("train --config " + config + " --output " + (dir / "maml").string() + cheetah("3000") +
                             " --set num-batches=1");
  ASSERT_EQ(maml.code, 0) << maml.output;
  EXPECT_NE(maml.output.find("episode(s) ended by unstable physics"), std::string::npos) << maml.output;
  ASSERT_NE(ReadAll(dir / "maml" / "metrics.csv").find(",unstable_episodes,"), std::string::npos);
  EXPECT_GT(column_sum(dir / "maml" / "metrics.csv", "unstable_episodes"), 0);

  const std::string rl2 = std::string(METARL_SOURCE_DIR) + "/configs/rl2/halfcheetah-vel.yaml";
  const Result trials = RunCli("train --config " + rl2 + " --output " + (dir / "rl2").string() + cheetah("1e4") +
                               " --set num-batches=1 --set threads=1 --set meta-batch-size=4"
                               " --set num-minibatches=1 --set env-kwargs.horizon=10");
  ASSERT_EQ(trials.code, 0) << trials.output;
  EXPECT_NE(trials.output.find("episode(s) ended by unstable physics"), std::string::npos) << trials.output;
  EXPECT_GT(column_sum(dir / "rl2" / "metrics.csv", "unstable_episodes"), 0);

  // The same runs on the shipped model: no warning, a column of zeros.
  const Result sane = RunCli("train --config " + config + " --output " + (dir / "sane").string() +
                             " --set env=HalfCheetahVel --set num-batches=1");
  ASSERT_EQ(sane.code, 0) << sane.output;
  EXPECT_EQ(sane.output.find("WARNING"), std::string::npos) << sane.output;
  EXPECT_EQ(column_sum(dir / "sane" / "metrics.csv", "unstable_episodes"), 0);
}

struct BadInput {
  std::string what;      // the case, for failure messages
  std::string args;      // metarl arguments
  std::string expected;  // a part of the message
};

TEST(Reliability, EveryBadInputOfTheCorpusExitsTwoWithItsName) {
  const auto dir = TempDir("corpus");
  const std::string small = WriteFile(dir / "small.yaml", SmallMamlConfig());
  const std::string sinusoid = std::string(METARL_SOURCE_DIR) + "/configs/fewshot/sinusoid-maml.yaml";
  const std::string omniglot =
      std::string(METARL_SOURCE_DIR) + "/configs/fewshot/omniglot-5way1shot-protonet.yaml";
  // A folder where a file is expected, a model file that is not MJCF, a
  // dataset folder of the wrong layout, a run whose checkpoint was cut short.
  fs::create_directories(dir / "a-folder.yaml");
  const std::string bad_xml =
      WriteFile(dir / "ant.xml", "<mujoco><worldbody><body name='torso'><geom type='sphere'");
  const std::string not_xml = WriteFile(dir / "cheetah.xml", "this is not a model\n");
  fs::create_directories(dir / "omniglot" / "images_background" / "Alphabet_of_nothing");
  WriteFile(dir / "omniglot" / "images_background" / "Alphabet_of_nothing" / "stray.txt", "not an image\n");
  fs::create_directories(dir / "empty-dataset");
  const Result trained =
      RunCli("train -q --config " + small + " --output " + (dir / "cut").string() + " --set num-batches=2");
  ASSERT_EQ(trained.code, 0) << trained.output;
  fs::copy(dir / "cut", dir / "other-policy", fs::copy_options::recursive);
  const std::string bytes = ReadAll(dir / "cut" / "checkpoint.pt");
  std::ofstream(dir / "cut" / "checkpoint.pt", std::ios::binary | std::ios::trunc)
      << bytes.substr(0, bytes.size() / 3);

  const std::string out = " --output " + (dir / "out").string();
  const std::vector<BadInput> corpus = {
      {"malformed YAML",
       "train --config " + WriteFile(dir / "m1.yaml", "env: Navigation2D\npolicy: {hidden-sizes: [8\n") + out,
       "not valid YAML"},
      {"tab-indented YAML",
       "train --config " + WriteFile(dir / "m2.yaml", "env: Navigation2D\npolicy:\n\thidden-sizes: [8]\n") +
           out,
       "m2.yaml"},
      {"a list where a map belongs",
       "train --config " + WriteFile(dir / "m3.yaml", "- env\n- Navigation2D\n") + out, "m3.yaml"},
      {"unknown key", "train --config " + small + out + " --set meta-bach-size=4", "meta-bach-size"},
      {"unknown nested key", "train --config " + small + out + " --set policy.hidden-size=8", "hidden-size"},
      {"wrong type", "train --config " + small + out + " --set fast-lr=fast", "fast-lr"},
      {"list for a number", "train --config " + small + out + " --set gamma=[0.9]", "gamma"},
      {"number for a list", "train --config " + small + out + " --set policy.hidden-sizes=8", "hidden-sizes"},
      {"out of range", "train --config " + small + out + " --set gamma=-0.5", "gamma"},
      {"NaN value", "train --config " + small + out + " --set fast-lr=.nan", "fast-lr"},
      {"huge integer", "train --config " + small + out + " --set num-batches=99999999999999999999",
       "num-batches"},
      {"missing config file", "train --config " + (dir / "nope.yaml").string() + out, "nope.yaml"},
      {"config is a folder", "train --config " + (dir / "a-folder.yaml").string() + out, "a-folder.yaml"},
      {"malformed --set", "train --config " + small + out + " --set gamma", "--set"},
      {"resume without a checkpoint", "train --resume --output " + (dir / "empty-dataset").string(),
       "config.yaml"},
      {"truncated checkpoint: resume", "train --resume --output " + (dir / "cut").string(), "cannot be read"},
      {"checkpoint of another policy",
       "train --resume --output " + (dir / "other-policy").string() +
           " --set policy.hidden-sizes=[16] --set num-batches=3",
       "cannot resume from '" + (dir / "other-policy").string()},
      {"truncated checkpoint: eval", "eval --checkpoint " + (dir / "cut").string(), "cannot be read"},
      {"MJCF that does not parse",
       "train --config " + small + out + " --set env=AntVel --set env-kwargs.model-file=" + bad_xml,
       "ant.xml"},
      {"MJCF that is not XML",
       "train --config " + small + out + " --set env=HalfCheetahVel --set env-kwargs.model-file=" + not_xml,
       "cheetah.xml"},
      {"empty dataset folder",
       "fewshot train --config " + omniglot + out +
           " --set task-kwargs.root=" + (dir / "empty-dataset").string(),
       "empty-dataset"},
      {"dataset of the wrong layout",
       "fewshot train --config " + omniglot + out + " --set task-kwargs.root=" + (dir / "omniglot").string(),
       "omniglot"},
      {"few-shot key out of range", "fewshot train --config " + sinusoid + out + " --set meta-batch-size=0",
       "meta-batch-size"},
      {"few-shot config given to train", "train --config " + sinusoid + out, "fewshot train"},
      {"unknown command", "tarin", "tarin"},
      {"unknown option", "train --config " + small + out + " --iterations 3", "iterations"},
  };
  for (const BadInput& c : corpus) {
    const Result r = RunCli(c.args);
    EXPECT_EQ(r.code, 2) << c.what << ": metarl " << c.args << "\n" << r.output;
    EXPECT_NE(r.output.find(c.expected), std::string::npos)
        << c.what << ": expected '" << c.expected << "' in\n"
        << r.output;
    EXPECT_EQ(r.output.find("internal check failed"), std::string::npos) << c.what << "\n" << r.output;
  }
  EXPECT_FALSE(fs::exists(dir / "out" / "checkpoint.pt")) << "no bad input got as far as training";
}

// Seeded random mutations of shipped configs, checked with `--dry-run`
// (every key, the env, the policy and the dataset are set up, nothing is
// trained or written): each either passes (exit 0) or is refused with exit 2
// and an error line; no crash, no exit 1, no hang.
TEST(Reliability, RandomlyMutatedConfigsAreAcceptedOrRefusedNeverCrash) {
  const auto dir = TempDir("mutations");
  const std::vector<std::string> sources = {
      "configs/maml/2d-navigation.yaml", "configs/maml/halfcheetah-vel.yaml",
      "configs/rl2/2d-navigation.yaml", "configs/fewshot/sinusoid-leo.yaml"};
  const std::vector<std::string> tokens = {
      "-1",  "0", "1e400", ".nan", "-.inf", "abc", "[1, 2]", "{a: 1}", "", "true", "99999999999999999999",
      "0.5", "~", "\"\"",  "[",    "}"};
  std::mt19937 rng(2026);
  int accepted = 0, refused = 0;
  for (const std::string& source : sources) {
    const std::string text = ReadAll(fs::path(METARL_SOURCE_DIR) / source);
    std::vector<std::string> lines;
    std::istringstream in(text);
    for (std::string line; std::getline(in, line);) lines.push_back(line);
    std::vector<std::size_t> keys;  // mutations hit key lines, not comments
    for (std::size_t i = 0; i < lines.size(); ++i) {
      if (lines[i].find(':') != std::string::npos && lines[i].rfind('#', 0) != 0) keys.push_back(i);
    }
    for (int m = 0; m < 12; ++m) {
      std::vector<std::string> mutated = lines;
      std::string body;
      const std::size_t row = keys[rng() % keys.size()];
      switch (rng() % 5) {
        case 0: {  // a value replaced by a token
          const std::size_t colon = mutated[row].find(':');
          if (colon != std::string::npos)
            mutated[row] = mutated[row].substr(0, colon + 1) + " " + tokens[rng() % tokens.size()];
          break;
        }
        case 1:
          mutated.erase(mutated.begin() + static_cast<long>(row));
          break;  // a line dropped
        case 2:
          mutated.insert(mutated.begin() + static_cast<long>(row), mutated[row]);
          break;   // a key twice
        case 3: {  // a character changed
          if (!mutated[row].empty()) mutated[row][rng() % mutated[row].size()] = "x:-[{ 9#\t"[rng() % 9];
          break;
        }
        default:
          break;  // cut below
      }
      for (const auto& line : mutated) body += line + "\n";
      if (rng() % 5 == 0) body = body.substr(0, rng() % (body.size() + 1));  // the file cut short
      const std::string file = WriteFile(dir / ("m" + std::to_string(m) + ".yaml"), body);
      const bool fewshot = source.find("fewshot") != std::string::npos;
      const Result r = RunShell("timeout 60 " + std::string(METARL_CLI_PATH) + (fewshot ? " fewshot" : "") +
                                " train --dry-run --config " + file + " --output " + (dir / "out").string());
      const std::string context = source + " mutation " + std::to_string(m) + ":\n" + body + "\n" + r.output;
      ASSERT_TRUE(r.code == 0 || r.code == 2) << "exit " << r.code << ", " << context;
      if (r.code == 0) {
        ++accepted;
        EXPECT_NE(r.output.find("config OK"), std::string::npos) << context;
      } else {
        ++refused;
        EXPECT_NE(r.output.find("error: "), std::string::npos) << context;
      }
    }
  }
  EXPECT_FALSE(fs::exists(dir / "out")) << "a dry run writes nothing";
  EXPECT_GT(refused, 12);  // the mutations do hit
  EXPECT_GT(accepted, 0);  // and not everything is refused
}

}  // namespace
