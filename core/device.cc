#include "core/device.h"

#include <ATen/ATen.h>
#include <torch/cuda.h>

#include "core/error.h"

namespace metarl {

c10::Device ParseDevice(const std::string& name) {
  if (name == "cpu") return c10::Device(c10::kCPU);
  if (name == "auto") {
    return torch::cuda::is_available() ? c10::Device(c10::kCUDA, 0) : c10::Device(c10::kCPU);
  }
  if (name.rfind("cuda", 0) == 0) {
    METARL_REQUIRE(torch::cuda::is_available(), "device = '", name,
                   "': no CUDA device is available (this LibTorch build or machine has none); "
                   "use 'cpu' or 'auto'");
    try {
      return c10::Device(name);
    } catch (const std::exception&) {
      // fall through to the error below
    }
  }
  throw std::invalid_argument(
      Cat("device = '", name, "': expected one of cpu, cuda, cuda:N, auto"));
}

at::Tensor HostBuffer(at::IntArrayRef shape, const c10::Device& target) {
  return at::empty(shape, at::TensorOptions().dtype(at::kFloat).pinned_memory(target.is_cuda())).zero_();
}

}  // namespace metarl
