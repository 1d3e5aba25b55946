#pragma once
// Tensors through the job's all-gather (core/communicator.h).

#include <ATen/core/Tensor.h>

#include "core/communicator.h"

namespace metarl {

// Every rank's `local` [R_r, ...] concatenated along dim 0 in rank order:
// [Σ R_r, ...], on `local`'s device and of its dtype. The trailing shape and
// dtype must be the same on every rank (R_r may differ, also 0). Collective.
// With one rank, `local` itself.
at::Tensor AllGatherRows(const Communicator& comm, const at::Tensor& local);

// The sum over ranks of `local` (same shape and dtype on every rank), added
// in rank order so that every rank gets the same bits. Collective. With one
// rank, `local` itself (no arithmetic: a one-process run is unchanged).
at::Tensor SumOverRanks(const Communicator& comm, const at::Tensor& local);

}  // namespace metarl
