#include "envs/render/gl_context.h"

#include <cstdlib>
#include <stdexcept>

#include "core/error.h"
#include "envs/render/gl_backend.h"

namespace metarl::envs::render {

const std::vector<std::string>& GlBackends() {
  static const std::vector<std::string> backends = {"egl-device", "egl-surfaceless", "egl-default", "osmesa"};
  return backends;
}

GlContext::GlContext(const GlOptions& options) {
  std::string backend = options.backend;
  if (backend == "auto") {
    const char* env = std::getenv("METARL_GL");
    if (env != nullptr && *env != '\0') backend = env;
  }
  std::vector<std::string> tries;
  if (backend == "auto") {
    tries = GlBackends();
  } else {
    bool known = false;
    for (const auto& b : GlBackends()) known = known || b == backend;
    METARL_REQUIRE(known, "OpenGL backend '", backend, "' (gl / $METARL_GL): expected auto, egl-device, ",
                   "egl-surfaceless, egl-default or osmesa");
    tries = {backend};
  }
  std::string failures;
  for (const std::string& b : tries) {
    std::string why;
    if (b == "osmesa") {
      ReleaseEglIfUnused();  // every EGL backend failed (or none was asked for)
      backend_ = MakeOsMesaBackend(&why, &description_);
    } else {
      backend_ = MakeEglBackend(b, &why, &description_);
    }
    if (backend_) return;
    failures += "\n  " + b + ": " + why;
  }
  throw std::runtime_error(Cat("no headless OpenGL context could be made:", failures,
                               "\n(install the Debian packages libegl1 and libgl1-mesa-dri, or libosmesa6, for "
                               "software rendering, or a GPU driver with EGL)"));
}

GlContext::~GlContext() = default;

void GlContext::MakeCurrent() const { backend_->MakeCurrent(); }

}  // namespace metarl::envs::render
