#include "runners/rollout_job.h"

#include <chrono>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <iostream>
#include <thread>

#include <ATen/ATen.h>
#include <ATen/Parallel.h>

#include "core/device.h"
#include "core/error.h"
#include "core/threads.h"
#include "core/rng.h"
#include "envs/registry.h"
#include "runners/episodes.h"
#include "runners/linear_baseline.h"
#include "runners/sampling_options.h"
#include "runners/vector_runner.h"

namespace metarl::runners {

namespace {

double ExplainedVariance(const at::Tensor& values, const at::Tensor& returns, const at::Tensor& masks) {
  const at::Tensor valid = masks > 0.5;
  const at::Tensor v = values.masked_select(valid).to(at::kDouble);
  const at::Tensor r = returns.masked_select(valid).to(at::kDouble);
  const double var = r.var(/*unbiased=*/false).item<double>();
  if (var == 0.0) return 0.0;
  return 1.0 - (r - v).var(false).item<double>() / var;
}

}  // namespace

RolloutJobSummary RunRolloutJob(const std::string& config_file, const std::string& out_dir) {
  ConfigMap config = ConfigMap::FromFile(config_file);
  SamplingOptions options;
  options.Read(config);
  ConfigMap env_kwargs = config.Child("env-kwargs");
  auto dist = envs::MakeTaskDistribution(options.env, env_kwargs);
  config.CheckNoUnknownKeys();
  envs::RequireContinuousActions(options.env, dist->spec(), Cat(config_file, ": metarl rollout (Gaussian policy)"));
  try {
    options.Validate();
  } catch (const std::invalid_argument& e) {
    throw std::invalid_argument(Cat(config_file, ": ", e.what()));
  }
  const c10::Device device = ParseDevice(options.device);
  const int threads = options.ResolvedThreads();
  SetMathThreads(1);

  namespace fs = std::filesystem;
  std::error_code ec;
  fs::create_directories(out_dir, ec);
  METARL_REQUIRE(!ec, "cannot create output directory '", out_dir, "': ", ec.message());
  WriteYamlFile(config.Resolved(), (fs::path(out_dir) / "config.yaml").string());

  const envs::EnvSpec spec = dist->spec();
  Rng init_rng(StreamSeed(options.seed, {0}));
  policies::GaussianMlpPolicy policy(spec.obs_dim, spec.act_dim, options.policy, init_rng);
  policy.to(device);
  Rng task_rng(StreamSeed(options.seed, {1}));
  const std::vector<envs::Task> tasks = dist->Sample(options.meta_batch_size, task_rng);

  VectorRunnerOptions runner_options;
  runner_options.threads = threads;
  VectorRunner runner(*dist, runner_options);
  const auto start = std::chrono::steady_clock::now();
  const EpisodeBatch batch =
      runner.Sample(tasks, options.fast_batch_size, policy, StreamSeed(options.seed, {2}), 0, options.unit());
  const at::Tensor returns = DiscountedReturns(batch, options.gamma);
  const at::Tensor values = FitLinearBaseline(batch, returns, LinearBaselineOptions{}, &runner.pool());
  const at::Tensor advantages = Gae(batch, values, options.gamma, options.gae_lambda);
  const double seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
  METARL_CHECK(at::isfinite(advantages).all().item<bool>(), "non-finite advantages");

  RolloutJobSummary summary;
  for (int e : batch.task_episodes) summary.episodes += e;
  summary.env_steps = batch.total_steps();
  summary.seconds = seconds;
  summary.baseline_explained_variance = ExplainedVariance(values, returns, batch.masks);
  const std::vector<double> episode_returns = batch.EpisodeReturns();
  const std::string csv_path = (fs::path(out_dir) / "episodes.csv").string();
  const std::string tmp = csv_path + ".tmp";
  {
    std::ofstream csv(tmp, std::ios::trunc);
    METARL_REQUIRE(csv.good(), "cannot write '", tmp, "'");
    csv << "task_id,task,episode,length,return,terminated,unstable\n";
    csv.precision(9);
    for (int64_t b = 0; b < batch.size(); ++b) {
      const int episode = static_cast<int>(b % batch.episodes_per_task);
      if (episode >= batch.task_episodes[batch.task_ids[b]]) continue;  // an empty column
      csv << batch.task_ids[b] << ",\"" << tasks[batch.task_ids[b]].ToString() << "\"," << episode << ","
          << batch.lengths[b] << "," << episode_returns[b] << "," << static_cast<int>(batch.terminated[b]) << ","
          << static_cast<int>(batch.unstable[b]) << "\n";
      summary.mean_return += episode_returns[b] / summary.episodes;
      summary.unstable_episodes += batch.unstable[b];
    }
    csv.flush();
    if (!csv.good()) throw std::runtime_error(Cat("write to '", tmp, "' failed"));
  }
  fs::rename(tmp, csv_path);
  return summary;
}

}  // namespace metarl::runners
