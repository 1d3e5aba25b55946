// End-to-end checks of the `metarl` executable: help, exit codes, error
// messages, the rollout job's files and the bench's JSON.

#include <array>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <iterator>
#include <string>
#include <utility>
#include <vector>

#include <gtest/gtest.h>

#include "cli_util.h"

namespace {

using namespace metarl::testing;

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
  for (const char* cmd : {"rollout", "bench", "envs", "fewshot"}) EXPECT_NE(r.output.find(cmd), std::string::npos) << cmd;
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

TEST(Cli, TrainThenEvalWritesEveryFileAndTheAdaptationTable) {
  const auto dir = TempDir("train");
  const std::string config =
      WriteFile(dir / "c.yaml", std::string(kSmallConfig) + "num-batches: 2\ncheckpoint-every: 1\n");
  const Result train = RunCli("train --config " + config + " --output " + (dir / "run").string());
  ASSERT_EQ(train.code, 0) << train.output;
  EXPECT_NE(train.output.find("iter 2/2"), std::string::npos) << train.output;
  for (const char* file : {"config.yaml", "metrics.csv", "checkpoint.pt"}) {
    EXPECT_TRUE(std::filesystem::exists(dir / "run" / file)) << file;
  }
  std::ifstream metrics(dir / "run" / "metrics.csv");
  std::string header;
  std::getline(metrics, header);
  for (const char* column : {"return_step0", "return_step1", "kl", "line_search_steps", "seconds_sampling",
                             "seconds_adapting", "seconds_optimizing", "surrogate_before"}) {
    EXPECT_NE(header.find(column), std::string::npos) << column;
  }

  const Result eval = RunCli("eval --checkpoint " + (dir / "run").string() + " --num-tasks 3 --grad-steps 2 --seed 4");
  ASSERT_EQ(eval.code, 0) << eval.output;
  // The adaptation curve beside the table, and the learning curves.
  EXPECT_TRUE(std::filesystem::exists(dir / "run" / "eval.png")) << eval.output;
  const Result plot = RunCli("plot " + (dir / "run").string() + " " + (dir / "run").string() + " --out " +
                             (dir / "curves.png").string() + " --width 700 --height 300");
  ASSERT_EQ(plot.code, 0) << plot.output;
  const Result size = RunShell("ffprobe -v error -show_entries stream=width,height -of csv=p=0 " +
                               (dir / "curves.png").string());
  EXPECT_EQ(size.output, "700,300\n");
  EXPECT_EQ(RunCli("plot " + (dir / "nothing-here").string()).code, 2);
  std::ifstream csv(dir / "run" / "eval.csv");
  std::string line;
  std::getline(csv, line);
  EXPECT_EQ(line, "grad_steps,mean_return,std_return,num_tasks,fast_lr,episodes_per_task");
  std::vector<std::string> default_rows;
  while (std::getline(csv, line)) {
    EXPECT_EQ(line.rfind(std::to_string(default_rows.size()) + ",", 0), 0u) << line;
    EXPECT_NE(line.find(",3,"), std::string::npos) << line;
    // Row 0 has no step; kSmallConfig's fast-lr 0.1 and fast-batch-size 4.
    EXPECT_EQ(line.substr(line.find(",3,") + 3), default_rows.empty() ? "0,4" : "0.1,4") << line;
    default_rows.push_back(line);
  }
  EXPECT_EQ(default_rows.size(), 3u);  // 0, 1, 2 gradient steps
  // Same seed, same table; --out elsewhere.
  const Result again = RunCli("eval --checkpoint " + (dir / "run").string() +
                              " --num-tasks 3 --grad-steps 2 --seed 4 --out " + (dir / "again.csv").string());
  ASSERT_EQ(again.code, 0) << again.output;
  std::ifstream a(dir / "run" / "eval.csv"), b(dir / "again.csv");
  EXPECT_EQ(std::string(std::istreambuf_iterator<char>(a), {}), std::string(std::istreambuf_iterator<char>(b), {}));
  // --fast-lr: the same pre-update row, other adapted rows, recorded in the CSV.
  auto rows_of = [&](const std::string& flags, const std::string& name) {
    const Result r = RunCli("eval --checkpoint " + (dir / "run").string() + " --num-tasks 3 --grad-steps 2 --seed 4 " +
                            flags + " --out " + (dir / name).string());
    EXPECT_EQ(r.code, 0) << r.output;
    std::ifstream in(dir / name);
    std::string row;
    std::getline(in, row);
    std::vector<std::string> rows;
    while (std::getline(in, row)) rows.push_back(row);
    return rows;
  };
  auto statistics = [](const std::string& row) { return row.substr(0, row.find(",3,")); };
  auto schedule = [](const std::string& row) { return row.substr(row.find(",3,") + 3); };
  const std::vector<std::string> lr = rows_of("--fast-lr 0.35", "lr.csv");
  ASSERT_EQ(lr.size(), 3u);
  EXPECT_EQ(statistics(lr[0]), statistics(default_rows[0]));
  EXPECT_NE(statistics(lr[1]), statistics(default_rows[1]));
  EXPECT_EQ(schedule(lr[2]), "0.35,4");
  // The run's own step size and batch, given explicitly, reproduce the
  // default table exactly; a list whose last entry repeats is that entry.
  EXPECT_EQ(rows_of("--fast-lr 0.1 --fast-batch-size 4", "explicit.csv"), default_rows);
  EXPECT_EQ(rows_of("--fast-lr 0.35,0.35", "repeated.csv"), lr);
  // A step-size list (the last one repeats) and another batch size.
  const std::vector<std::string> listed = rows_of("--fast-lr 0.35,0.2 --fast-batch-size 6", "listed.csv");
  ASSERT_EQ(listed.size(), 3u);
  EXPECT_EQ(schedule(listed[0]), "0,6");
  EXPECT_EQ(schedule(listed[1]), "0.35,6");
  EXPECT_EQ(schedule(listed[2]), "0.2,6");
  EXPECT_NE(statistics(listed[0]), statistics(default_rows[0]));  // 6 episodes per task, not 4
  for (const char* bad : {"--fast-lr -1", "--fast-lr 0.5,x", "--fast-lr 0.5,", "--fast-batch-size -2", "--batch-unit x"}) {
    const Result r = RunCli("eval --checkpoint " + (dir / "run").string() + " " + bad);
    EXPECT_EQ(r.code, 2) << bad << r.output;
    EXPECT_NE(r.output.find(std::string(bad).substr(0, std::string(bad).find(' '))), std::string::npos) << r.output;
  }
}

#ifdef METARL_HAVE_RENDERING
// A tiny HalfCheetahVel run rendered before and after one adaptation step:
// a gif of two panels side by side with one frame per env step, a folder of
// PNG frames of one panel, and bad input named with exit code 2.
TEST(Cli, RenderWritesBeforeAndAfterAdaptationSideBySide) {
  const auto dir = TempDir("render");
  const std::string config = WriteFile(dir / "cheetah.yaml",
                                       "env: HalfCheetahVel\n"
                                       "env-kwargs: {horizon: 12}\n"
                                       "policy: {hidden-sizes: [8]}\n"
                                       "meta-batch-size: 2\nfast-batch-size: 2\nnum-batches: 1\nthreads: 2\n");
  const Result train = RunCli("train -q --config " + config + " --output " + (dir / "run").string());
  ASSERT_EQ(train.code, 0) << train.output;
  const std::string run = (dir / "run").string();
  const Result gif = RunCli("render --checkpoint " + run + " --task velocity=1.5 --grad-steps 1 --width 64 --height 48 --out " +
                            (dir / "r.gif").string());
  if (gif.code != 0 && gif.output.find("no headless OpenGL context") != std::string::npos) {
    GTEST_SKIP() << gif.output;
  }
  ASSERT_EQ(gif.code, 0) << gif.output;
  EXPECT_NE(gif.output.find("12 frames"), std::string::npos) << gif.output;
  EXPECT_NE(gif.output.find("velocity=1.5: return"), std::string::npos) << gif.output;
  EXPECT_NE(gif.output.find("(after 1 step)"), std::string::npos) << gif.output;
  const Result probe = RunShell("ffprobe -v error -count_frames -select_streams v:0 -show_entries "
                                "stream=nb_read_frames,width,height -of csv=p=0 " + (dir / "r.gif").string());
  EXPECT_NE(probe.output.find("128,48,12"), std::string::npos) << probe.output;
  const Result frames = RunCli("render --checkpoint " + run + " --episodes 2 --width 32 --height 32 --frame-skip 3 --out " +
                               (dir / "frames").string());
  ASSERT_EQ(frames.code, 0) << frames.output;
  int pngs = 0;
  for (const auto& e : std::filesystem::directory_iterator(dir / "frames")) pngs += e.path().extension() == ".png";
  EXPECT_EQ(pngs, 8);  // 2 episodes × 12 steps, every 3rd
  const Result bad = RunCli("render --checkpoint " + run + " --task speed=1 --out " + (dir / "x.gif").string());
  EXPECT_EQ(bad.code, 2) << bad.output;
  EXPECT_NE(bad.output.find("velocity"), std::string::npos) << bad.output;
}

// OSMesa, the backend that needs no EGL, in a process of its own: the same
// frames as Mesa's EGL software device gives (both rasterise with llvmpipe),
// frame for frame. ffmpeg's PSNR compares the PNG sequences.
TEST(Cli, RenderThroughOsMesaMatchesEgl) {
  const auto dir = TempDir("render_osmesa");
  const std::string config = WriteFile(dir / "cheetah.yaml",
                                       "env: HalfCheetahVel\nenv-kwargs: {horizon: 6}\npolicy: {hidden-sizes: [8]}\n"
                                       "meta-batch-size: 2\nfast-batch-size: 2\nnum-batches: 1\nthreads: 2\n");
  const Result train = RunCli("train -q --config " + config + " --output " + (dir / "run").string());
  ASSERT_EQ(train.code, 0) << train.output;
  const std::string common = "render --checkpoint " + (dir / "run").string() + " --task velocity=1 --width 64 --height 48 ";
  const Result osmesa = RunCli(common + "--gl osmesa --out " + (dir / "osmesa").string());
  ASSERT_EQ(osmesa.code, 0) << osmesa.output;
  EXPECT_NE(osmesa.output.find("6 frames (osmesa ("), std::string::npos) << osmesa.output;
  const Result egl = RunCli(common + "--gl egl-surfaceless --out " + (dir / "egl").string());
  if (egl.code != 0 && egl.output.find("no headless OpenGL context") != std::string::npos) {
    GTEST_SKIP() << "OSMesa rendered; no EGL to compare with: " << egl.output;
  }
  ASSERT_EQ(egl.code, 0) << egl.output;
  const Result psnr = RunShell("ffmpeg -v error -nostats -i " + (dir / "osmesa" / "frame_%05d.png").string() + " -i " +
                               (dir / "egl" / "frame_%05d.png").string() +
                               " -lavfi psnr=stats_file=" + (dir / "psnr.log").string() + " -f null - && cat " +
                               (dir / "psnr.log").string());
  ASSERT_EQ(psnr.code, 0) << psnr.output;
  int frames = 0;
  std::size_t at = 0;
  while ((at = psnr.output.find("psnr_avg:", at)) != std::string::npos) {
    at += 9;
    const std::string value = psnr.output.substr(at, psnr.output.find(' ', at) - at);
    EXPECT_TRUE(value == "inf" || std::stod(value) > 40.0) << "frame " << frames << ": PSNR " << value;
    ++frames;
  }
  EXPECT_EQ(frames, 6) << psnr.output;
}

// RL²: one trial of 3 episodes of 10 steps; the video shows its first and
// last episodes side by side (10 frames of two panels); gradient steps are
// refused for an RL² run.
TEST(Cli, RenderShowsTheFirstAndLastEpisodeOfAnRl2Trial) {
  const auto dir = TempDir("render_rl2");
  const std::string config = WriteFile(dir / "rl2.yaml",
                                       "env: HalfCheetahVel\nenv-kwargs: {horizon: 10}\nalgorithm: rl2-ppo\n"
                                       "policy: {hidden-size: 8}\nepisodes-per-trial: 3\nmeta-batch-size: 2\n"
                                       "num-batches: 1\nnum-minibatches: 1\nthreads: 2\n");
  const Result train = RunCli("train -q --config " + config + " --output " + (dir / "run").string());
  ASSERT_EQ(train.code, 0) << train.output;
  const std::string run = (dir / "run").string();
  const Result video = RunCli("render --checkpoint " + run + " --task velocity=1 --width 48 --height 32 --out " +
                              (dir / "trial.mp4").string());
  if (video.code != 0 && video.output.find("no headless OpenGL context") != std::string::npos) {
    GTEST_SKIP() << video.output;
  }
  ASSERT_EQ(video.code, 0) << video.output;
  EXPECT_NE(video.output.find("10 frames"), std::string::npos) << video.output;
  EXPECT_NE(video.output.find("episode 1"), std::string::npos) << video.output;
  const Result probe = RunShell("ffprobe -v error -count_frames -select_streams v:0 -show_entries "
                                "stream=nb_read_frames,width,height -of csv=p=0 " + (dir / "trial.mp4").string());
  EXPECT_EQ(probe.output, "96,32,10\n");
  const Result steps = RunCli("render --checkpoint " + run + " --grad-steps 1 --out " + (dir / "x.gif").string());
  EXPECT_EQ(steps.code, 2) << steps.output;
  EXPECT_NE(steps.output.find("RL²"), std::string::npos) << steps.output;
}
#endif

TEST(Cli, Rl2TrainThenEvalReportsReturnPerEpisodeOfATrial) {
  const auto dir = TempDir("rl2");
  const std::string config = std::string(METARL_SOURCE_DIR) + "/configs/rl2/bandit-k5-n10.yaml";
  const Result train = RunCli("train --config " + config + " --output " + (dir / "run").string() +
                              " --set num-batches=2 --set threads=2");
  ASSERT_EQ(train.code, 0) << train.output;
  EXPECT_NE(train.output.find("iter 2/2"), std::string::npos) << train.output;
  std::ifstream metrics(dir / "run" / "metrics.csv");
  std::string header;
  std::getline(metrics, header);
  for (const char* column : {"return_episode1", "return_episode10", "trial_return", "approx_kl", "clip_fraction"}) {
    EXPECT_NE(header.find(column), std::string::npos) << column;
  }
  const Result eval = RunCli("eval --checkpoint " + (dir / "run").string() + " --num-tasks 50 --episodes 12");
  ASSERT_EQ(eval.code, 0) << eval.output;
  EXPECT_NE(eval.output.find("mean trial return"), std::string::npos) << eval.output;
  std::ifstream csv(dir / "run" / "eval.csv");
  std::string line;
  std::getline(csv, line);
  EXPECT_EQ(line, "episode,mean_return,std_return,num_tasks");
  int rows = 0;
  while (std::getline(csv, line)) EXPECT_EQ(line.rfind(std::to_string(++rows) + ",", 0), 0u) << line;
  EXPECT_EQ(rows, 12);
  // MAML-only flags are refused for an RL² run, and --episodes for a MAML run.
  const Result steps = RunCli("eval --checkpoint " + (dir / "run").string() + " --grad-steps 2");
  EXPECT_EQ(steps.code, 2) << steps.output;
  EXPECT_NE(steps.output.find("--grad-steps"), std::string::npos) << steps.output;
  // The Gaussian-policy commands refuse the discrete bandit.
  const Result maml = RunCli("train --config " + config + " --output " + (dir / "maml").string() +
                             " --set algorithm=maml-trpo");
  EXPECT_EQ(maml.code, 2) << maml.output;
}

TEST(Cli, TrainAndEvalRejectBadInputBeforeAnyWork) {
  const auto dir = TempDir("train_bad");
  const std::vector<std::pair<std::string, std::string>> cases = {
      {"fast-lr: -0.1\n", "fast-lr"},
      {"fast-batch-size: 0\n", "fast-batch-size"},
      {"meta-batch-size: 0\n", "meta-batch-size"},
      {"cg-iters: ten\n", "cg-iters"},
      {"max-kl: 0\n", "max-kl"},
      {"ls-backtrack-ratio: 1.5\n", "ls-backtrack-ratio"},
      {"fast_lr: 0.1\n", "fast_lr"},
      {"policy: {hidden-sizes: [0]}\n", "hidden-sizes"},
  };
  for (std::size_t i = 0; i < cases.size(); ++i) {
    const std::string file = WriteFile(dir / ("c" + std::to_string(i) + ".yaml"),
                                       "env: Navigation2D\n" + cases[i].first);
    const auto out = dir / ("out" + std::to_string(i));
    const Result r = RunCli("train --config " + file + " --output " + out.string());
    EXPECT_EQ(r.code, 2) << cases[i].first << r.output;
    EXPECT_NE(r.output.find(cases[i].second), std::string::npos) << r.output;
    EXPECT_NE(r.output.find(file), std::string::npos) << "names the file: " << r.output;
    EXPECT_FALSE(std::filesystem::exists(out / "metrics.csv")) << "no work before validation";
  }
  const std::string good = WriteFile(dir / "good.yaml", kSmallConfig);
  const Result set = RunCli("train --config " + good + " --output " + (dir / "o").string() + " --set gamma=2");
  EXPECT_EQ(set.code, 2);
  EXPECT_NE(set.output.find("gamma"), std::string::npos) << set.output;
  const Result no_run = RunCli("eval --checkpoint " + (dir / "nothing").string());
  EXPECT_EQ(no_run.code, 2);
  EXPECT_NE(no_run.output.find("checkpoint.pt"), std::string::npos) << no_run.output;
  const std::string broken = (dir / "broken").string();
  std::filesystem::create_directories(broken);
  WriteFile(dir / "broken" / "checkpoint.pt", "not a checkpoint");
  const Result bad_file = RunCli("eval --checkpoint " + broken);
  EXPECT_EQ(bad_file.code, 2) << bad_file.output;
  EXPECT_NE(bad_file.output.find("checkpoint.pt"), std::string::npos) << bad_file.output;
  EXPECT_EQ(RunCli("train --output " + (dir / "x").string()).code, 2);  // --config or --resume needed
  const std::string bandit = WriteFile(dir / "bandit.yaml", "env: Bandit\n");
  const Result discrete = RunCli("train --config " + bandit + " --output " + (dir / "b").string());
  EXPECT_EQ(discrete.code, 2) << discrete.output;
  EXPECT_NE(discrete.output.find("discrete actions"), std::string::npos) << discrete.output;
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

TEST(Cli, BenchMamlReportsEveryPhase) {
  const auto dir = TempDir("bench_maml");
  const std::string config = WriteFile(dir / "c.yaml", kSmallConfig);
  const Result r = RunCli("bench maml --config " + config + " --iterations 2 --json");
  ASSERT_EQ(r.code, 0) << r.output;
  for (const char* key : {"\"seconds_sampling\"", "\"seconds_adapting\"", "\"seconds_trpo\"", "\"seconds_trpo_cg\"",
                          "\"seconds_total\"", "\"env_steps\": "}) {
    EXPECT_NE(r.output.find(key), std::string::npos) << key << "\n" << r.output;
  }
  // 3 tasks x 4 episodes x horizon 20, before and after the inner step, at most.
  const auto steps = std::stol(r.output.substr(r.output.find("\"env_steps\": ") + 13));
  EXPECT_GT(steps, 0);
  EXPECT_LE(steps, 2 * 3 * 4 * 20);
  EXPECT_EQ(RunCli("bench maml --config " + config + " --iterations 0").code, 2);
}

// bench adapt: the meta-update on the CPU and, where LibTorch has CUDA and a
// GPU is present, on the GPU; the GPU figures are null otherwise.
TEST(Cli, BenchAdaptReportsCpuAndGpuSecondsPerMetaUpdate) {
  const auto dir = TempDir("bench_adapt");
  const std::string config = WriteFile(dir / "c.yaml", kSmallConfig);
  const Result r = RunCli("bench adapt --config " + config + " --iterations 2 --warmup 0 --json");
  ASSERT_EQ(r.code, 0) << r.output;
  const auto number = [&](const std::string& key) {
    const std::size_t at = r.output.find("\"" + key + "\": ");
    EXPECT_NE(at, std::string::npos) << key << "\n" << r.output;
    return at == std::string::npos ? std::string() : r.output.substr(at + key.size() + 4);
  };
  EXPECT_GT(std::stod(number("cpu_s_per_meta_update")), 0.0) << r.output;
  EXPECT_EQ(std::stoi(number("tasks")), 3) << r.output;
  EXPECT_EQ(std::stoi(number("trajectories")), 4) << r.output;
  EXPECT_EQ(std::stoi(number("horizon")), 20) << r.output;
  EXPECT_EQ(std::stoi(number("iterations")), 2) << r.output;
  const std::string gpu = number("gpu_s_per_meta_update");
  if (gpu.rfind("null", 0) == 0) {
    EXPECT_EQ(number("speedup").rfind("null", 0), 0u) << r.output;
  } else {
    EXPECT_GT(std::stod(gpu), 0.0) << r.output;
    EXPECT_GT(std::stod(number("speedup")), 0.0) << r.output;
  }
  const Result text = RunCli("bench adapt --config " + config + " --iterations 1");
  ASSERT_EQ(text.code, 0) << text.output;
  EXPECT_NE(text.output.find("3 tasks x 4 trajectories x horizon 20"), std::string::npos) << text.output;
  EXPECT_EQ(RunCli("bench adapt --config " + config + " --iterations 0").code, 2);
  EXPECT_EQ(RunCli("bench adapt --config " + config + " --warmup -1").code, 2);
}

TEST(Cli, BenchRl2ReportsSamplingAndOptimisation) {
  const std::string config = std::string(METARL_SOURCE_DIR) + "/configs/rl2/bandit-k5-n10.yaml";
  const Result r = RunCli("bench rl2 --config " + config + " --iterations 2 --set threads=1 --json");
  ASSERT_EQ(r.code, 0) << r.output;
  for (const char* key : {"\"seconds_sampling\"", "\"seconds_optimizing\"", "\"seconds_total\"", "\"hidden_size\": 128"}) {
    EXPECT_NE(r.output.find(key), std::string::npos) << key << "\n" << r.output;
  }
  // 256 trials of 10 one-pull episodes.
  EXPECT_EQ(std::stol(r.output.substr(r.output.find("\"env_steps\": ") + 13)), 2560);
  EXPECT_EQ(RunCli("bench rl2 --config " + config + " --iterations 0").code, 2);
}

TEST(Cli, FewShotTrainThenEvalWritesTheTableWithConfidenceIntervals) {
  const auto dir = TempDir("fewshot");
  const std::string config = std::string(METARL_SOURCE_DIR) + "/configs/fewshot/sinusoid-maml.yaml";
  const Result train = RunCli("fewshot train --config " + config + " --output " + dir.string() +
                              " --set num-batches=30 --set log-every=10");
  ASSERT_EQ(train.code, 0) << train.output;
  EXPECT_NE(train.output.find("iter 30/30"), std::string::npos) << train.output;
  EXPECT_EQ(train.output.find("iter 5/30"), std::string::npos) << "log-every ignored";
  for (const char* file : {"config.yaml", "metrics.csv", "checkpoint.pt"}) {
    EXPECT_TRUE(std::filesystem::exists(dir / file)) << file;
  }
  const Result eval = RunCli("fewshot eval --checkpoint " + dir.string() + " --episodes 50 --steps 3");
  ASSERT_EQ(eval.code, 0) << eval.output;
  EXPECT_NE(eval.output.find("ci95_loss"), std::string::npos) << eval.output;
  std::ifstream csv(dir / "eval.csv");
  std::string header;
  std::getline(csv, header);
  EXPECT_EQ(header, "steps,mean_loss,ci95_loss,mean_accuracy,ci95_accuracy,episodes,diverged");
  int rows = 0;
  for (std::string line; std::getline(csv, line);) ++rows;
  EXPECT_EQ(rows, 4);

  // A few-shot run is not a meta-RL run, and the reverse.
  const Result wrong = RunCli("train --config " + config + " --output " + TempDir("fewshot_wrong").string());
  EXPECT_EQ(wrong.code, 2);
  EXPECT_NE(wrong.output.find("metarl fewshot train"), std::string::npos) << wrong.output;
  EXPECT_EQ(RunCli("fewshot eval --checkpoint " + dir.string() + " --episodes 1").code, 2);
  EXPECT_EQ(RunCli("fewshot eval --checkpoint " + TempDir("fewshot_none").string()).code, 2);
  EXPECT_EQ(RunCli("fewshot frobnicate").code, 2);
  const Result kind = RunCli("fewshot eval --checkpoint " + dir.string() + " --checkpoint-kind newest");
  EXPECT_EQ(kind.code, 2) << kind.output;
  EXPECT_NE(kind.output.find("--checkpoint-kind"), std::string::npos) << kind.output;
  // Reptile's inner-optimiser keys are checked and named.
  const std::string reptile = std::string(METARL_SOURCE_DIR) + "/configs/fewshot/sinusoid-reptile.yaml";
  for (const char* bad : {"inner-adam-state=kept", "inner-optimizer=rmsprop", "eval-inner-batch=-1"}) {
    const Result r = RunCli("fewshot train -q --config " + reptile + " --output " + TempDir("fewshot_bad").string() +
                            " --set " + bad);
    EXPECT_EQ(r.code, 2) << bad << r.output;
    const std::string key(bad, std::string(bad).find('='));
    EXPECT_NE(r.output.find(key), std::string::npos) << bad << r.output;
  }
  const Result list = RunCli("fewshot list");
  EXPECT_EQ(list.code, 0);
  for (const char* name : {"sinusoid", "maml", "meta-sgd", "anil", "reptile"}) {
    EXPECT_NE(list.output.find(name), std::string::npos) << name;
  }
}

TEST(Cli, BenchFewShotJsonHasMillisecondsPerMetaIteration) {
  const std::string config = std::string(METARL_SOURCE_DIR) + "/configs/fewshot/sinusoid-maml.yaml";
  const Result r = RunCli("bench fewshot --config " + config + " --iterations 5 --repeats 2 --warmup 1 --json");
  ASSERT_EQ(r.code, 0) << r.output;
  const auto at = r.output.find("\"ms_per_meta_iter\": ");
  ASSERT_NE(at, std::string::npos) << r.output;
  EXPECT_GT(std::stod(r.output.substr(at + 20)), 0.0);
  EXPECT_NE(r.output.find("\"meta_batch_size\": 25"), std::string::npos) << r.output;
  EXPECT_EQ(RunCli("bench fewshot --config " + config + " --repeats 0").code, 2);
}

}  // namespace
