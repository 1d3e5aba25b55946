#pragma once
// `metarl bench adapt`: seconds per meta-update of a MAML-family config on
// the CPU and on the GPU in the same run. A meta-update is what the outer
// step does with one meta-batch of sampled episodes: the per-task adaptation
// with its graph (MAML's inner steps, batched over tasks), the meta-gradient
// and the algorithm's step (TRPO: conjugate gradient with Hessian-vector
// products and the line search). Sampling is not timed: the episodes are
// sampled once, on CPU threads as in training, and the same episodes are
// given to each device (copied there before the clock starts).
//
// The default config's meta-batch is the 40 tasks × 20 trajectories ×
// horizon 200 (configs/maml/halfcheetah-vel.yaml). Each device runs `warmup`
// untimed meta-updates (CUDA's lazy initialisation, allocator growth), then
// `iterations` timed ones on the same episodes (the policy moves on with each
// step, as in training); the median is reported. Both devices start from the
// config's initial policy. Without a GPU (CPU-only LibTorch, or no device)
// the GPU figures are absent (null in JSON).

#include <optional>
#include <string>
#include <vector>

namespace metarl::runners {

struct AdaptBenchOptions {
  std::string config_file;             // a MAML-family training config (configs/maml/...)
  std::vector<std::string> overrides;  // --set key=value (device is ignored: both are measured)
  int iterations = 3;                  // timed meta-updates per device (median reported)
  int warmup = 1;                      // untimed meta-updates per device first
};

struct AdaptBenchResult {
  std::string algorithm;
  std::string env;
  int tasks = 0;          // meta-batch-size
  int trajectories = 0;   // fast-batch-size (episodes per task and inner step)
  int horizon = 0;        // the env's time limit (steps per episode)
  int inner_steps = 0;    // num-steps
  int threads = 0;        // CPU threads (sampling and the CPU meta-update)
  std::vector<double> cpu_seconds;  // per timed meta-update
  std::vector<double> gpu_seconds;  // empty without a GPU
  std::string gpu;                  // "cuda:0", or empty

  double CpuMedian() const;
  std::optional<double> GpuMedian() const;
  std::string ToText() const;
  // {"cpu_s_per_meta_update": …, "gpu_s_per_meta_update": … | null, "speedup": … | null, …}
  std::string ToJson() const;
};

AdaptBenchResult RunAdaptBench(const AdaptBenchOptions& options);

}  // namespace metarl::runners
