#pragma once
// The configuration keys the training and sampling jobs share (`metarl
// rollout`, `metarl train`): the env, batch sizes, advantage estimation,
// seed, device and threads; the MAML family adds its policy.

#include <cstdint>
#include <string>

#include "core/config.h"
#include "policies/gaussian_mlp.h"
#include "runners/vector_runner.h"

namespace metarl::runners {

// The keys of every training job: env, meta-batch-size, gamma, gae-lambda,
// seed, device, threads.
struct RunOptions {
  std::string env = "Navigation2D";     // a registered env (metarl envs); env-kwargs go to the registry
  int meta_batch_size = 40;             // tasks per batch (MAML: 40; navigation: 20; RL²: trials per batch)
  double gamma = 0.99;                  // discount
  double gae_lambda = 1.0;              // GAE λ
  std::uint64_t seed = 1;               // base seed of every random stream
  std::string device = "cpu";           // cpu | cuda | cuda:N | auto
  int threads = 0;                      // env-stepping (and TRPO task-chunk) threads; 0 = all hardware threads

  void Read(ConfigMap& config);
  void Validate() const;  // std::invalid_argument naming the key and value
  int ResolvedThreads() const;  // threads, or the hardware's thread count for 0
};

// RunOptions plus the Gaussian MLP policy (key `policy`: hidden-sizes,
// nonlinearity, init-std) and fast-batch-size, for the MAML family.
struct SamplingOptions : RunOptions {
  policies::GaussianMlpOptions policy;
  int fast_batch_size = 20;             // trajectories per task (per inner step when training)
  // "steps": each task's batch is fast-batch-size × horizon steps of complete
  // episodes, envs restarting when an episode ends (cbfinn/maml_rl's sampler,
  // the MAML paper); "episodes": fast-batch-size episodes per task, an env
  // idling once its episode ends (pytorch-maml-rl). The same without
  // terminations. runners/vector_runner.h.
  std::string batch_unit = "steps";

  void Read(ConfigMap& config);
  void Validate() const;
  BatchUnit unit() const { return batch_unit == "episodes" ? BatchUnit::kEpisodes : BatchUnit::kSteps; }
};

}  // namespace metarl::runners
