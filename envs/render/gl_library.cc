#include <dlfcn.h>

#include <map>
#include <mutex>

#include "envs/render/gl_backend.h"

namespace metarl::envs::render {

namespace {
std::mutex& LibraryMutex() {
  static std::mutex m;
  return m;
}
// soname -> library; entries are never erased (closed ones hold nullptr).
std::map<std::string, std::unique_ptr<GlLibrary>>& Libraries() {
  static std::map<std::string, std::unique_ptr<GlLibrary>> libraries;
  return libraries;
}
}  // namespace

GlLibrary* GlLibrary::Open(const std::string& soname, std::string* why) {
  std::lock_guard<std::mutex> lock(LibraryMutex());
  auto& slot = Libraries()[soname];
  if (slot && slot->handle_ != nullptr) return slot.get();
  void* handle = dlopen(soname.c_str(), RTLD_NOW | RTLD_GLOBAL);
  if (handle == nullptr) {
    const char* error = dlerror();
    *why = soname + " could not be loaded (" + (error ? error : "unknown dlopen error") + ")";
    return nullptr;
  }
  slot.reset(new GlLibrary(handle));
  return slot.get();
}

bool GlLibrary::Loaded(const std::string& soname) {
  void* handle = dlopen(soname.c_str(), RTLD_NOW | RTLD_NOLOAD);
  if (handle == nullptr) return false;
  dlclose(handle);  // drops only the reference RTLD_NOLOAD added
  return true;
}

void* GlLibrary::Symbol(const char* name) const { return handle_ ? dlsym(handle_, name) : nullptr; }

void GlLibrary::Pin() {
  std::lock_guard<std::mutex> lock(LibraryMutex());
  pinned_ = true;
}

void GlLibrary::CloseUnlessPinned() {
  std::lock_guard<std::mutex> lock(LibraryMutex());
  if (pinned_ || handle_ == nullptr) return;
  dlclose(handle_);
  handle_ = nullptr;
}

}  // namespace metarl::envs::render
