// Task distributions: coverage of their ranges, validation of tasks and of
// options, model-file errors, and task text parsing.

#include <cmath>
#include <filesystem>
#include <fstream>

#include <gtest/gtest.h>

#include "core/mujoco_model.h"
#include "envs/registry.h"
#include "tests/test_util.h"

namespace metarl::envs {
namespace {

using testing::InvalidArgumentMessage;
using testing::MakeDist;

TEST(Tasks, VelocityTasksCoverTheirConfiguredRange) {
  for (const auto& [env, kwargs, low, high] :
       std::vector<std::tuple<std::string, std::string, double, double>>{
           {"HalfCheetahVel", "{}", 0.0, 2.0},
           {"HalfCheetahVel", "{low: 0.5, high: 3.0}", 0.5, 3.0},
           {"AntVel", "{}", 0.0, 3.0}}) {
    auto dist = MakeDist(env, kwargs);
    Rng rng(1);
    double lo = 1e9, hi = -1e9, sum = 0;
    const auto tasks = dist->Sample(4000, rng);
    for (const Task& t : tasks) {
      const double v = t.Get("velocity");
      ASSERT_GE(v, low);
      ASSERT_LT(v, high);
      lo = std::min(lo, v);
      hi = std::max(hi, v);
      sum += v;
    }
    const double width = high - low;
    EXPECT_LT(lo - low, 0.01 * width) << env;
    EXPECT_LT(high - hi, 0.01 * width) << env;
    EXPECT_NEAR(sum / tasks.size(), 0.5 * (low + high), 5 * width / std::sqrt(12.0 * tasks.size()));
  }
}

TEST(Tasks, DirectionTasksArePlusMinusOneWithEqualOdds) {
  for (const std::string env : {"HalfCheetahDir", "AntDir"}) {
    auto dist = MakeDist(env);
    Rng rng(2);
    int forward = 0;
    const int n = 4000;
    for (const Task& t : dist->Sample(n, rng)) {
      const double d = t.Get("direction");
      ASSERT_TRUE(d == 1.0 || d == -1.0);
      forward += d > 0;
    }
    EXPECT_NEAR(forward, n / 2.0, 5 * std::sqrt(n / 4.0)) << env;
  }
}

TEST(Tasks, GoalTasksFillTheSquareOrTheDisk) {
  Rng rng(3);
  auto square = MakeDist("AntGoal");
  double max_abs = 0;
  int outside_disk = 0;
  for (const Task& t : square->Sample(4000, rng)) {
    const double x = t.Get("goal_x"), y = t.Get("goal_y");
    ASSERT_LE(std::max(std::abs(x), std::abs(y)), 3.0);
    max_abs = std::max(max_abs, std::max(std::abs(x), std::abs(y)));
    outside_disk += x * x + y * y > 9.0;
  }
  EXPECT_GT(max_abs, 2.95);
  EXPECT_GT(outside_disk, 0);  // the square's corners are sampled
  auto disk = MakeDist("AntGoal", "{goal-sampling: disk}");
  int inner = 0;
  const int n = 4000;
  for (const Task& t : disk->Sample(n, rng)) {
    const double r2 = std::pow(t.Get("goal_x"), 2) + std::pow(t.Get("goal_y"), 2);
    ASSERT_LE(r2, 9.0 + 1e-12);
    inner += r2 < 2.25;  // radius 1.5: a quarter of the disk's area
  }
  EXPECT_NEAR(inner, n / 4.0, 5 * std::sqrt(n * 0.25 * 0.75));
  auto nav = MakeDist("Navigation2D");
  for (const Task& t : nav->Sample(2000, rng)) {
    ASSERT_LE(std::abs(t.Get("goal_x")), 0.5);
    ASSERT_LE(std::abs(t.Get("goal_y")), 0.5);
  }
}

TEST(Tasks, InvalidTasksAreRejectedNamingTheParameter) {
  auto cheetah = MakeDist("HalfCheetahDir");
  EXPECT_NE(InvalidArgumentMessage([&] { cheetah->ValidateTask(Task({{"direction", 0.5}})); }).find("direction"),
            std::string::npos);
  EXPECT_NE(InvalidArgumentMessage([&] { cheetah->ValidateTask(Task({{"velocity", 1.0}})); }).find("direction"),
            std::string::npos);
  auto vel = MakeDist("HalfCheetahVel");
  EXPECT_THROW(vel->ValidateTask(Task({{"velocity", NAN}})), std::invalid_argument);
  EXPECT_THROW(vel->ValidateTask(Task({{"velocity", 1.0}, {"extra", 1.0}})), std::invalid_argument);
  auto goal = MakeDist("AntGoal");
  EXPECT_NE(InvalidArgumentMessage([&] { goal->ValidateTask(Task({{"goal_x", 1.0}})); }).find("goal_y"),
            std::string::npos);
  auto nav = MakeDist("Navigation2D");
  EXPECT_THROW(nav->ValidateTask(Task({{"goal_x", INFINITY}, {"goal_y", 0.0}})), std::invalid_argument);
  EXPECT_NO_THROW(nav->ValidateTask(Task({{"goal_x", 0.2}, {"goal_y", 0.0}})));
}

TEST(Tasks, BadOptionsAreRejectedNamingTheKey) {
  EXPECT_NE(InvalidArgumentMessage([] { MakeDist("HalfCheetahVel", "{low: 2.0, high: 1.0}"); }).find("low = 2"),
            std::string::npos);
  EXPECT_NE(InvalidArgumentMessage([] { MakeDist("AntVel", "{physics: mujoco}"); }).find("physics"),
            std::string::npos);
  EXPECT_NE(InvalidArgumentMessage([] { MakeDist("AntDir", "{horizon: 0}"); }).find("horizon"),
            std::string::npos);
  EXPECT_NE(InvalidArgumentMessage([] { MakeDist("AntGoal", "{goal-sampling: circle}"); }).find("goal-sampling"),
            std::string::npos);
  EXPECT_NE(InvalidArgumentMessage([] { MakeDist("Navigation2D", "{goal-low: 1}"); }).find("goal-low"),
            std::string::npos);
  EXPECT_NE(InvalidArgumentMessage([] { MakeDist("HalfCheetahVel", "{high: fast}"); }).find("high"),
            std::string::npos);
  const std::string unknown = InvalidArgumentMessage([] { MakeDist("HalfCheetahVelocity"); });
  EXPECT_NE(unknown.find("HalfCheetahVelocity"), std::string::npos) << unknown;
  EXPECT_NE(unknown.find("HalfCheetahVel,"), std::string::npos) << unknown;  // lists the known ones
}

TEST(Tasks, MissingOrBrokenModelFilesAreReportedWithTheirPath) {
  const std::string missing = InvalidArgumentMessage([] { MakeDist("AntVel", "{model-file: /no/such/ant.xml}"); });
  EXPECT_NE(missing.find("/no/such/ant.xml"), std::string::npos) << missing;

  const auto dir = std::filesystem::temp_directory_path() / "metarl_tasks_test";
  std::filesystem::create_directories(dir);
  const std::string broken = (dir / "broken.xml").string();
  std::ofstream(broken) << "<mujoco><worldbody><body name='torso'><geom type='sphere'/></body></worldbody>";
  const std::string msg = InvalidArgumentMessage([&] { MakeDist("HalfCheetahVel", "{model-file: " + broken + "}"); });
  EXPECT_NE(msg.find(broken), std::string::npos) << msg;

  const std::string no_torso = (dir / "no_torso.xml").string();
  std::ofstream(no_torso) << "<mujoco><worldbody><body name='b'><joint type='hinge'/><geom size='0.1'/>"
                             "</body></worldbody><actuator><motor joint='' /></actuator></mujoco>";
  EXPECT_THROW(MakeDist("HalfCheetahVel", "{model-file: " + no_torso + "}"), std::invalid_argument);
}

// The standard cheetah with its MuJoCo arena cut to `nstack` mjtNums.
std::string CheetahWithStack(int nstack) {
  std::ifstream in(AssetsDir() + "/half_cheetah.xml");
  std::string xml((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
  const std::string from = "nstack=\"20000\"";
  EXPECT_NE(xml.find(from), std::string::npos);
  xml.replace(xml.find(from), from.size(), "nstack=\"" + std::to_string(nstack) + "\"");
  const auto dir = std::filesystem::temp_directory_path() / "metarl_tasks_test";
  std::filesystem::create_directories(dir);
  const std::string file = (dir / ("stack_" + std::to_string(nstack) + ".xml")).string();
  std::ofstream(file) << xml;
  return file;
}

TEST(Tasks, MujocoErrorsBecomeExceptionsNotProcessExits) {
  // Too small to compile: MuJoCo's load-time check, reported with the path.
  const std::string tiny = CheetahWithStack(50);
  EXPECT_NE(InvalidArgumentMessage([&] { MakeDist("HalfCheetahVel", "{model-file: " + tiny + "}"); }).find(tiny),
            std::string::npos);
  // Loads, but overflows once the feet touch the floor: MuJoCo's mju_error
  // (exit() by default) must surface as std::runtime_error.
  auto dist = MakeDist("HalfCheetahVel", "{model-file: " + CheetahWithStack(200) + "}");
  auto env = dist->MakeEnv();
  std::vector<float> obs(20), action(6, 0.0f);
  Rng rng(0);
  env->ResetTask(Task({{"velocity", 1.0}}));
  try {
    env->Reset(rng, Span<float>(obs));
    while (env->in_episode()) env->Step(Span<const float>(action), Span<float>(obs));
    FAIL() << "expected a MuJoCo stack overflow within the episode";
  } catch (const std::runtime_error& e) {
    EXPECT_NE(std::string(e.what()).find("MuJoCo error"), std::string::npos) << e.what();
  }
}

TEST(Tasks, PhysicsPresetsSetTheStepDuration) {
  EXPECT_DOUBLE_EQ(MakeDist("HalfCheetahVel", "{physics: gym}")->spec().dt, 0.05);
  EXPECT_DOUBLE_EQ(MakeDist("HalfCheetahVel", "{physics: rllab}")->spec().dt, 0.01);
  EXPECT_DOUBLE_EQ(MakeDist("AntVel", "{physics: gym}")->spec().dt, 0.05);
  EXPECT_DOUBLE_EQ(MakeDist("AntVel", "{physics: rllab}")->spec().dt, 0.02);
}

TEST(Tasks, TaskTextParsesAndRoundTrips) {
  const Task t = Task::Parse("goal_x=0.25,goal_y=-1.5");
  EXPECT_EQ(t.Get("goal_x"), 0.25);
  EXPECT_EQ(t.Get("goal_y"), -1.5);
  EXPECT_EQ(Task::Parse(t.ToString()), t);
  EXPECT_NE(InvalidArgumentMessage([] { Task::Parse("velocity=fast"); }).find("fast"), std::string::npos);
  EXPECT_THROW(Task::Parse("velocity"), std::invalid_argument);
  EXPECT_THROW(Task::Parse(""), std::invalid_argument);
  EXPECT_THROW(Task::Parse("v=1,v=2"), std::invalid_argument);
  EXPECT_THROW(Task::Parse("v=nan"), std::invalid_argument);
}

}  // namespace
}  // namespace metarl::envs
