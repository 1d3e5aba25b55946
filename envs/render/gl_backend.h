#pragma once
// Internal to envs/render: the OpenGL context backends behind GlContext and
// the runtime loading of their libraries.
//
// The GL libraries are opened with dlopen, not linked: MuJoCo's GL loader
// takes its function pointers from whichever of libGL/libEGL/libOSMesa is
// already in the process, preferring EGL, so a process that had libEGL
// loaded could never render through OSMesa. One process therefore uses one
// family (EGL or OSMesa); the other is refused with a message saying so.
//
// Thread-safety: backends are made and used on one thread; the library
// bookkeeping (GlLibrary) is guarded by a process-wide mutex.

#include <memory>
#include <string>

namespace metarl::envs::render {

// A context of one backend, current on the thread that made it.
class GlBackend {
 public:
  virtual ~GlBackend() = default;
  virtual void MakeCurrent() = 0;
};

// A dlopen'ed shared library (RTLD_NOW | RTLD_GLOBAL, so MuJoCo's loader
// finds it). Once a context has been made from a library it stays loaded
// for the life of the process: MuJoCo keeps the GL function pointers.
class GlLibrary {
 public:
  // The library `soname` (e.g. "libEGL.so.1"), opened on first use; nullptr
  // with `why` filled when it cannot be loaded.
  static GlLibrary* Open(const std::string& soname, std::string* why);
  // True when `soname` is loaded in this process (by anyone).
  static bool Loaded(const std::string& soname);

  // The symbol `name`, or nullptr.
  void* Symbol(const char* name) const;
  // Marks the library as backing a context (never closed from then on).
  void Pin();
  // Closes the library unless pinned (the EGL family gave no context).
  void CloseUnlessPinned();

 private:
  explicit GlLibrary(void* handle) : handle_(handle) {}
  void* handle_;
  bool pinned_ = false;
};

// Resolves `name` from `library` into `*fn`; false (and `why`) when absent.
template <typename Fn>
bool Resolve(const GlLibrary& library, const char* name, Fn* fn, std::string* why) {
  *fn = reinterpret_cast<Fn>(library.Symbol(name));
  if (*fn == nullptr) *why = std::string("the GL library has no ") + name;
  return *fn != nullptr;
}

// An EGL context for backend "egl-device", "egl-surfaceless" or
// "egl-default"; nullptr with `why` when this backend gives none.
// `description` is filled on success ("egl-device (Mesa Project, EGL 1.5)").
std::unique_ptr<GlBackend> MakeEglBackend(const std::string& backend, std::string* why, std::string* description);
// Called when every EGL backend failed: lets the process fall back to OSMesa.
void ReleaseEglIfUnused();

// An OSMesa (Mesa's off-screen software renderer) context; nullptr with
// `why` when libOSMesa is missing or libEGL is already in the process.
std::unique_ptr<GlBackend> MakeOsMesaBackend(std::string* why, std::string* description);

}  // namespace metarl::envs::render
