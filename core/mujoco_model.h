#pragma once
// RAII ownership of MuJoCo models and data, and model loading with clear errors.
//
// An mjModel is immutable after loading except for fields an env changes
// before sharing it (e.g. opt.timestep); it may then be read by many threads.
// An mjData belongs to one env and one thread at a time.

#include <memory>
#include <string>

#include <mujoco/mujoco.h>

namespace metarl {

struct MjModelDeleter {
  void operator()(mjModel* m) const { mj_deleteModel(m); }
};
struct MjDataDeleter {
  void operator()(mjData* d) const { mj_deleteData(d); }
};
using MjModelPtr = std::unique_ptr<mjModel, MjModelDeleter>;
using MjDataPtr = std::unique_ptr<mjData, MjDataDeleter>;

// Installs (once per process) MuJoCo handlers that turn mju_error into a C++
// exception (std::runtime_error) instead of exit(), and silence the default
// warning printer (warnings are read from mjData::warning by the envs).
void InstallMujocoHandlers();

// Loads an MJCF file. Throws std::invalid_argument naming the path when the file
// is missing or MuJoCo rejects it (with MuJoCo's own message).
MjModelPtr LoadMjcf(const std::string& path);

MjDataPtr MakeData(const mjModel* model);

// Directory holding the project's MJCF files: $METARL_ASSETS_DIR when set,
// else the source tree's envs/assets (compiled in).
std::string AssetsDir();

}  // namespace metarl
