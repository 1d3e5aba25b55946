#include "core/device.h"

#include <ATen/ATen.h>
#include <gtest/gtest.h>
#include <torch/cuda.h>

#include "policies/gaussian_mlp.h"
#include "runners/maml_setup.h"
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

}  // namespace
}  // namespace metarl
