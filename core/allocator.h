#pragma once
// glibc malloc tuning for LibTorch's large temporaries.
//
// By default glibc serves blocks above 128 KB with mmap and returns them to
// the OS on free, so every large tensor an autograd graph allocates costs a
// fresh mapping and a page fault per 4 KB page. Measured on the 2-core VM
// (MAML-TRPO step, 2D navigation, 20 tasks × 20 × 100 steps): 12.3 s with the
// defaults, 4.4 s with both settings below; either alone does not help.
// Call once at program start, before large allocations (the CLI's main does).

namespace metarl {

// Keeps blocks up to 32 MB on the heap and freed memory mapped (trim
// threshold 4 GB). No effect with other C libraries.
void TuneAllocatorForLargeTensors();

}  // namespace metarl
