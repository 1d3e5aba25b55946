#pragma once
// The configuration keys every job that samples a meta-batch shares (`metarl
// rollout`, `metarl train`): the env, the policy, batch sizes, advantage
// estimation, seed, device and threads.

#include <cstdint>
#include <string>

#include "core/config.h"
#include "policies/gaussian_mlp.h"

namespace metarl::runners {

struct SamplingOptions {
  std::string env = "Navigation2D";     // a registered env (metarl envs); env-kwargs go to the registry
  policies::GaussianMlpOptions policy;  // key `policy`: hidden-sizes, nonlinearity, init-std
  int meta_batch_size = 40;             // tasks per batch (MAML: 40; navigation: 20)
  int fast_batch_size = 20;             // trajectories per task (per inner step when training)
  double gamma = 0.99;                  // discount
  double gae_lambda = 1.0;              // GAE λ
  std::uint64_t seed = 1;               // base seed of every random stream
  std::string device = "cpu";           // cpu | cuda | cuda:N | auto
  int threads = 0;                      // env-stepping (and TRPO task-chunk) threads; 0 = all hardware threads

  // Keys: env, policy, meta-batch-size, fast-batch-size, gamma, gae-lambda,
  // seed, device, threads.
  void Read(ConfigMap& config);
  void Validate() const;  // std::invalid_argument naming the key and value
};

}  // namespace metarl::runners
