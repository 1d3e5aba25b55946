// EGL contexts without a surface, from libEGL.so.1 loaded at run time.

#include <EGL/egl.h>
#include <EGL/eglext.h>

#include <sstream>
#include <vector>

#include "core/error.h"
#include "envs/render/gl_backend.h"

namespace metarl::envs::render {

namespace {

constexpr const char* kEglLibrary = "libEGL.so.1";
constexpr const char* kOsMesaLibrary = "libOSMesa.so.8";

// The EGL entry points used here, resolved from the library.
struct EglApi {
  decltype(&eglGetProcAddress) get_proc_address = nullptr;
  decltype(&eglGetDisplay) get_display = nullptr;
  decltype(&eglInitialize) initialize = nullptr;
  decltype(&eglChooseConfig) choose_config = nullptr;
  decltype(&eglBindAPI) bind_api = nullptr;
  decltype(&eglCreateContext) create_context = nullptr;
  decltype(&eglDestroyContext) destroy_context = nullptr;
  decltype(&eglMakeCurrent) make_current = nullptr;
  decltype(&eglQueryString) query_string = nullptr;
  decltype(&eglGetError) get_error = nullptr;

  bool Load(const GlLibrary& l, std::string* why) {
    return Resolve(l, "eglGetProcAddress", &get_proc_address, why) &&
           Resolve(l, "eglGetDisplay", &get_display, why) && Resolve(l, "eglInitialize", &initialize, why) &&
           Resolve(l, "eglChooseConfig", &choose_config, why) && Resolve(l, "eglBindAPI", &bind_api, why) &&
           Resolve(l, "eglCreateContext", &create_context, why) &&
           Resolve(l, "eglDestroyContext", &destroy_context, why) &&
           Resolve(l, "eglMakeCurrent", &make_current, why) && Resolve(l, "eglQueryString", &query_string, why) &&
           Resolve(l, "eglGetError", &get_error, why);
  }

  std::string Error() const {
    std::ostringstream s;
    s << "EGL error 0x" << std::hex << get_error();
    return s.str();
  }
};

// The displays a backend offers, in order of preference.
std::vector<EGLDisplay> Displays(const EglApi& egl, const std::string& backend) {
  const auto platform_display =
      reinterpret_cast<PFNEGLGETPLATFORMDISPLAYEXTPROC>(egl.get_proc_address("eglGetPlatformDisplayEXT"));
  std::vector<EGLDisplay> displays;
  if (backend == "egl-default") {
    displays.push_back(egl.get_display(EGL_DEFAULT_DISPLAY));
  } else if (backend == "egl-surfaceless") {
    if (platform_display) displays.push_back(platform_display(EGL_PLATFORM_SURFACELESS_MESA, EGL_DEFAULT_DISPLAY, nullptr));
  } else if (backend == "egl-device") {
    const auto query_devices = reinterpret_cast<PFNEGLQUERYDEVICESEXTPROC>(egl.get_proc_address("eglQueryDevicesEXT"));
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
EGLContext MakeContext(const EglApi& egl, EGLDisplay display, std::string* why) {
  EGLint major = 0, minor = 0;
  if (display == EGL_NO_DISPLAY || !egl.initialize(display, &major, &minor)) {
    *why = "no display (" + egl.Error() + ")";
    return EGL_NO_CONTEXT;
  }
  const EGLint attributes[] = {EGL_RED_SIZE,        8, EGL_GREEN_SIZE,   8,  EGL_BLUE_SIZE,       8,
                               EGL_ALPHA_SIZE,      8, EGL_DEPTH_SIZE,   24, EGL_STENCIL_SIZE,    8,
                               EGL_RENDERABLE_TYPE, EGL_OPENGL_BIT,    EGL_SURFACE_TYPE,    EGL_PBUFFER_BIT,
                               EGL_NONE};
  EGLConfig config = nullptr;
  EGLint configs = 0;
  if (!egl.choose_config(display, attributes, &config, 1, &configs) || configs < 1) {
    *why = "no RGBA8 + depth24 OpenGL config (" + egl.Error() + ")";
    return EGL_NO_CONTEXT;
  }
  if (!egl.bind_api(EGL_OPENGL_API)) {
    *why = "no desktop OpenGL API (" + egl.Error() + ")";
    return EGL_NO_CONTEXT;
  }
  const EGLContext context = egl.create_context(display, config, EGL_NO_CONTEXT, nullptr);
  if (context == EGL_NO_CONTEXT || !egl.make_current(display, EGL_NO_SURFACE, EGL_NO_SURFACE, context)) {
    *why = "context not created or not made current (" + egl.Error() + ")";
    if (context != EGL_NO_CONTEXT) egl.destroy_context(display, context);
    return EGL_NO_CONTEXT;
  }
  return context;
}

class EglBackend : public GlBackend {
 public:
  EglBackend(const EglApi& egl, EGLDisplay display, EGLContext context)
      : egl_(egl), display_(display), context_(context) {}
  ~EglBackend() override {
    egl_.make_current(display_, EGL_NO_SURFACE, EGL_NO_SURFACE, EGL_NO_CONTEXT);
    egl_.destroy_context(display_, context_);
  }
  void MakeCurrent() override {
    if (!egl_.make_current(display_, EGL_NO_SURFACE, EGL_NO_SURFACE, context_)) {
      throw std::runtime_error("the OpenGL context could not be made current (" + egl_.Error() + ")");
    }
  }

 private:
  EglApi egl_;
  EGLDisplay display_;
  EGLContext context_;
};

}  // namespace

std::unique_ptr<GlBackend> MakeEglBackend(const std::string& backend, std::string* why, std::string* description) {
  if (GlLibrary::Loaded(kOsMesaLibrary)) {
    *why = "this process already renders through OSMesa (one OpenGL family per process)";
    return nullptr;
  }
  GlLibrary* library = GlLibrary::Open(kEglLibrary, why);
  if (library == nullptr) return nullptr;
  EglApi egl;
  if (!egl.Load(*library, why)) return nullptr;
  const std::vector<EGLDisplay> displays = Displays(egl, backend);
  if (displays.empty()) *why = "not offered by this EGL";
  std::string failures;
  for (EGLDisplay display : displays) {
    std::string reason;
    const EGLContext context = MakeContext(egl, display, &reason);
    if (context == EGL_NO_CONTEXT) {
      failures += failures.empty() ? reason : "; " + reason;
      *why = failures;
      continue;
    }
    library->Pin();
    const char* vendor = egl.query_string(display, EGL_VENDOR);
    const char* version = egl.query_string(display, EGL_VERSION);
    *description = Cat(backend, " (", vendor ? vendor : "?", ", EGL ", version ? version : "?", ")");
    return std::make_unique<EglBackend>(egl, display, context);
  }
  return nullptr;
}

void ReleaseEglIfUnused() {
  std::string ignored;
  if (!GlLibrary::Loaded(kEglLibrary)) return;
  if (GlLibrary* library = GlLibrary::Open(kEglLibrary, &ignored)) library->CloseUnlessPinned();
}

}  // namespace metarl::envs::render
