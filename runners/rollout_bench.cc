#include "runners/rollout_bench.h"

#include <chrono>
#include <cstdio>
#include <sstream>

#include <ATen/Parallel.h>

#include "core/error.h"
#include "core/threads.h"
#include "core/rng.h"
#include "envs/mujoco/mujoco_env.h"
#include "envs/registry.h"
#include "policies/gaussian_mlp.h"
#include "runners/vector_runner.h"

namespace metarl::runners {

void RolloutBenchOptions::Validate() const {
  METARL_REQUIRE(tasks >= 1, "--envs/--tasks = ", tasks, ": expected >= 1");
  METARL_REQUIRE(trajs >= 1, "--trajs = ", trajs, ": expected >= 1");
  METARL_REQUIRE(horizon >= 1, "--horizon = ", horizon, ": expected >= 1");
  METARL_REQUIRE(threads >= 1, "--threads = ", threads, ": expected >= 1");
  METARL_REQUIRE(repeats >= 1, "--repeats = ", repeats, ": expected >= 1");
}

namespace {

using Clock = std::chrono::steady_clock;

double Seconds(Clock::time_point start) {
  return std::chrono::duration<double>(Clock::now() - start).count();
}

// (a): raw physics, one thread, random controls in the action bounds.
double FloorStepsPerSecond(const envs::TaskDistribution& dist, int64_t batch, int horizon,
                           std::uint64_t seed) {
  std::vector<std::unique_ptr<envs::Env>> envs;
  Rng rng(StreamSeed(seed, {0xF1}));
  const auto tasks = dist.Sample(1, rng);
  for (int64_t b = 0; b < batch; ++b) {
    envs.push_back(dist.MakeEnv());
    envs.back()->ResetTask(tasks[0]);
  }
  const envs::EnvSpec spec = dist.spec();
  std::vector<float> obs(spec.obs_dim), action(spec.act_dim);
  for (auto& env : envs) env->Reset(rng, Span<float>(obs));

  auto* probe = dynamic_cast<envs::MujocoEnv*>(envs[0].get());
  int64_t steps = 0;
  const auto start = Clock::now();
  if (probe != nullptr) {
    const mjModel* m = probe->model();
    const int frame_skip = probe->physics().frame_skip;
    for (int t = 0; t < horizon; ++t) {
      for (auto& env : envs) {
        mjData* d = static_cast<envs::MujocoEnv*>(env.get())->data();
        for (int i = 0; i < m->nu; ++i) d->ctrl[i] = rng.Uniform(spec.act_low[i], spec.act_high[i]);
        for (int k = 0; k < frame_skip; ++k) mj_step(m, d);
      }
      steps += batch;
    }
  } else {
    for (int t = 0; t < horizon; ++t) {
      for (auto& env : envs) {
        if (!env->in_episode()) env->Reset(rng, Span<float>(obs));
        for (int i = 0; i < spec.act_dim; ++i) action[i] = rng.Uniform(spec.act_low[i], spec.act_high[i]);
        env->Step(Span<const float>(action), Span<float>(obs));
      }
      steps += batch;
    }
  }
  return static_cast<double>(steps) / Seconds(start);
}

double RunnerStepsPerSecond(const envs::TaskDistribution& dist, const std::vector<envs::Task>& tasks,
                            int trajs, int threads, policies::GaussianMlpPolicy& policy,
                            std::uint64_t seed) {
  VectorRunnerOptions options;
  options.threads = threads;
  VectorRunner runner(dist, options);
  // Warm-up outside the timed region: create the envs, touch the policy once.
  runner.Reserve(static_cast<int64_t>(tasks.size()) * trajs);
  runner.Sample({tasks[0]}, 1, policy, seed ^ 0xABCD);
  const auto start = Clock::now();
  const EpisodeBatch batch = runner.Sample(tasks, trajs, policy, seed);
  return static_cast<double>(batch.total_steps()) / Seconds(start);
}

std::string Fixed(double v, int digits) {
  char buf[64];
  std::snprintf(buf, sizeof(buf), "%.*f", digits, v);
  return buf;
}

}  // namespace

RolloutBenchResult RunRolloutBench(const RolloutBenchOptions& options) {
  options.Validate();
  YAML::Node kwargs;
  kwargs["horizon"] = options.horizon;
  if (envs::FindEnv(options.env).physics_presets) kwargs["physics"] = options.physics;
  ConfigMap config(kwargs, "bench options", "env-kwargs");
  auto dist = envs::MakeTaskDistribution(options.env, config);
  const envs::EnvSpec spec = dist->spec();
  envs::RequireContinuousActions(options.env, spec, "bench rollout (Gaussian policy)");

  Rng rng(options.seed);
  const std::vector<envs::Task> tasks = dist->Sample(options.tasks, rng);
  policies::GaussianMlpPolicy policy(spec.obs_dim, spec.act_dim, policies::GaussianMlpOptions{}, rng);

  // LibTorch intra-op threads stay at 1: the env threads own the cores.
  SetMathThreads(1);

  RolloutBenchResult result;
  result.env = options.env;
  result.batch = static_cast<int64_t>(options.tasks) * options.trajs;
  result.horizon = options.horizon;
  result.threads = options.threads;
  auto probe = dist->MakeEnv();
  if (auto* m = dynamic_cast<envs::MujocoEnv*>(probe.get())) result.frame_skip = m->physics().frame_skip;
  for (int r = 0; r < options.repeats; ++r) {
    const std::uint64_t seed = StreamSeed(options.seed, {static_cast<std::uint64_t>(r)});
    result.floor_steps_per_s = std::max(result.floor_steps_per_s,
                                        FloorStepsPerSecond(*dist, result.batch, options.horizon, seed));
    result.runner_1t_steps_per_s = std::max(
        result.runner_1t_steps_per_s, RunnerStepsPerSecond(*dist, tasks, options.trajs, 1, policy, seed));
    result.runner_nt_steps_per_s =
        std::max(result.runner_nt_steps_per_s,
                 RunnerStepsPerSecond(*dist, tasks, options.trajs, options.threads, policy, seed));
  }
  return result;
}

std::string RolloutBenchResult::ToText() const {
  std::ostringstream out;
  out << "bench rollout: " << env << ", " << batch << " envs, horizon " << horizon << ", frame_skip "
      << frame_skip << "\n"
      << "  (a) floor: raw physics, random controls, 1 thread  " << Fixed(floor_steps_per_s, 0)
      << " env-steps/s\n"
      << "  (b) runner + policy, 1 thread                      " << Fixed(runner_1t_steps_per_s, 0)
      << " env-steps/s   (b)/(a) = " << Fixed(ratio_policy_vs_floor(), 3) << "\n"
      << "  (c) runner + policy, " << threads << " threads                     "
      << Fixed(runner_nt_steps_per_s, 0) << " env-steps/s   (c)/(b) = " << Fixed(ratio_threads(), 3)
      << "\n";
  return out.str();
}

std::string RolloutBenchResult::ToJson() const {
  std::ostringstream out;
  out << "{\"env\": \"" << env << "\", \"envs\": " << batch << ", \"horizon\": " << horizon
      << ", \"frame_skip\": " << frame_skip << ", \"threads\": " << threads
      << ", \"floor_steps_per_s\": " << Fixed(floor_steps_per_s, 1)
      << ", \"runner_1t_steps_per_s\": " << Fixed(runner_1t_steps_per_s, 1)
      << ", \"runner_nt_steps_per_s\": " << Fixed(runner_nt_steps_per_s, 1)
      << ", \"ratio_policy_vs_floor\": " << Fixed(ratio_policy_vs_floor(), 4)
      << ", \"ratio_threads\": " << Fixed(ratio_threads(), 4) << "}";
  return out.str();
}

}  // namespace metarl::runners
