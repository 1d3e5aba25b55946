#include "runners/rl2_setup.h"

#include <ATen/ATen.h>
#include <torch/autograd.h>

#include "core/device.h"
#include "core/error.h"
#include "core/threads.h"
#include "envs/registry.h"
#include "runners/episodes.h"
#include "runners/maml_setup.h"

namespace metarl::runners {

std::string ConfiguredAlgorithm(const ConfigMap& config) {
  ConfigMap peek = config;  // shares the node; recording the key here is harmless
  std::string algorithm = "maml-trpo";
  peek.Read("algorithm", &algorithm);
  return algorithm;
}

void Rl2TrainOptions::Read(ConfigMap& config) {
  RunOptions::Read(config);
  config.Read("algorithm", &algorithm);
  ConfigMap policy_map = config.Child("policy");
  policy.Read(policy_map);
  config.Read("episodes-per-trial", &episodes_per_trial);
  ppo.Read(config);
  config.Read("lr", &adam.lr);
  config.Read("num-batches", &num_batches);
  config.Read("checkpoint-every", &checkpoint_every);
  config.Read("sampling-device", &sampling_device);
}

void Rl2TrainOptions::Validate() const {
  RunOptions::Validate();
  METARL_REQUIRE(algorithm == kRl2Algorithm, "algorithm = '", algorithm, "': expected '", kRl2Algorithm, "'");
  policy.Validate();
  METARL_REQUIRE(episodes_per_trial >= 1, "episodes-per-trial = ", episodes_per_trial, ": expected an integer >= 1");
  ppo.Validate();
  METARL_REQUIRE(meta_batch_size >= ppo.minibatches, "meta-batch-size = ", meta_batch_size,
                 ": expected at least num-minibatches = ", ppo.minibatches, " trials");
  METARL_REQUIRE(std::isfinite(adam.lr) && adam.lr > 0.0, "lr = ", adam.lr, ": expected a positive number");
  METARL_REQUIRE(num_batches >= 1, "num-batches = ", num_batches, ": expected an integer >= 1");
  METARL_REQUIRE(checkpoint_every >= 1, "checkpoint-every = ", checkpoint_every, ": expected an integer >= 1");
  METARL_REQUIRE(sampling_device == "device" || sampling_device == "cpu", "sampling-device = '", sampling_device,
                 "': expected device (where the policy is) or cpu");
}

Rl2Setup::Rl2Setup(ConfigMap& config) {
  options_.Read(config);
  ConfigMap env_kwargs = config.Child("env-kwargs");
  distribution_ = envs::MakeTaskDistribution(options_.env, env_kwargs);
  config.CheckNoUnknownKeys();
  try {
    options_.Validate();
  } catch (const std::invalid_argument& e) {
    throw std::invalid_argument(Cat(config.source(), ": ", e.what()));
  }
  device_ = ParseDevice(options_.device);
  resolved_ = config.Resolved();
  const envs::EnvSpec spec = distribution_->spec();
  Rng init(StreamSeed(options_.seed, {kInitStream}));
  policy_ = std::make_shared<policies::RecurrentPolicy>(spec.obs_dim, spec.act_dim, spec.num_actions,
                                                        options_.policy, init);
  if (options_.sampling_device == "cpu" && !device_.is_cpu()) {
    Rng copy_init(StreamSeed(options_.seed, {kInitStream}));
    cpu_policy_ = std::make_shared<policies::RecurrentPolicy>(spec.obs_dim, spec.act_dim, spec.num_actions,
                                                              options_.policy, copy_init);
  }
  policy_->to(device_);
  adam_ = algorithms::FlatAdam(options_.adam);
  SetMathThreads(1);
  VectorRunnerOptions runner_options;
  runner_options.threads = options_.ResolvedThreads();
  runner_ = std::make_unique<TrialRunner>(*distribution_, runner_options);
}

policies::RecurrentPolicy& Rl2Setup::SamplingPolicy() {
  if (!cpu_policy_) return *policy_;
  torch::NoGradGuard no_grad;
  const policies::Params from = policy_->parameters_list(), to = cpu_policy_->parameters_list();
  for (std::size_t i = 0; i < from.size(); ++i) to[i].copy_(from[i]);
  return *cpu_policy_;
}

algorithms::Rl2PpoBatch Rl2Setup::MakePpoBatch(const TrialBatch& trials) {
  algorithms::Rl2PpoBatch batch;
  batch.inputs = trials.inputs.to(device_);
  batch.actions = trials.actions.to(device_);
  batch.masks = trials.masks.to(device_);
  torch::NoGradGuard no_grad;
  const policies::RecurrentEvaluation eval = policy_->Evaluate(batch.inputs, batch.actions, 0);
  batch.old_log_probs = eval.log_probs;
  const at::Tensor values = eval.values * batch.masks;
  const at::Tensor advantages = Gae(trials.rewards, trials.lengths, values, options_.gamma, options_.gae_lambda);
  batch.advantages = advantages.to(device_);
  batch.returns = batch.advantages + values;
  return batch;
}

}  // namespace metarl::runners
