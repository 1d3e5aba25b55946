// Precompiled header shared by every target. Not included by any source file:
// CMake injects it. Headers must still include what they use.
#pragma once

#include <torch/torch.h>

#include <Eigen/Dense>
#include <mujoco/mujoco.h>
#include <yaml-cpp/yaml.h>

#include <algorithm>
#include <atomic>
#include <chrono>
#include <cmath>
#include <condition_variable>
#include <cstdint>
#include <functional>
#include <map>
#include <memory>
#include <mutex>
#include <sstream>
#include <string>
#include <thread>
#include <vector>
