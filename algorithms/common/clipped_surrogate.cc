#include "algorithms/common/clipped_surrogate.h"

#include <ATen/ATen.h>

#include "core/error.h"

namespace metarl::algorithms {

at::Tensor ClippedObjective(const at::Tensor& ratio, const at::Tensor& advantages, double clip_eps) {
  METARL_REQUIRE(clip_eps > 0.0 && clip_eps < 1.0, "clip-eps = ", clip_eps, ": expected a number in (0, 1)");
  return at::min(ratio * advantages, at::clamp(ratio, 1.0 - clip_eps, 1.0 + clip_eps) * advantages);
}

}  // namespace metarl::algorithms
