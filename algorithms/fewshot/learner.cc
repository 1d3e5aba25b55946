#include "algorithms/fewshot/learner.h"

#include <ATen/ATen.h>

#include "core/communicator.h"
#include "core/gather_rows.h"

namespace metarl::algorithms::fewshot {

at::Tensor FewShotLearner::MeanOverShard(const at::Tensor& local_mean) const {
  if (!shard_.distributed()) return local_mean;
  const Communicator& comm = *shard_.comm;
  // Rank r's row weighs count_r / total; added in rank order on every rank.
  const std::vector<int64_t> counts = AllGather(comm, std::vector<int64_t>{shard_.count});
  const at::Tensor rows = AllGatherRows(comm, local_mean.unsqueeze(0));
  at::Tensor out = at::zeros_like(local_mean);
  for (std::size_t r = 0; r < counts.size(); ++r) {
    out.add_(rows[static_cast<int64_t>(r)], static_cast<double>(counts[r]) / static_cast<double>(shard_.total));
  }
  return out;
}

void FewShotLearner::MeanStatsOverShard(MetaStepStats* stats) const {
  if (!shard_.distributed()) return;
  const at::Tensor local =
      at::tensor(std::vector<double>{stats->support_loss, stats->query_loss, stats->query_accuracy}, at::kDouble);
  const at::Tensor mean = MeanOverShard(local);
  stats->support_loss = mean[0].item<double>();
  stats->query_loss = mean[1].item<double>();
  stats->query_accuracy = mean[2].item<double>();
}

}  // namespace metarl::algorithms::fewshot
