#include "core/threads.h"

#include <dlfcn.h>

#include <ATen/Context.h>
#include <ATen/Parallel.h>

namespace metarl {

namespace {

void SetBlasThreads(int threads) {
  using SetThreads = void (*)(int);
  if (auto* set = reinterpret_cast<SetThreads>(dlsym(RTLD_DEFAULT, "openblas_set_num_threads"))) {
    set(threads);
  }
}

}  // namespace

void SetMathThreads(int threads) {
  at::set_num_threads(threads);
  SetBlasThreads(threads);
  at::globalContext().setUserEnabledMkldnn(true);
}

void SetReproducibleMathThreads(int threads) {
  at::set_num_threads(threads);
  SetBlasThreads(1);
  at::globalContext().setUserEnabledMkldnn(false);
}

}  // namespace metarl
