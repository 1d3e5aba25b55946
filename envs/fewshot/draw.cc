#include "envs/fewshot/draw.h"

#include <algorithm>
#include <utility>

namespace metarl::envs::fewshot {

void DrawDistinct(Rng& rng, std::uint64_t pool, int64_t n, std::vector<std::uint64_t>* out) {
  out->clear();
  while (static_cast<int64_t>(out->size()) < n) {
    const std::uint64_t c = rng.UniformInt(pool);
    if (std::find(out->begin(), out->end(), c) == out->end()) out->push_back(c);
  }
}

void ShuffleFront(Rng& rng, int64_t n, std::vector<int64_t>* items) {
  const auto size = static_cast<int64_t>(items->size());
  for (int64_t i = 0; i < n; ++i) {
    const auto j = i + static_cast<int64_t>(rng.UniformInt(static_cast<std::uint64_t>(size - i)));
    std::swap((*items)[i], (*items)[j]);
  }
}

}  // namespace metarl::envs::fewshot
