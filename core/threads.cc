#include "core/threads.h"

#include <dlfcn.h>

#include <ATen/Parallel.h>

namespace metarl {

void SetMathThreads(int threads) {
  at::set_num_threads(threads);
  using SetThreads = void (*)(int);
  if (auto* set = reinterpret_cast<SetThreads>(dlsym(RTLD_DEFAULT, "openblas_set_num_threads"))) {
    set(threads);
  }
}

}  // namespace metarl
