#pragma once
// Device selection: "cpu", "cuda", "cuda:N" or "auto" (CUDA when LibTorch was
// built with it and a GPU is present, otherwise CPU).

#include <string>

#include <ATen/core/Tensor.h>
#include <c10/core/Device.h>

namespace metarl {

// Throws std::invalid_argument for an unknown name, or for "cuda" when no
// CUDA device is available.
c10::Device ParseDevice(const std::string& name);

// A zeroed float32 CPU tensor of `shape` that is copied to `target` once per
// step (the runners' observation and input buffers): page-locked ("pinned")
// when `target` is a CUDA device, so that a non_blocking copy is a single
// asynchronous DMA transfer with no staging copy; ordinary memory otherwise
// (and always in a LibTorch without CUDA). Writing the buffer again is safe
// once anything computed from the copy has been read back to the CPU.
at::Tensor HostBuffer(at::IntArrayRef shape, const c10::Device& target);

}  // namespace metarl
