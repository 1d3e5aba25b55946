#pragma once
// The random draws of the image datasets' episodes, in one place so that
// every dataset consumes its stream the same way.

#include <cstdint>
#include <vector>

#include "core/rng.h"

namespace metarl::envs::fewshot {

// `n` distinct values of 0..pool − 1 in draw order, by rejection (one
// UniformInt(pool) per try; for n ≪ pool). `out` is replaced.
void DrawDistinct(Rng& rng, std::uint64_t pool, int64_t n, std::vector<std::uint64_t>* out);

// Moves a uniformly drawn ordered subset of `n` of `items` to its front: the
// first n steps of a Fisher–Yates shuffle (step i swaps i with i +
// UniformInt(size − i)).
void ShuffleFront(Rng& rng, int64_t n, std::vector<int64_t>* items);

}  // namespace metarl::envs::fewshot
