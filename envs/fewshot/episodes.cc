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

}  // namespace metarl::envs::fewshot
