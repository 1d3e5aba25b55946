#pragma once
// `metarl bench rollout`: rollout throughput, measured in one run as
//   (a) floor  — the env's raw physics on the same batch with uniformly random
//                controls, no policy, one thread (MuJoCo: frame_skip × mj_step
//                per env step; other envs: Env::Step);
//   (b) runner — VectorRunner with the Gaussian MLP policy, one thread;
//   (c) runner — the same with `threads` threads.
// Each figure is env-steps per second (one env step = frame_skip mj_steps).

#include <cstdint>
#include <string>

namespace metarl::runners {

struct RolloutBenchOptions {
  std::string env = "HalfCheetahVel";
  std::string physics = "gym";  // MuJoCo envs only
  int tasks = 40;               // tasks in the batch (CLI --envs / --tasks)
  int trajs = 20;               // episodes per task; B = tasks × trajs
  int horizon = 200;            // episode length in steps
  int threads = 2;              // threads for (c)
  int repeats = 3;              // each measurement is the best of this many runs (single runs vary ~10% on a VM)
  std::uint64_t seed = 1;

  void Validate() const;
};

struct RolloutBenchResult {
  std::string env;
  int64_t batch = 0;
  int horizon = 0;
  int threads = 0;
  int frame_skip = 1;
  double floor_steps_per_s = 0.0;
  double runner_1t_steps_per_s = 0.0;
  double runner_nt_steps_per_s = 0.0;
  double ratio_policy_vs_floor() const { return runner_1t_steps_per_s / floor_steps_per_s; }
  double ratio_threads() const { return runner_nt_steps_per_s / runner_1t_steps_per_s; }

  std::string ToText() const;
  std::string ToJson() const;
};

RolloutBenchResult RunRolloutBench(const RolloutBenchOptions& options);

}  // namespace metarl::runners
