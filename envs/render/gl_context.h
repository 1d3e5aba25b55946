#pragma once
// A headless OpenGL context for MuJoCo's offscreen renderer, made through
// EGL: no window and no display server.
//
// Backends (`GlOptions::backend`, or $METARL_GL when it is "auto"):
//   egl-device       an EGL device (EGL_EXT_platform_device): the NVIDIA
//                    driver on a GPU machine, Mesa's software device elsewhere
//   egl-surfaceless  Mesa's surfaceless platform (EGL_MESA_platform_
//                    surfaceless): software rendering (llvmpipe), no GPU needed
//   egl-default      eglGetDisplay(EGL_DEFAULT_DISPLAY)
//   auto             the first of the three that gives a context
// The context has no surface; MuJoCo renders into its own framebuffer
// object (mjFB_OFFSCREEN).
//
// Thread-safety: a context is current on one thread at a time; construct,
// use and destroy it on the thread that renders. Not copyable.

#include <memory>
#include <string>
#include <vector>

namespace metarl::envs::render {

struct GlOptions {
  std::string backend = "auto";  // auto | egl-device | egl-surfaceless | egl-default
};

// The backends, in the order `auto` tries them.
const std::vector<std::string>& GlBackends();

class GlContext {
 public:
  // Creates the context and makes it current on this thread.
  // std::invalid_argument for an unknown backend name; std::runtime_error
  // naming every backend tried and its EGL error when none gives a context.
  explicit GlContext(const GlOptions& options = {});
  ~GlContext();
  GlContext(const GlContext&) = delete;
  GlContext& operator=(const GlContext&) = delete;

  void MakeCurrent() const;
  // "egl-surfaceless (Mesa Project, EGL 1.5)" and the like.
  const std::string& description() const { return description_; }

 private:
  struct Egl;
  std::unique_ptr<Egl> egl_;
  std::string description_;
};

}  // namespace metarl::envs::render
