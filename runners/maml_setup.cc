#include "runners/maml_setup.h"

#include <algorithm>
#include <chrono>
#include <thread>

#include <ATen/ATen.h>

#include "core/device.h"
#include "core/error.h"
#include "core/gather_rows.h"
#include "core/threads.h"
#include "envs/registry.h"
#include "policies/per_task_policy.h"

namespace metarl::runners {

const std::vector<std::string>& MetaAlgorithms() {
  static const std::vector<std::string> names = {"maml-trpo", "maml-vpg", "maml-ppo", "promp"};
  return names;
}

namespace {

std::unique_ptr<algorithms::MetaOptimizer> MakeMetaOptimizer(const MamlTrainOptions& o) {
  if (o.algorithm == "maml-trpo") return std::make_unique<algorithms::MamlTrpoOptimizer>(o.maml);
  if (o.algorithm == "maml-vpg") return std::make_unique<algorithms::MamlVpgOptimizer>(o.maml, o.adam);
  if (o.algorithm == "maml-ppo") return std::make_unique<algorithms::MamlPpoOptimizer>(o.maml, o.ppo, o.adam);
  if (o.algorithm == "promp") return std::make_unique<algorithms::ProMpOptimizer>(o.maml, o.promp, o.adam);
  throw std::invalid_argument(Cat("algorithm = '", o.algorithm, "' has no outer step"));
}

}  // namespace

void MamlTrainOptions::Read(ConfigMap& config) {
  SamplingOptions::Read(config);
  config.Read("algorithm", &algorithm);
  maml.Read(config, /*trpo_keys=*/algorithm == "maml-trpo");
  exploration.Read(config);
  if (algorithm != "maml-trpo") config.Read("outer-lr", &adam.lr);
  if (algorithm == "maml-ppo") ppo.Read(config, "num-ppo-steps");
  if (algorithm == "promp") promp.Read(config);
  config.Read("num-batches", &num_batches);
  config.Read("checkpoint-every", &checkpoint_every);
  config.Read("sampling-device", &sampling_device);
}

void MamlTrainOptions::Validate() const {
  SamplingOptions::Validate();
  const auto& names = MetaAlgorithms();
  if (std::find(names.begin(), names.end(), algorithm) == names.end()) {
    std::string known;
    for (const auto& n : names) known += (known.empty() ? "" : ", ") + n;
    throw std::invalid_argument(Cat("algorithm = '", algorithm, "': expected one of ", known));
  }
  maml.Validate();
  exploration.Validate();
  ppo.Validate("num-ppo-steps");
  promp.Validate();
  METARL_REQUIRE(adam.lr > 0.0, "outer-lr = ", adam.lr, ": expected a positive number");
  METARL_REQUIRE(sampling_device == "device" || sampling_device == "cpu", "sampling-device = '", sampling_device,
                 "': expected device (where the policy is) or cpu");
  METARL_REQUIRE(!exploration.enabled || meta_batch_size >= 2,
                 "exploration: true needs meta-batch-size >= 2 (E-MAML's baseline is the other tasks' mean)");
  METARL_REQUIRE(num_batches >= 1, "num-batches = ", num_batches, ": expected an integer >= 1");
  METARL_REQUIRE(checkpoint_every >= 1, "checkpoint-every = ", checkpoint_every, ": expected an integer >= 1");
}

MamlSetup::MamlSetup(ConfigMap& config) {
  options_.Read(config);
  ConfigMap env_kwargs = config.Child("env-kwargs");
  distribution_ = envs::MakeTaskDistribution(options_.env, env_kwargs);
  config.CheckNoUnknownKeys();
  envs::RequireContinuousActions(options_.env, distribution_->spec(),
                                 Cat(config.source(), ": algorithm '", options_.algorithm, "' (Gaussian policy)"));
  try {
    options_.Validate();
  } catch (const std::invalid_argument& e) {
    throw std::invalid_argument(Cat(config.source(), ": ", e.what()));
  }
  device_ = ParseDevice(options_.device);
  sampling_device_ = options_.sampling_device == "cpu" ? c10::Device(c10::kCPU) : device_;
  optimizer_ = MakeMetaOptimizer(options_);
  resolved_ = config.Resolved();
  const envs::EnvSpec spec = distribution_->spec();
  Rng init(StreamSeed(options_.seed, {kInitStream}));
  policy_ = std::make_unique<policies::GaussianMlpPolicy>(spec.obs_dim, spec.act_dim, options_.policy, init);
  policy_->to(device_);
  SetMathThreads(1);
  VectorRunnerOptions runner_options;
  runner_options.threads = options_.ResolvedThreads();
  runner_ = std::make_unique<VectorRunner>(*distribution_, runner_options);
  advantages_.gamma = options_.gamma;
  advantages_.gae_lambda = options_.gae_lambda;
}

double AdaptationSchedule::StepSize(int step, double config_fast_lr) const {
  if (fast_lrs.empty()) return config_fast_lr;
  return fast_lrs[std::min<std::size_t>(static_cast<std::size_t>(step), fast_lrs.size()) - 1];
}

namespace {

// Σ r, Σ r² and the number of real steps of each task of `e`, [tasks].
std::vector<algorithms::RewardMoments> TaskRewardMoments(const EpisodeBatch& e) {
  const at::Tensor r = e.rewards.contiguous();
  const float* data = r.data_ptr<float>();
  const int64_t b_size = e.size();
  std::vector<algorithms::RewardMoments> out(e.tasks.size());
  for (int64_t b = 0; b < b_size; ++b) {
    algorithms::RewardMoments& m = out[e.task_ids[b]];
    for (int t = 0; t < e.lengths[b]; ++t) {
      const double x = data[t * b_size + b];
      m.sum += x;
      m.sum_squares += x * x;
    }
    m.steps += e.lengths[b];
  }
  return out;
}

}  // namespace

MamlSetup::Rollouts MamlSetup::RolloutWithAdaptation(const std::vector<envs::Task>& tasks, int steps,
                                                     std::uint64_t seed, const AdaptationSchedule& schedule,
                                                     const TaskShard& shard) {
  using Clock = std::chrono::steady_clock;
  auto since = [](Clock::time_point t) { return std::chrono::duration<double>(Clock::now() - t).count(); };
  Rollouts out;
  out.shard = shard;
  METARL_REQUIRE(shard.total == 0 || shard.count == static_cast<int64_t>(tasks.size()), "a shard of ",
                 shard.count, " tasks given ", tasks.size(), " tasks");
  const int n = schedule.episodes_per_task > 0 ? schedule.episodes_per_task : options_.fast_batch_size;
  const auto first_stream = static_cast<std::uint64_t>(shard.first) * static_cast<std::uint64_t>(n);
  // Per-task parameters [K, ...], leaves that require grad (no-graph steps).
  policies::Params current = policies::GaussianMlpPolicy::Stack(policy_->parameters_list(),
                                                                static_cast<int64_t>(tasks.size()));
  for (auto& p : current) p = p.detach().requires_grad_(true);
  for (int s = 0; s <= steps; ++s) {
    auto start = Clock::now();
    if (s > 0) {
      const double lr = schedule.StepSize(s, options_.maml.fast_lr);
      current = algorithms::InnerStep(*policy_, current, out.batches.back(), lr, algorithms::AdaptGraph::kNone).params;
      for (const auto& p : current) {
        if (!at::isfinite(p).all().item<bool>()) {
          throw std::runtime_error(Cat("the policy parameters after ", s,
                                       " inner step(s) are not finite (NaN/Inf); fast-lr = ", lr,
                                       " may be too large"));
        }
      }
    }
    policies::Params per_task;
    for (const auto& p : current) per_task.push_back(p.detach());
    out.params.push_back(per_task);
    out.seconds_adapting += since(start);

    start = Clock::now();
    policies::Params sampling_params = per_task;
    if (sampling_device_ != device_) {
      for (auto& p : sampling_params) p = p.to(sampling_device_);
    }
    policies::PerTaskPolicy sampler(*policy_, sampling_params, n);
    const EpisodeBatch episodes = runner_->Sample(tasks, n, sampler, StreamSeed(seed, {static_cast<std::uint64_t>(s)}),
                                            first_stream, options_.unit());
    out.seconds_sampling += since(start);
    for (std::uint8_t u : episodes.unstable) out.unstable_episodes += u;

    start = Clock::now();
    std::vector<double> per_task_mean = episodes.TaskMeanReturns();
    std::vector<int> per_task_episodes = episodes.task_episodes;
    if (shard.distributed()) {
      per_task_mean = AllGather(*shard.comm, per_task_mean);
      per_task_episodes = AllGather(*shard.comm, per_task_episodes);
    }
    double mean = 0.0;
    for (double r : per_task_mean) mean += r / per_task_mean.size();
    out.task_returns.push_back(per_task_mean);
    out.task_episodes.push_back(per_task_episodes);
    if (s == steps) {
      out.post_rewards = TaskRewardMoments(episodes);
      if (shard.distributed()) out.post_rewards = AllGather(*shard.comm, out.post_rewards);
    }
    out.mean_returns.push_back(mean);
    // Ranks sharing a meta-batch pack their tasks to the same width as one
    // process would (task_batch.h MakeTaskBatch).
    int64_t width = algorithms::LargestTaskSteps(episodes);
    if (shard.distributed()) {
      for (int64_t w : AllGather(*shard.comm, std::vector<int64_t>{width})) width = std::max(width, w);
    }
    out.batches.push_back(
        algorithms::MakeTaskBatch(episodes, advantages_, &runner_->pool(), width).To(device_, at::kFloat));
    out.seconds_adapting += since(start);
  }
  return out;
}

algorithms::MetaBatch MamlSetup::TakeMetaBatch(Rollouts& rollouts) const {
  algorithms::TaskBatch valid = rollouts.batches.back();
  rollouts.batches.pop_back();
  algorithms::MetaBatch batch{std::move(rollouts.batches), valid, {}, rollouts.shard};
  if (options_.exploration.enabled) {
    // The credit compares a task with the others: every rank's tasks.
    const TaskShard& shard = rollouts.shard;
    const bool gather = shard.distributed();
    at::Tensor credit;
    if (options_.exploration.exact()) {
      const at::Tensor masks = gather ? AllGatherRows(*shard.comm, valid.masks) : valid.masks;
      const at::Tensor scale = gather && valid.advantage_scale.defined()
                                   ? AllGatherRows(*shard.comm, valid.advantage_scale)
                                   : valid.advantage_scale;
      credit = algorithms::ExactExplorationCredit(rollouts.task_returns.back(), masks, rollouts.task_episodes.back(),
                                                  scale, options_.exploration);
    } else {
      credit = algorithms::ReferenceExplorationCredit(rollouts.post_rewards, options_.exploration);
    }
    if (gather) credit = credit.narrow(0, shard.first, shard.count);
    std::vector<at::Tensor> train_masks;
    for (const auto& b : batch.train) train_masks.push_back(b.masks);
    batch.exploration_weights = algorithms::ExplorationWeights(credit, train_masks, !options_.exploration.exact())
                                    .to(valid.masks.device(), valid.masks.scalar_type());
  }
  return batch;
}

}  // namespace metarl::runners
