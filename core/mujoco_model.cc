#include "core/mujoco_model.h"

#include <cstdlib>
#include <filesystem>
#include <mutex>
#include <stdexcept>

#include "core/error.h"

namespace metarl {
namespace {

void ThrowingErrorHandler(const char* msg) {
  throw std::runtime_error(Cat("MuJoCo error: ", msg));
}
void QuietWarningHandler(const char*) {}

}  // namespace

void InstallMujocoHandlers() {
  static std::once_flag once;
  std::call_once(once, [] {
    mju_user_error = ThrowingErrorHandler;
    mju_user_warning = QuietWarningHandler;
  });
}

MjModelPtr LoadMjcf(const std::string& path) {
  InstallMujocoHandlers();
  namespace fs = std::filesystem;
  std::error_code ec;
  METARL_REQUIRE(fs::is_regular_file(path, ec), "model file '", path,
                 "' does not exist or is not a regular file (expected an MJCF XML file)");
  char error[1024] = {0};
  mjModel* model = mj_loadXML(path.c_str(), nullptr, error, sizeof(error));
  METARL_REQUIRE(model != nullptr, "model file '", path, "' could not be loaded by MuJoCo: ", error);
  return MjModelPtr(model);
}

MjDataPtr MakeData(const mjModel* model) {
  mjData* data = mj_makeData(model);
  if (data == nullptr) throw std::runtime_error("mj_makeData failed (out of memory?)");
  return MjDataPtr(data);
}

std::string AssetsDir() {
  if (const char* env = std::getenv("METARL_ASSETS_DIR"); env != nullptr && *env != '\0') return env;
  return METARL_ASSETS_DIR;
}

}  // namespace metarl
