#pragma once
// A headless OpenGL context for MuJoCo's offscreen renderer: no window and
// no display server.
//
// Backends (`GlOptions::backend`, or $METARL_GL when it is "auto"):
//   egl-device       an EGL device (EGL_EXT_platform_device): the NVIDIA
//                    driver on a GPU machine, Mesa's software device elsewhere
//   egl-surfaceless  Mesa's surfaceless platform (EGL_MESA_platform_
//                    surfaceless): software rendering (llvmpipe), no GPU needed
//   egl-default      eglGetDisplay(EGL_DEFAULT_DISPLAY)
//   osmesa           Mesa's off-screen renderer (libOSMesa, Debian package
//                    libosmesa6): software, needs no EGL at all
//   auto             the first of these, in this order, that gives a context
// The libraries are loaded at run time (envs/render/gl_backend.h), so a
// machine needs only the one it renders with. One process renders through one
// family, EGL or OSMesa: MuJoCo takes its GL functions from whichever library
// is loaded. The context has no surface; MuJoCo renders into its own
// framebuffer object (mjFB_OFFSCREEN).
//
// Thread-safety: a context is current on one thread at a time; construct,
// use and destroy it on the thread that renders. Not copyable.

#include <memory>
#include <string>
#include <vector>

namespace metarl::envs::render {

class GlBackend;

struct GlOptions {
  std::string backend = "auto";  // auto | egl-device | egl-surfaceless | egl-default | osmesa
};

// The backends, in the order `auto` tries them.
const std::vector<std::string>& GlBackends();

class GlContext {
 public:
  // Creates the context and makes it current on this thread.
  // std::invalid_argument for an unknown backend name; std::runtime_error
  // naming every backend tried and why it failed when none gives a context.
  explicit GlContext(const GlOptions& options = {});
  ~GlContext();
  GlContext(const GlContext&) = delete;
  GlContext& operator=(const GlContext&) = delete;

  void MakeCurrent() const;
  // "egl-surfaceless (Mesa Project, EGL 1.5)", "osmesa (llvmpipe …)" and the like.
  const std::string& description() const { return description_; }

 private:
  std::unique_ptr<GlBackend> backend_;
  std::string description_;
};

}  // namespace metarl::envs::render
