// OSMesa contexts (Mesa's off-screen software renderer, libOSMesa.so.8 from
// the Debian package libosmesa6), loaded at run time.

#include <GL/osmesa.h>

#include <vector>

#include "core/error.h"
#include "envs/render/gl_backend.h"

namespace metarl::envs::render {

namespace {

constexpr const char* kOsMesaLibrary = "libOSMesa.so.8";

// MuJoCo renders into its own framebuffer object; OSMesa still needs a
// colour buffer to make the context current, and a small one is enough.
constexpr int kBufferSide = 16;

struct OsMesaApi {
  decltype(&OSMesaCreateContextExt) create_context = nullptr;
  decltype(&OSMesaMakeCurrent) make_current = nullptr;
  decltype(&OSMesaDestroyContext) destroy_context = nullptr;
  decltype(&OSMesaGetProcAddress) get_proc_address = nullptr;

  bool Load(const GlLibrary& l, std::string* why) {
    return Resolve(l, "OSMesaCreateContextExt", &create_context, why) &&
           Resolve(l, "OSMesaMakeCurrent", &make_current, why) &&
           Resolve(l, "OSMesaDestroyContext", &destroy_context, why) &&
           Resolve(l, "OSMesaGetProcAddress", &get_proc_address, why);
  }
};

class OsMesaBackend : public GlBackend {
 public:
  OsMesaBackend(const OsMesaApi& api, OSMesaContext context)
      : api_(api), context_(context), buffer_(kBufferSide * kBufferSide * 4) {}
  ~OsMesaBackend() override { api_.destroy_context(context_); }
  void MakeCurrent() override {
    if (!api_.make_current(context_, buffer_.data(), GL_UNSIGNED_BYTE, kBufferSide, kBufferSide)) {
      throw std::runtime_error("the OSMesa context could not be made current");
    }
  }

 private:
  OsMesaApi api_;
  OSMesaContext context_;
  std::vector<unsigned char> buffer_;
};

}  // namespace

std::unique_ptr<GlBackend> MakeOsMesaBackend(std::string* why, std::string* description) {
  // MuJoCo 2.2's loader prefers libEGL to libOSMesa (and libOSMesa to libGL,
  // which Debian's LibTorch pulls in through OpenCV and Qt: harmless).
  if (GlLibrary::Loaded("libEGL.so.1")) {
    *why = "libEGL.so.1 is already loaded in this process, and MuJoCo would take its GL functions from it "
           "(one OpenGL family per process: run with METARL_GL=osmesa from the start)";
    return nullptr;
  }
  GlLibrary* library = GlLibrary::Open(kOsMesaLibrary, why);
  if (library == nullptr) {
    *why += "; install the Debian package libosmesa6";
    return nullptr;
  }
  OsMesaApi api;
  if (!api.Load(*library, why)) return nullptr;
  const OSMesaContext context = api.create_context(OSMESA_RGBA, 24, 8, 0, nullptr);
  if (context == nullptr) {
    *why = "OSMesaCreateContextExt gave no RGBA + depth24 context";
    return nullptr;
  }
  auto backend = std::make_unique<OsMesaBackend>(api, context);
  try {
    backend->MakeCurrent();
  } catch (const std::runtime_error& e) {
    *why = e.what();
    return nullptr;
  }
  library->Pin();
  using GetString = const GLubyte* (*)(GLenum);
  const auto get_string = reinterpret_cast<GetString>(api.get_proc_address("glGetString"));
  const GLubyte* renderer = get_string ? get_string(GL_RENDERER) : nullptr;
  *description = Cat("osmesa (", renderer ? reinterpret_cast<const char*>(renderer) : "Mesa off-screen", ")");
  return backend;
}

}  // namespace metarl::envs::render
