#include "runners/adapt_bench.h"

#include <chrono>
#include <memory>
#include <sstream>

#include <torch/cuda.h>

#include "core/config.h"
#include "core/error.h"
#include "core/rng.h"
#include "runners/bench_stats.h"
#include "runners/maml_setup.h"

namespace metarl::runners {

namespace {

// The episodes of one meta-batch: inner batches and the validation batch.
algorithms::MetaBatch SampleMetaBatch(MamlSetup& setup) {
  const MamlTrainOptions& o = setup.options();
  Rng task_rng(StreamSeed(o.seed, {kTrainTasks, 0}));
  const std::vector<envs::Task> tasks = setup.distribution().Sample(o.meta_batch_size, task_rng);
  MamlSetup::Rollouts rollouts = setup.RolloutWithAdaptation(tasks, o.maml.num_steps, StreamSeed(o.seed, {kTrainRollouts, 0}));
  return setup.TakeMetaBatch(rollouts);
}

algorithms::MetaBatch To(const algorithms::MetaBatch& b, const c10::Device& device) {
  algorithms::MetaBatch out;
  for (const auto& t : b.train) out.train.push_back(t.To(device, at::kFloat));
  out.valid = b.valid.To(device, at::kFloat);
  if (b.exploration_weights.defined()) out.exploration_weights = b.exploration_weights.to(device);
  return out;
}

// Seconds of each timed meta-update of `setup`'s policy on `batch`.
std::vector<double> TimeMetaUpdates(MamlSetup& setup, const algorithms::MetaBatch& batch, bool cuda,
                                    const AdaptBenchOptions& options) {
  std::vector<double> seconds;
  for (int i = 0; i < options.warmup + options.iterations; ++i) {
    if (cuda) torch::cuda::synchronize();
    const auto start = std::chrono::steady_clock::now();
    setup.optimizer().Step(setup.policy(), batch, &setup.runner().pool());
    if (cuda) torch::cuda::synchronize();
    const double s = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
    if (i >= options.warmup) seconds.push_back(s);
  }
  return seconds;
}

std::unique_ptr<MamlSetup> MakeSetup(const AdaptBenchOptions& options, const std::string& device) {
  std::vector<std::string> overrides = options.overrides;
  overrides.push_back("device=" + device);
  ConfigMap config = ConfigMap::FromFile(options.config_file, overrides);
  return std::make_unique<MamlSetup>(config);
}

}  // namespace

double AdaptBenchResult::CpuMedian() const {
  return MedianOf(cpu_seconds, [](double s) { return s; });
}

std::optional<double> AdaptBenchResult::GpuMedian() const {
  if (gpu_seconds.empty()) return std::nullopt;
  return MedianOf(gpu_seconds, [](double s) { return s; });
}

std::string AdaptBenchResult::ToText() const {
  std::ostringstream out;
  out.setf(std::ios::fixed);
  out.precision(3);
  out << algorithm << " meta-update (adaptation + meta-gradient + outer step): " << env << ", " << tasks
      << " tasks x " << trajectories << " trajectories x horizon " << horizon << ", " << inner_steps
      << " inner step(s)\n";
  auto row = [&](const std::string& name, const std::vector<double>& s) {
    out << name << ":";
    for (double v : s) out << " " << v;
    out << "  median " << MedianOf(s, [](double v) { return v; }) << " s\n";
  };
  row("cpu (" + std::to_string(threads) + " threads)", cpu_seconds);
  if (gpu_seconds.empty()) {
    out << "gpu: none (LibTorch without CUDA, or no CUDA device)\n";
  } else {
    row("gpu (" + gpu + ")", gpu_seconds);
    out << "speedup (cpu / gpu): " << CpuMedian() / *GpuMedian() << "x\n";
  }
  return out.str();
}

std::string AdaptBenchResult::ToJson() const {
  std::ostringstream out;
  out.precision(6);
  const std::optional<double> gpu_median = GpuMedian();
  out << "{\"algorithm\": \"" << algorithm << "\", \"env\": \"" << env << "\", \"tasks\": " << tasks
      << ", \"trajectories\": " << trajectories << ", \"horizon\": " << horizon << ", \"inner_steps\": " << inner_steps
      << ", \"threads\": " << threads << ", \"iterations\": " << cpu_seconds.size()
      << ", \"cpu_s_per_meta_update\": " << CpuMedian() << ", \"gpu_s_per_meta_update\": ";
  if (gpu_median) {
    out << *gpu_median << ", \"speedup\": " << CpuMedian() / *gpu_median << ", \"gpu\": \"" << gpu << "\"}";
  } else {
    out << "null, \"speedup\": null, \"gpu\": null}";
  }
  return out.str();
}

AdaptBenchResult RunAdaptBench(const AdaptBenchOptions& options) {
  METARL_REQUIRE(options.iterations >= 1, "--iterations = ", options.iterations, ": expected an integer >= 1");
  METARL_REQUIRE(options.warmup >= 0, "--warmup = ", options.warmup, ": expected an integer >= 0");
  std::unique_ptr<MamlSetup> cpu = MakeSetup(options, "cpu");
  const MamlTrainOptions& o = cpu->options();
  AdaptBenchResult result;
  result.algorithm = o.algorithm;
  result.env = o.env;
  result.tasks = o.meta_batch_size;
  result.trajectories = o.fast_batch_size;
  result.inner_steps = o.maml.num_steps;
  result.threads = cpu->runner().pool().num_threads();
  // Sampled before any step, with the initial policy that both devices start from.
  const algorithms::MetaBatch batch = SampleMetaBatch(*cpu);
  result.horizon = cpu->distribution().spec().horizon;
  result.cpu_seconds = TimeMetaUpdates(*cpu, batch, false, options);
  if (torch::cuda::is_available()) {
    std::unique_ptr<MamlSetup> gpu = MakeSetup(options, "cuda:0");
    result.gpu = "cuda:0";
    result.gpu_seconds = TimeMetaUpdates(*gpu, To(batch, gpu->device()), true, options);
  }
  return result;
}

}  // namespace metarl::runners
