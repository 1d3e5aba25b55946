#include "core/device.h"

#include <ATen/ATen.h>
#include <gtest/gtest.h>
#include <torch/cuda.h>

#include "policies/gaussian_mlp.h"
#include "algorithms/rl2/rl2_ppo.h"
#include "runners/fewshot_setup.h"
#include "runners/maml_setup.h"
#include "runners/rl2_setup.h"
#include "runners/vector_runner.h"
#include "tests/test_util.h"

namespace metarl {
namespace {

TEST(Device, ParsesNamesAndRejectsUnknownOnes) {
  EXPECT_EQ(ParseDevice("cpu"), c10::Device(c10::kCPU));
  const c10::Device automatic = ParseDevice("auto");
  EXPECT_EQ(automatic.is_cuda(), torch::cuda::is_available());
  const std::string msg = testing::InvalidArgumentMessage([] { ParseDevice("tpu"); });
  EXPECT_NE(msg.find("'tpu'"), std::string::npos) << msg;
  EXPECT_NE(msg.find("cpu, cuda"), std::string::npos) << msg;
  if (!torch::cuda::is_available()) {
    EXPECT_NE(testing::InvalidArgumentMessage([] { ParseDevice("cuda"); }).find("no CUDA device"),
              std::string::npos);
  }
}

// The runner with the policy on the GPU produces the same episodes as on the
// CPU up to floating-point differences of the forward pass.
TEST(Device, RolloutWithThePolicyOnCudaMatchesCpu) {
  if (!torch::cuda::is_available()) GTEST_SKIP() << "no CUDA device: CUDA rollout not checked on this machine";
  auto dist = testing::MakeDist("Navigation2D", "{horizon: 10}");
  Rng rng(1), rng_gpu(1);
  const auto tasks = dist->Sample(2, rng);
  rng_gpu = rng;
  policies::GaussianMlpOptions options;
  options.hidden_sizes = {16};
  policies::GaussianMlpPolicy cpu(2, 2, options, rng);
  policies::GaussianMlpPolicy gpu(2, 2, options, rng_gpu);
  gpu.to(ParseDevice("cuda"));
  runners::VectorRunner runner(*dist, runners::VectorRunnerOptions{});
  const runners::EpisodeBatch a = runner.Sample(tasks, 3, cpu, 5);
  const runners::EpisodeBatch b = runner.Sample(tasks, 3, gpu, 5);
  EXPECT_TRUE(at::allclose(a.actions, b.actions, 1e-4, 1e-5));
}

const char* kNavigationYaml =
    "env: Navigation2D\nenv-kwargs: {horizon: 10}\npolicy: {hidden-sizes: [16]}\nmeta-batch-size: 3\n"
    "fast-batch-size: 4\nthreads: 1\n";

runners::MamlSetup::Rollouts Rollouts(const std::string& extra) {
  ConfigMap config = ConfigMap::FromString(std::string(kNavigationYaml) + extra);
  runners::MamlSetup setup(config);
  Rng rng(3);
  return setup.RolloutWithAdaptation(setup.distribution().Sample(3, rng), 1, 5);
}

// sampling-device: cpu keeps the action-sampling forward on the CPU; with the
// policy on the CPU too it changes nothing, bit for bit. Unknown values are
// refused by name.
TEST(Device, SamplingDeviceCpuIsValidatedAndChangesNothingOnTheCpu) {
  const auto a = Rollouts("device: cpu\n"), b = Rollouts("device: cpu\nsampling-device: cpu\n");
  ASSERT_EQ(a.batches.size(), b.batches.size());
  for (std::size_t s = 0; s < a.batches.size(); ++s) {
    EXPECT_TRUE(at::equal(a.batches[s].actions, b.batches[s].actions)) << "step " << s;
  }
  EXPECT_NE(testing::InvalidArgumentMessage([] { Rollouts("sampling-device: gpu\n"); }).find("sampling-device = 'gpu'"),
            std::string::npos);
}

// With the policy on the GPU, sampling on the CPU gives the episodes that
// sampling on the GPU gives (up to the forward pass's float rounding), and the
// adapted parameters agree.
TEST(Device, SamplingOnTheCpuWithThePolicyOnCudaMatchesSamplingOnCuda) {
  if (!torch::cuda::is_available()) GTEST_SKIP() << "no CUDA device: CPU sampling beside a CUDA policy not checked";
  const auto a = Rollouts("device: cuda\n"), b = Rollouts("device: cuda\nsampling-device: cpu\n");
  ASSERT_EQ(a.batches.size(), b.batches.size());
  for (std::size_t s = 0; s < a.batches.size(); ++s) {
    EXPECT_TRUE(at::allclose(a.batches[s].actions.cpu(), b.batches[s].actions.cpu(), 1e-4, 1e-5)) << "step " << s;
  }
  for (std::size_t i = 0; i < a.params.back().size(); ++i) {
    EXPECT_TRUE(at::allclose(a.params.back()[i].cpu(), b.params.back()[i].cpu(), 1e-4, 1e-5)) << "parameter " << i;
  }
}

// The MAML-TRPO meta-update (batched second-order adaptation, meta-gradient,
// conjugate gradient, line search) on the GPU takes the CPU's step from the
// same episodes, up to float rounding: the same assertion as on the CPU, on
// `device: cuda`. This is what `metarl bench adapt` times on both devices.
TEST(Device, MamlTrpoMetaUpdateOnCudaMatchesCpu) {
  if (!torch::cuda::is_available()) GTEST_SKIP() << "no CUDA device: the CUDA meta-update not checked on this machine";
  const std::string yaml = kNavigationYaml;
  ConfigMap cpu_config = ConfigMap::FromString(yaml + "device: cpu\n");
  ConfigMap gpu_config = ConfigMap::FromString(yaml + "device: cuda\n");
  runners::MamlSetup cpu(cpu_config), gpu(gpu_config);
  Rng rng(3);
  const auto tasks = cpu.distribution().Sample(3, rng);
  runners::MamlSetup::Rollouts rollouts = cpu.RolloutWithAdaptation(tasks, 1, 5);
  const algorithms::MetaBatch batch = cpu.TakeMetaBatch(rollouts);
  algorithms::MetaBatch on_gpu;
  for (const auto& t : batch.train) on_gpu.train.push_back(t.To(gpu.device(), at::kFloat));
  on_gpu.valid = batch.valid.To(gpu.device(), at::kFloat);
  const auto a = cpu.optimizer().Step(cpu.policy(), batch);
  const auto b = gpu.optimizer().Step(gpu.policy(), on_gpu);
  EXPECT_EQ(a.accepted, b.accepted);
  EXPECT_NEAR(a.surrogate_after, b.surrogate_after, 1e-4 * (1.0 + std::abs(a.surrogate_after)));
  const auto pc = cpu.policy().parameters_list(), pg = gpu.policy().parameters_list();
  ASSERT_EQ(pc.size(), pg.size());
  for (std::size_t i = 0; i < pc.size(); ++i) {
    EXPECT_TRUE(at::allclose(pc[i], pg[i].cpu(), 1e-4, 1e-5)) << "parameter " << i;
  }
}

// The observation buffer the runners copy to the policy's device each step:
// page-locked for a CUDA policy (one asynchronous DMA transfer), ordinary
// memory for a CPU one; zeroed float32 either way.
TEST(Device, HostBuffersArePinnedExactlyForCudaTargets) {
  const at::Tensor cpu = HostBuffer({3, 4}, c10::Device(c10::kCPU));
  EXPECT_EQ(cpu.scalar_type(), at::kFloat);
  EXPECT_TRUE(cpu.device().is_cpu());
  EXPECT_FALSE(cpu.is_pinned());
  EXPECT_EQ(cpu.abs().sum().item<float>(), 0.0f);
  if (!torch::cuda::is_available()) GTEST_SKIP() << "no CUDA device: pinned host buffers not checked on this machine";
  const at::Tensor pinned = HostBuffer({3, 4}, ParseDevice("cuda"));
  EXPECT_TRUE(pinned.device().is_cpu());
  EXPECT_TRUE(pinned.is_pinned());
  EXPECT_EQ(pinned.abs().sum().item<float>(), 0.0f);
}

// |a − b|₁ over the parameters, relative to how far `a` moved from `start`:
// "the device took the CPU's step" without demanding bit equality from
// different kernels (one Adam coordinate whose gradient is at rounding level
// may step the other way; that costs a fraction of a percent, not more).
double RelativeStepDifference(const policies::Params& start, const policies::Params& a, const policies::Params& b) {
  double diff = 0.0, step = 0.0;
  for (std::size_t i = 0; i < a.size(); ++i) {
    diff += (a[i].cpu().to(at::kDouble) - b[i].cpu().to(at::kDouble)).abs().sum().item<double>();
    step += (a[i].cpu().to(at::kDouble) - start[i].cpu().to(at::kDouble)).abs().sum().item<double>();
  }
  return diff / step;
}

policies::Params Copies(const policies::Params& params) {
  policies::Params out;
  for (const auto& p : params) out.push_back(p.detach().cpu().clone());
  return out;
}

const char* kRl2NavigationYaml =
    "algorithm: rl2-ppo\nenv: Navigation2D\nenv-kwargs: {horizon: 10}\nmeta-batch-size: 4\nnum-minibatches: 2\n"
    "threads: 1\n";

// RL² on the GPU: the batched recurrent step samples the CPU's trials (up to
// the forward pass's rounding) and the PPO update (batched GRU unroll, GAE,
// clipped surrogate, Adam) takes the CPU's step from the same trials.
TEST(Device, Rl2SamplingAndPpoUpdateOnCudaMatchCpu) {
  if (!torch::cuda::is_available()) GTEST_SKIP() << "no CUDA device: the CUDA RL² update not checked on this machine";
  const std::string yaml = kRl2NavigationYaml;
  ConfigMap cpu_config = ConfigMap::FromString(yaml + "device: cpu\n");
  ConfigMap gpu_config = ConfigMap::FromString(yaml + "device: cuda\n");
  runners::Rl2Setup cpu(cpu_config), gpu(gpu_config);
  Rng rng(3);
  const auto tasks = cpu.distribution().Sample(4, rng);
  const int episodes = cpu.options().episodes_per_trial;
  const runners::TrialBatch trials = cpu.runner().Sample(tasks, episodes, cpu.policy(), 5);
  const runners::TrialBatch on_gpu = gpu.runner().Sample(tasks, episodes, gpu.policy(), 5);
  EXPECT_TRUE(at::allclose(trials.actions, on_gpu.actions, 1e-4, 1e-4));

  const policies::Params start = Copies(cpu.policy().parameters_list());
  const auto a = algorithms::Rl2PpoUpdate(cpu.policy(), cpu.MakePpoBatch(trials), cpu.options().ppo, cpu.adam(), 7);
  const auto b = algorithms::Rl2PpoUpdate(gpu.policy(), gpu.MakePpoBatch(trials), gpu.options().ppo, gpu.adam(), 7);
  EXPECT_NEAR(a.policy_loss, b.policy_loss, 1e-3 * (1.0 + std::abs(a.policy_loss)));
  EXPECT_NEAR(a.value_loss, b.value_loss, 1e-3 * (1.0 + std::abs(a.value_loss)));
  EXPECT_TRUE(gpu.policy().parameters_list()[0].is_cuda());
  EXPECT_LT(RelativeStepDifference(start, cpu.policy().parameters_list(), gpu.policy().parameters_list()), 0.01);
}

runners::TrialBatch Rl2Trials(const std::string& extra) {
  ConfigMap config = ConfigMap::FromString(kRl2NavigationYaml + extra);
  runners::Rl2Setup setup(config);
  Rng rng(3);
  const auto tasks = setup.distribution().Sample(4, rng);
  return setup.runner().Sample(tasks, setup.options().episodes_per_trial, setup.SamplingPolicy(), 5);
}

// RL²'s sampling-device: cpu beside a CPU policy changes nothing, bit for
// bit; unknown values are refused by name. With the policy on the GPU, the
// CPU copy samples the trials the GPU samples (to the step's rounding).
TEST(Device, Rl2SamplingDeviceCpuChangesNothingOnTheCpuAndMatchesTheGpu) {
  const runners::TrialBatch a = Rl2Trials("device: cpu\n"), b = Rl2Trials("device: cpu\nsampling-device: cpu\n");
  EXPECT_TRUE(at::equal(a.actions, b.actions));
  EXPECT_TRUE(at::equal(a.inputs, b.inputs));
  EXPECT_NE(testing::InvalidArgumentMessage([] { Rl2Trials("sampling-device: gpu\n"); }).find("sampling-device = 'gpu'"),
            std::string::npos);
  if (!torch::cuda::is_available()) GTEST_SKIP() << "no CUDA device: RL² CPU sampling beside a CUDA policy not checked";
  const runners::TrialBatch c = Rl2Trials("device: cuda\n"), d = Rl2Trials("device: cuda\nsampling-device: cpu\n");
  EXPECT_TRUE(at::allclose(c.actions, d.actions, 1e-4, 1e-4));
  EXPECT_TRUE(at::allclose(a.actions, d.actions, 1e-4, 1e-4));
}

// Few-shot MAML (batched second-order adaptation over the meta-batch) on the
// GPU: the same meta-steps from the same episodes as on the CPU, and the
// same post-adaptation query loss.
TEST(Device, FewShotMamlOnCudaMatchesCpu) {
  if (!torch::cuda::is_available()) GTEST_SKIP() << "no CUDA device: CUDA few-shot adaptation not checked on this machine";
  const std::string config_file = std::string(METARL_SOURCE_DIR) + "/configs/fewshot/sinusoid-maml.yaml";
  ConfigMap cpu_config = ConfigMap::FromFile(config_file, {"device=cpu", "meta-batch-size=8"});
  ConfigMap gpu_config = ConfigMap::FromFile(config_file, {"device=cuda", "meta-batch-size=8"});
  runners::FewShotSetup cpu(cpu_config), gpu(gpu_config);
  const policies::Params start = Copies(cpu.learner().parameters_list());
  for (int i = 0; i < 5; ++i) {
    const auto batch = cpu.Sample(8, envs::fewshot::Split::kTrain, StreamSeed(4, {static_cast<std::uint64_t>(i)}));
    const auto a = cpu.learner().MetaStep(batch, i);
    const auto b = gpu.learner().MetaStep(batch.To(gpu.device()), i);
    EXPECT_NEAR(a.query_loss, b.query_loss, 1e-4 * (1.0 + a.query_loss)) << "iteration " << i;
  }
  EXPECT_TRUE(gpu.learner().parameters_list()[0].is_cuda());
  EXPECT_LT(RelativeStepDifference(start, cpu.learner().parameters_list(), gpu.learner().parameters_list()), 0.01);
  const auto held_out = cpu.Sample(8, envs::fewshot::Split::kTest, 11);
  const auto ca = cpu.learner().Evaluate(held_out, 2), ga = gpu.learner().Evaluate(held_out.To(gpu.device()), 2);
  ASSERT_EQ(ca.query_loss.size(), ga.query_loss.size());
  for (std::size_t s = 0; s < ca.query_loss.size(); ++s) {
    EXPECT_TRUE(at::allclose(ca.query_loss[s], ga.query_loss[s].cpu(), 1e-3, 1e-4)) << "step " << s;
  }
}

}  // namespace
}  // namespace metarl
