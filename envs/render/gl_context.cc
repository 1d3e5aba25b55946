#include "envs/render/gl_context.h"

#include <cstdlib>
#include <sstream>
#include <stdexcept>

#include <EGL/egl.h>
#include <EGL/eglext.h>

#include "core/error.h"

namespace metarl::envs::render {

struct GlContext::Egl {
  EGLDisplay display = EGL_NO_DISPLAY;
  EGLContext context = EGL_NO_CONTEXT;
};

namespace {

std::string EglError() {
  std::ostringstream s;
  s << "EGL error 0x" << std::hex << eglGetError();
  return s.str();
}

// The displays a backend offers, in order of preference.
std::vector<EGLDisplay> Displays(const std::string& backend) {
  const auto platform_display =
      reinterpret_cast<PFNEGLGETPLATFORMDISPLAYEXTPROC>(eglGetProcAddress("eglGetPlatformDisplayEXT"));
  std::vector<EGLDisplay> displays;
  if (backend == "egl-default") {
    displays.push_back(eglGetDisplay(EGL_DEFAULT_DISPLAY));
  } else if (backend == "egl-surfaceless") {
    if (platform_display) displays.push_back(platform_display(EGL_PLATFORM_SURFACELESS_MESA, EGL_DEFAULT_DISPLAY, nullptr));
  } else if (backend == "egl-device") {
    const auto query_devices = reinterpret_cast<PFNEGLQUERYDEVICESEXTPROC>(eglGetProcAddress("eglQueryDevicesEXT"));
    EGLDeviceEXT devices[16];
    EGLint count = 0;
    if (platform_display && query_devices && query_devices(16, devices, &count)) {
      for (EGLint i = 0; i < count; ++i) displays.push_back(platform_display(EGL_PLATFORM_DEVICE_EXT, devices[i], nullptr));
    }
  }
  return displays;
}

// A context on `display`, or EGL_NO_CONTEXT with `why` filled. Displays are
// never terminated: EGL shares one per platform and device in a process, and
// other contexts may live on it.
EGLContext MakeContext(EGLDisplay display, std::string* why) {
  EGLint major = 0, minor = 0;
  if (display == EGL_NO_DISPLAY || !eglInitialize(display, &major, &minor)) {
    *why = "no display (" + EglError() + ")";
    return EGL_NO_CONTEXT;
  }
  const EGLint attributes[] = {EGL_RED_SIZE,        8, EGL_GREEN_SIZE,   8,  EGL_BLUE_SIZE,       8,
                               EGL_ALPHA_SIZE,      8, EGL_DEPTH_SIZE,   24, EGL_STENCIL_SIZE,    8,
                               EGL_RENDERABLE_TYPE, EGL_OPENGL_BIT,    EGL_SURFACE_TYPE,    EGL_PBUFFER_BIT,
                               EGL_NONE};
  EGLConfig config = nullptr;
  EGLint configs = 0;
  if (!eglChooseConfig(display, attributes, &config, 1, &configs) || configs < 1) {
    *why = "no RGBA8 + depth24 OpenGL config (" + EglError() + ")";
    return EGL_NO_CONTEXT;
  }
  if (!eglBindAPI(EGL_OPENGL_API)) {
    *why = "no desktop OpenGL API (" + EglError() + ")";
    return EGL_NO_CONTEXT;
  }
  const EGLContext context = eglCreateContext(display, config, EGL_NO_CONTEXT, nullptr);
  if (context == EGL_NO_CONTEXT || !eglMakeCurrent(display, EGL_NO_SURFACE, EGL_NO_SURFACE, context)) {
    *why = "context not created or not made current (" + EglError() + ")";
    if (context != EGL_NO_CONTEXT) eglDestroyContext(display, context);
    return EGL_NO_CONTEXT;
  }
  return context;
}

}  // namespace

const std::vector<std::string>& GlBackends() {
  static const std::vector<std::string> backends = {"egl-device", "egl-surfaceless", "egl-default"};
  return backends;
}

GlContext::GlContext(const GlOptions& options) : egl_(std::make_unique<Egl>()) {
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
                   "egl-surfaceless or egl-default");
    tries = {backend};
  }
  std::string failures;
  for (const std::string& b : tries) {
    const std::vector<EGLDisplay> displays = Displays(b);
    if (displays.empty()) failures += "\n  " + b + ": not offered by this EGL";
    for (EGLDisplay display : displays) {
      std::string why;
      const EGLContext context = MakeContext(display, &why);
      if (context == EGL_NO_CONTEXT) {
        failures += "\n  " + b + ": " + why;
        continue;
      }
      egl_->display = display;
      egl_->context = context;
      const char* vendor = eglQueryString(display, EGL_VENDOR);
      const char* version = eglQueryString(display, EGL_VERSION);
      description_ = Cat(b, " (", vendor ? vendor : "?", ", EGL ", version ? version : "?", ")");
      return;
    }
  }
  throw std::runtime_error(Cat("no headless OpenGL context could be made:", failures,
                               "\n(install the Debian packages libegl1 and libgl1-mesa-dri for software "
                               "rendering, or a GPU driver with EGL)"));
}

GlContext::~GlContext() {
  if (egl_->context != EGL_NO_CONTEXT) {
    eglMakeCurrent(egl_->display, EGL_NO_SURFACE, EGL_NO_SURFACE, EGL_NO_CONTEXT);
    eglDestroyContext(egl_->display, egl_->context);
  }
}

void GlContext::MakeCurrent() const {
  if (!eglMakeCurrent(egl_->display, EGL_NO_SURFACE, EGL_NO_SURFACE, egl_->context)) {
    throw std::runtime_error("the OpenGL context could not be made current (" + EglError() + ")");
  }
}

}  // namespace metarl::envs::render
