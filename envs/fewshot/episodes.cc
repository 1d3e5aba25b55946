#include "envs/fewshot/episodes.h"

#include <ATen/ATen.h>

namespace metarl::envs::fewshot {

EpisodeBatch EpisodeBatch::To(const c10::Device& device) const {
  if (support_x.device() == device) return *this;
  return {support_x.to(device), support_y.to(device), query_x.to(device), query_y.to(device), ways};
}

EpisodeBatch EpisodeBatch::Narrow(int64_t first, int64_t count) const {
  return {support_x.narrow(0, first, count), support_y.narrow(0, first, count), query_x.narrow(0, first, count),
          query_y.narrow(0, first, count), ways};
}

const char* SplitName(Split split) {
  switch (split) {
    case Split::kTrain:
      return "train";
    case Split::kValidation:
      return "validation";
    case Split::kTest:
      return "test";
  }
  return "?";
}

EpisodeBatch EmptyImageEpisodes(int64_t tasks, int64_t n, int64_t k, int64_t q, int64_t channels, int64_t s) {
  EpisodeBatch b;
  b.ways = n;
  b.support_x = at::empty({tasks, n * k, channels, s, s}, at::kFloat);
  b.query_x = at::empty({tasks, n * q, channels, s, s}, at::kFloat);
  b.support_y = at::empty({tasks, n * k}, at::kLong);
  b.query_y = at::empty({tasks, n * q}, at::kLong);
  return b;
}

}  // namespace metarl::envs::fewshot
