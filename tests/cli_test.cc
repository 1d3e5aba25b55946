// End-to-end checks of the `metarl` executable: help, exit codes, error
// messages, the rollout job's files and the bench's JSON.

#include <array>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <string>

#include <gtest/gtest.h>
#include <sys/wait.h>

namespace {

struct Result {
  int code = -1;
  std::string output;  // stdout and stderr
};

Result RunCli(const std::string& args) {
  const std::string command = std::string(METARL_CLI_PATH) + " " + args + " 2>&1";
  Result result;
  FILE* pipe = popen(command.c_str(), "r");
  if (pipe == nullptr) return result;
  std::array<char, 4096> buf;
  while (fgets(buf.data(), buf.size(), pipe) != nullptr) result.output += buf.data();
  const int status = pclose(pipe);
  result.code = WIFEXITED(status) ? WEXITSTATUS(status) : -1;
  return result;
}

std::filesystem::path TempDir(const std::string& name) {
  const auto dir = std::filesystem::temp_directory_path() / ("metarl_cli_test_" + name);
  std::filesystem::remove_all(dir);
  std::filesystem::create_directories(dir);
  return dir;
}

std::string WriteFile(const std::filesystem::path& path, const std::string& text) {
  std::ofstream(path) << text;
  return path.string();
}

const char* kSmallConfig =
    "env: Navigation2D\n"
    "env-kwargs: {horizon: 20}\n"
    "policy: {hidden-sizes: [8], nonlinearity: tanh}\n"
    "meta-batch-size: 3\n"
    "fast-batch-size: 4\n"
    "threads: 2\n";

TEST(Cli, HelpListsTheSubcommands) {
  const Result r = RunCli("--help");
  EXPECT_EQ(r.code, 0);
  for (const char* cmd : {"rollout", "bench", "envs"}) EXPECT_NE(r.output.find(cmd), std::string::npos) << cmd;
  EXPECT_EQ(RunCli("").code, 2);
  EXPECT_EQ(RunCli("fly").code, 2);
  EXPECT_EQ(RunCli("bench rollout --help").code, 0);
  EXPECT_EQ(RunCli("rollout --help").code, 0);
  const Result envs = RunCli("envs");
  EXPECT_EQ(envs.code, 0);
  EXPECT_NE(envs.output.find("AntGoal"), std::string::npos);
}

TEST(Cli, RolloutWritesTheResolvedConfigAndOneRowPerEpisode) {
  const auto dir = TempDir("rollout");
  const std::string config = WriteFile(dir / "c.yaml", kSmallConfig);
  const Result r = RunCli("rollout --config " + config + " --out " + (dir / "out").string());
  ASSERT_EQ(r.code, 0) << r.output;
  std::ifstream csv(dir / "out" / "episodes.csv");
  std::string line;
  int rows = 0;
  while (std::getline(csv, line)) ++rows;
  EXPECT_EQ(rows, 1 + 3 * 4);
  std::ifstream resolved(dir / "out" / "config.yaml");
  const std::string text((std::istreambuf_iterator<char>(resolved)), std::istreambuf_iterator<char>());
  EXPECT_NE(text.find("gamma: 0.99"), std::string::npos) << text;  // default filled in
  EXPECT_NE(text.find("horizon: 20"), std::string::npos) << text;
  // The resolved config reproduces the run.
  const Result again = RunCli("rollout --config " + (dir / "out" / "config.yaml").string() + " --out " +
                              (dir / "again").string());
  ASSERT_EQ(again.code, 0) << again.output;
  std::ifstream a(dir / "out" / "episodes.csv"), b(dir / "again" / "episodes.csv");
  EXPECT_EQ(std::string(std::istreambuf_iterator<char>(a), {}), std::string(std::istreambuf_iterator<char>(b), {}));
}

TEST(Cli, BadInputExitsWithCode2AndNamesTheProblem) {
  const auto dir = TempDir("bad");
  struct Case {
    std::string config;
    std::string expected;
  };
  const std::vector<Case> cases = {
      {std::string(kSmallConfig) + "gama: 0.9\n", "gama"},
      {"env: HalfCheetahVelocity\n", "HalfCheetahVelocity"},
      {"env: HalfCheetahVel\nenv-kwargs: {low: 3, high: 1}\n", "low"},
      {"env: Navigation2D\nmeta-batch-size: many\n", "meta-batch-size"},
      {"env: Navigation2D\ngamma: 1.5\n", "gamma"},
      {"env: Navigation2D\ndevice: tpu\n", "device"},
      {"env: AntVel\nenv-kwargs: {model-file: /missing/ant.xml}\n", "/missing/ant.xml"},
      {"env: [unclosed\n", "not valid YAML"},
  };
  for (std::size_t i = 0; i < cases.size(); ++i) {
    const std::string file = WriteFile(dir / ("c" + std::to_string(i) + ".yaml"), cases[i].config);
    const Result r = RunCli("rollout --config " + file + " --out " + (dir / "out").string());
    EXPECT_EQ(r.code, 2) << cases[i].config << "\n" << r.output;
    EXPECT_NE(r.output.find(cases[i].expected), std::string::npos) << r.output;
  }
  const Result missing = RunCli("rollout --config /no/such/config.yaml");
  EXPECT_EQ(missing.code, 2);
  EXPECT_NE(missing.output.find("/no/such/config.yaml"), std::string::npos);
  EXPECT_EQ(RunCli("rollout").code, 2);  // --config is required
  EXPECT_EQ(RunCli("bench rollout --env Nope").code, 2);
  EXPECT_EQ(RunCli("bench rollout --threads 0").code, 2);
  EXPECT_EQ(RunCli("bench nothing").code, 2);
}

TEST(Cli, BenchRolloutJsonHasEveryFigure) {
  const Result r = RunCli("bench rollout --env HalfCheetahVel --envs 2 --trajs 2 --horizon 10 --threads 2 --json");
  ASSERT_EQ(r.code, 0) << r.output;
  for (const char* key : {"\"floor_steps_per_s\"", "\"runner_1t_steps_per_s\"", "\"runner_nt_steps_per_s\"",
                          "\"ratio_policy_vs_floor\"", "\"ratio_threads\""}) {
    EXPECT_NE(r.output.find(key), std::string::npos) << key << "\n" << r.output;
  }
  EXPECT_EQ(r.output.front(), '{');
  const Result nav = RunCli("bench rollout --env Navigation2D --envs 2 --trajs 2 --horizon 10");
  EXPECT_EQ(nav.code, 0) << nav.output;
}

}  // namespace
