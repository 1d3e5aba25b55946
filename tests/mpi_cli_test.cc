// Distributed meta-training: `mpirun -np 2 metarl train` against the same
// run in one process, and a failure on one rank stopping the job. Skipped
// (with the reason) in builds without MPI.

#include <unistd.h>

#include <cmath>
#include <cstdlib>
#include <filesystem>
#include <sstream>
#include <fstream>
#include <iterator>
#include <string>
#include <vector>

#include <gtest/gtest.h>

#include "cli_util.h"

namespace {

using namespace metarl::testing;

// metrics.csv rows without the timing columns (the last eight).
std::vector<std::string> MetricsWithoutTimings(const std::filesystem::path& file) {
  std::ifstream in(file);
  std::vector<std::string> rows;
  for (std::string line; std::getline(in, line);) {
    for (int i = 0; i < 8 && line.rfind(',') != std::string::npos; ++i) line.erase(line.rfind(','));
    rows.push_back(line);
  }
  return rows;
}

std::string FileBytes(const std::filesystem::path& file) {
  std::ifstream in(file, std::ios::binary);
  return std::string(std::istreambuf_iterator<char>(in), {});
}

// 2D navigation, 6 tasks in chunks of 1 (rank 0 takes tasks 0-2, rank 1 tasks 3-5).
std::string NavigationConfig(const std::string& algorithm_keys) {
  return "env: Navigation2D\n"
         "env-kwargs: {horizon: 20}\n"
         "policy: {hidden-sizes: [8], nonlinearity: tanh}\n"
         "meta-batch-size: 6\n"
         "fast-batch-size: 4\n"
         "tasks-per-chunk: 1\n"
         "num-batches: 3\n"
         "checkpoint-every: 1\n"
         "threads: 1\n"
         "seed: 3\n" +
         algorithm_keys;
}

TEST(Mpi, TwoRanksTakeExactlyTheStepsOfOneProcess) {
#ifndef METARL_MPIEXEC
  GTEST_SKIP() << "built without MPI (CMake METARL_MPI; libopenmpi-dev not found)";
#else
  const auto dir = TempDir("mpi_equal");
  // E-MAML-TRPO (gathered returns for the exploration credit, CG and line
  // search over chunks) and ProMP (Adam epochs, inner KLs), two inner steps.
  // And MAML-TRPO on falling ants: step-budget batches whose episode counts
  // differ between the ranks' tasks (runners/vector_runner.h).
  std::string ant = NavigationConfig("algorithm: maml-trpo\n");
  ant.replace(ant.find("env: Navigation2D"), 17, "env: AntVel");
  ant.replace(ant.find("{horizon: 20}"), 13, "{horizon: 30}");
  const std::vector<std::pair<std::string, std::string>> runs = {
      {"emaml-trpo", NavigationConfig("algorithm: maml-trpo\nexploration: true\nnum-steps: 2\n")},
      {"promp", NavigationConfig("algorithm: promp\nnum-steps: 1\n")},
      {"ant-steps", ant}};
  for (const auto& [name, text] : runs) {
    const std::string config = WriteFile(dir / (name + ".yaml"), text);
    const Result one = RunCli("train -q --config " + config + " --output " + (dir / (name + "-1")).string());
    ASSERT_EQ(one.code, 0) << one.output;
    const Result two = RunShell(Mpirun(2) + "train -q --config " + config + " --output " +
                                (dir / (name + "-2")).string());
    ASSERT_EQ(two.code, 0) << two.output;
    const auto rows_one = MetricsWithoutTimings(dir / (name + "-1") / "metrics.csv");
    ASSERT_EQ(rows_one.size(), 4u) << name;  // header + 3 iterations
    EXPECT_EQ(MetricsWithoutTimings(dir / (name + "-2") / "metrics.csv"), rows_one) << name;
    // The parameters and optimiser state after 3 iterations: the same bytes.
    EXPECT_EQ(FileBytes(dir / (name + "-2") / "checkpoint.pt"), FileBytes(dir / (name + "-1") / "checkpoint.pt"))
        << name;
  }
  // Resumed on 2 ranks from the 1-process checkpoint after 3 iterations, for
  // 2 more: the same as 5 iterations in one process.
  const std::string config = dir / "emaml-trpo.yaml";
  std::filesystem::copy(dir / "emaml-trpo-1", dir / "resumed", std::filesystem::copy_options::recursive);
  const Result resumed = RunShell(Mpirun(2) + "train -q --resume --output " + (dir / "resumed").string() +
                                  " --set num-batches=5");
  ASSERT_EQ(resumed.code, 0) << resumed.output;
  const Result five = RunCli("train -q --config " + config + " --output " + (dir / "five").string() +
                             " --set num-batches=5");
  ASSERT_EQ(five.code, 0) << five.output;
  EXPECT_EQ(MetricsWithoutTimings(dir / "resumed" / "metrics.csv"), MetricsWithoutTimings(dir / "five" / "metrics.csv"));
  EXPECT_EQ(FileBytes(dir / "resumed" / "checkpoint.pt"), FileBytes(dir / "five" / "checkpoint.pt"));
#endif
}

TEST(Mpi, AFailureOnOneRankStopsTheJobWithItsMessage) {
#ifndef METARL_MPIEXEC
  GTEST_SKIP() << "built without MPI (CMake METARL_MPI; libopenmpi-dev not found)";
#else
  const auto dir = TempDir("mpi_fail");
  const std::string config = WriteFile(dir / "c.yaml", NavigationConfig("algorithm: maml-trpo\n"));
  // Only rank 0 writes metrics.csv: a folder in its place fails rank 0 alone,
  // while rank 1 is already waiting for it in the first iteration.
  std::filesystem::create_directories(dir / "run" / "metrics.csv");
  const Result r = RunShell(Mpirun(2) + "train -q --config " + config + " --output " + (dir / "run").string());
  EXPECT_EQ(r.code, 2) << r.output;  // not 124: timeout's code for a hang
  EXPECT_NE(r.output.find("rank 0 of 2: error: cannot write"), std::string::npos) << r.output;
  EXPECT_NE(r.output.find("stopping all 2 MPI ranks"), std::string::npos) << r.output;

  // Bad input before any work, named, exit code 2.
  const Result chunks = RunShell(Mpirun(2) + "train -q --config " + config + " --output " + (dir / "b").string() +
                                 " --set tasks-per-chunk=6");
  EXPECT_EQ(chunks.code, 2) << chunks.output;
  EXPECT_NE(chunks.output.find("tasks-per-chunk = 6 makes 1 task chunk(s), fewer than the job's 2 MPI ranks"),
            std::string::npos)
      << chunks.output;
  const Result eval = RunShell(Mpirun(2) + "envs");
  EXPECT_EQ(eval.code, 2) << eval.output;
  EXPECT_NE(eval.output.find("only `metarl train` (the MAML family and RL²) and `metarl fewshot train` run distributed"),
            std::string::npos)
      << eval.output;
#endif
}

// The numbers of a CSV file's rows (cells that do not parse are skipped).
std::vector<std::vector<double>> Numbers(const std::filesystem::path& file, int drop_last_columns) {
  std::ifstream in(file);
  std::vector<std::vector<double>> rows;
  std::string line;
  std::getline(in, line);  // header
  while (std::getline(in, line)) {
    std::vector<double> row;
    std::stringstream cells(line);
    for (std::string cell; std::getline(cells, cell, ',');) {
      char* end = nullptr;
      const double v = std::strtod(cell.c_str(), &end);
      row.push_back(end != cell.c_str() ? v : std::nan(""));
    }
    row.resize(row.size() - static_cast<std::size_t>(drop_last_columns));
    rows.push_back(row);
  }
  return rows;
}

// Equal shapes, equal NaNs, numbers within 1e-4 relative (float32 sums in another order, four steps).
void ExpectClose(const std::vector<std::vector<double>>& got, const std::vector<std::vector<double>>& want,
                 const std::string& what) {
  ASSERT_EQ(got.size(), want.size()) << what;
  for (std::size_t i = 0; i < want.size(); ++i) {
    ASSERT_EQ(got[i].size(), want[i].size()) << what << " row " << i;
    for (std::size_t c = 0; c < want[i].size(); ++c) {
      if (std::isnan(want[i][c])) {
        EXPECT_TRUE(std::isnan(got[i][c])) << what << " row " << i << " column " << c;
      } else {
        EXPECT_NEAR(got[i][c], want[i][c], 1e-4 * (1.0 + std::abs(want[i][c]))) << what << " row " << i << " column " << c;
      }
    }
  }
}

// Few-shot learners on the sinusoid: the batch's episodes split over 2 ranks
// give the metrics and the trained parameters (through `fewshot eval`) of one
// process, to reduction-order tolerance. LEO draws its noise per episode,
// Reptile averages adapted parameters, MAML averages meta-gradients.
TEST(Mpi, FewShotLearnersOnTwoRanksMatchOneProcess) {
#ifndef METARL_MPIEXEC
  GTEST_SKIP() << "built without MPI (CMake METARL_MPI; libopenmpi-dev not found)";
#else
  const auto dir = TempDir("mpi_fewshot");
  const std::string sets = " --set num-batches=4 --set meta-batch-size=5 --set validate-every=2"
                           " --set validation-episodes=10 --set checkpoint-every=2 --set threads=1";
  for (const char* learner : {"maml", "leo", "reptile"}) {
    const std::string config = std::string(METARL_SOURCE_DIR) + "/configs/fewshot/sinusoid-" + learner + ".yaml";
    const auto one = dir / (std::string(learner) + "-1"), two = dir / (std::string(learner) + "-2");
    const Result a = RunCli("fewshot train -q --config " + config + " --output " + one.string() + sets);
    ASSERT_EQ(a.code, 0) << a.output;
    const Result b = RunShell(Mpirun(2) + "fewshot train -q --config " + config + " --output " + two.string() + sets);
    ASSERT_EQ(b.code, 0) << b.output;
    const auto rows_one = Numbers(one / "metrics.csv", 1);  // without the timing column
    ASSERT_EQ(rows_one.size(), 4u) << learner;
    ExpectClose(Numbers(two / "metrics.csv", 1), rows_one, std::string(learner) + " metrics");
    for (const auto& run : {one, two}) {
      const Result e = RunCli("fewshot eval --checkpoint " + run.string() + " --episodes 20 --steps 1");
      ASSERT_EQ(e.code, 0) << e.output;
    }
    const auto eval_one = Numbers(one / "eval.csv", 0);
    ASSERT_FALSE(eval_one.empty());
    ExpectClose(Numbers(two / "eval.csv", 0), eval_one, std::string(learner) + " eval");
  }
  // Serial Reptile cannot be split; more ranks than episodes neither.
  const std::string reptile = std::string(METARL_SOURCE_DIR) + "/configs/fewshot/sinusoid-reptile.yaml";
  const Result serial = RunShell(Mpirun(2) + "fewshot train -q --config " + reptile + " --output " +
                                 (dir / "serial").string() + " --set serial=true");
  EXPECT_EQ(serial.code, 2) << serial.output;
  EXPECT_NE(serial.output.find("serial: true"), std::string::npos) << serial.output;
  const Result small = RunShell(Mpirun(2) + "fewshot train -q --config " + reptile + " --output " +
                                (dir / "small").string() + " --set meta-batch-size=1");
  EXPECT_EQ(small.code, 2) << small.output;
  EXPECT_NE(small.output.find("meta-batch-size = 1"), std::string::npos) << small.output;
#endif
}

// RL² on 2D navigation: 6 trials split 3/3 over 2 ranks, minibatches of
// trials that straddle the ranks (and minibatches a rank holds none of),
// 3 iterations: metrics and the trained policy (through `metarl eval`) equal
// one process's to reduction-order tolerance (2D navigation is smooth, so
// last-bit differences stay small; in MuJoCo tasks they grow along the
// trajectories); the 2-rank job repeats bit for bit; fewer trials than
// ranks is refused before any work.
TEST(Mpi, Rl2OnTwoRanksMatchesOneProcess) {
#ifndef METARL_MPIEXEC
  GTEST_SKIP() << "built without MPI (CMake METARL_MPI; libopenmpi-dev not found)";
#else
  const auto dir = TempDir("mpi_rl2");
  const std::string config = std::string(METARL_SOURCE_DIR) + "/configs/rl2/2d-navigation.yaml";
  const std::string sets = " --set num-batches=3 --set meta-batch-size=6 --set num-minibatches=4"
                           " --set ppo-epochs=2 --set policy.hidden-size=16 --set env-kwargs.horizon=20"
                           " --set threads=1 --set checkpoint-every=2";
  const auto one = dir / "one", two = dir / "two";
  const Result a = RunCli("train -q --config " + config + " --output " + one.string() + sets);
  ASSERT_EQ(a.code, 0) << a.output;
  const Result b = RunShell(Mpirun(2) + "train -q --config " + config + " --output " + two.string() + sets);
  ASSERT_EQ(b.code, 0) << b.output;
  const auto rows_one = Numbers(one / "metrics.csv", 4);  // without the four timing columns
  ASSERT_EQ(rows_one.size(), 3u);
  ExpectClose(Numbers(two / "metrics.csv", 4), rows_one, "rl2 metrics");
  for (const auto& run : {one, two}) {
    const Result e = RunCli("eval --checkpoint " + run.string() + " --num-tasks 8");
    ASSERT_EQ(e.code, 0) << e.output;
  }
  const auto eval_one = Numbers(one / "eval.csv", 0);
  ASSERT_EQ(eval_one.size(), 2u);  // episodes 1 and 2 of a trial
  ExpectClose(Numbers(two / "eval.csv", 0), eval_one, "rl2 eval");
  // The same job again: the same bytes (a given rank count is deterministic).
  const auto again = dir / "again";
  const Result c = RunShell(Mpirun(2) + "train -q --config " + config + " --output " + again.string() + sets);
  ASSERT_EQ(c.code, 0) << c.output;
  EXPECT_EQ(FileBytes(again / "checkpoint.pt"), FileBytes(two / "checkpoint.pt"));

  const Result small = RunShell(Mpirun(2) + "train -q --config " + config + " --output " + (dir / "small").string() +
                                sets + " --set meta-batch-size=1 --set num-minibatches=1");
  EXPECT_EQ(small.code, 2) << small.output;
  EXPECT_NE(small.output.find("meta-batch-size = 1"), std::string::npos) << small.output;
#endif
}

}  // namespace
