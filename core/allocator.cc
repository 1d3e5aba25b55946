#include "core/allocator.h"

#if defined(__GLIBC__)
#include <malloc.h>
#endif

namespace metarl {

void TuneAllocatorForLargeTensors() {
#if defined(__GLIBC__)
  mallopt(M_MMAP_THRESHOLD, 32 * 1024 * 1024);
  // Larger blocks (activations of a 40-task batch are 64 MB) would still be
  // mmap'ed and unmapped on every allocation; serve them from the heap too.
  mallopt(M_MMAP_MAX, 0);
  mallopt(M_TRIM_THRESHOLD, static_cast<int>(0x7fffffff));
#endif
}

}  // namespace metarl
