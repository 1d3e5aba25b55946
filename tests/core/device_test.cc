#include "core/device.h"

#include <ATen/ATen.h>
#include <gtest/gtest.h>
#include <torch/cuda.h>

#include "policies/gaussian_mlp.h"
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

}  // namespace
}  // namespace metarl
