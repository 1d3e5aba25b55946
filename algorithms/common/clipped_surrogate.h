#pragma once
// PPO's clipped surrogate (Schulman et al. 2017), per sample, to maximise:
//
//   min(r·A, clip(r, 1−ε, 1+ε)·A),   r = π_new(a|s) / π_old(a|s).
//
// Its gradient with respect to r is A where the clip is inactive and 0 where
// it binds, i.e. where r > 1+ε with A > 0 or r < 1−ε with A < 0; inside
// [1−ε, 1+ε] it equals r·A exactly. Shapes broadcast; callers mask and average.

#include <ATen/core/Tensor.h>

namespace metarl::algorithms {

at::Tensor ClippedObjective(const at::Tensor& ratio, const at::Tensor& advantages, double clip_eps);

}  // namespace metarl::algorithms
