#pragma once
// Device selection: "cpu", "cuda", "cuda:N" or "auto" (CUDA when LibTorch was
// built with it and a GPU is present, otherwise CPU).

#include <string>

#include <c10/core/Device.h>

namespace metarl {

// Throws std::invalid_argument for an unknown name, or for "cuda" when no
// CUDA device is available.
c10::Device ParseDevice(const std::string& name);

}  // namespace metarl
