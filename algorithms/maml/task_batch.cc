#include "algorithms/maml/task_batch.h"

#include <ATen/ATen.h>

#include "core/error.h"

namespace metarl::algorithms {

TaskBatch TaskBatch::To(const c10::Device& device, c10::ScalarType dtype) const {
  TaskBatch out;
  out.observations = observations.to(device, dtype);
  out.actions = actions.to(device, dtype);
  out.advantages = advantages.to(device, dtype);
  out.masks = masks.to(device, dtype);
  if (sampling_log_probs.defined()) out.sampling_log_probs = sampling_log_probs.to(device, dtype);
  if (advantage_scale.defined()) out.advantage_scale = advantage_scale.to(device, dtype);
  return out;
}

TaskBatch TaskBatch::Narrow(int64_t begin, int64_t size) const {
  TaskBatch out;
  out.observations = observations.narrow(0, begin, size);
  out.actions = actions.narrow(0, begin, size);
  out.advantages = advantages.narrow(0, begin, size);
  out.masks = masks.narrow(0, begin, size);
  if (sampling_log_probs.defined()) out.sampling_log_probs = sampling_log_probs.narrow(0, begin, size);
  if (advantage_scale.defined()) out.advantage_scale = advantage_scale.narrow(0, begin, size);
  return out;
}

at::Tensor GroupByTask(const at::Tensor& time_major, int64_t episodes_per_task) {
  const int64_t t = time_major.size(0), b = time_major.size(1);
  METARL_CHECK(b % episodes_per_task == 0, "batch of ", b, " is not a multiple of ", episodes_per_task);
  const int64_t k = b / episodes_per_task;
  std::vector<int64_t> grouped = {t, k, episodes_per_task};
  std::vector<int64_t> out = {k, t * episodes_per_task};
  for (int64_t d = 2; d < time_major.dim(); ++d) {
    grouped.push_back(time_major.size(d));
    out.push_back(time_major.size(d));
  }
  return time_major.reshape(grouped).transpose(0, 1).reshape(out);
}

TaskBatch MakeTaskBatch(const runners::EpisodeBatch& episodes, const AdvantageOptions& options,
                        ThreadPool* pool) {
  const at::Tensor returns = runners::DiscountedReturns(episodes, options.gamma);
  const at::Tensor values = runners::FitLinearBaseline(episodes, returns, options.baseline, pool);
  const at::Tensor advantages = runners::Gae(episodes, values, options.gamma, options.gae_lambda);
  const int64_t n = episodes.episodes_per_task;
  TaskBatch batch;
  batch.observations = GroupByTask(episodes.observations, n);
  batch.actions = GroupByTask(episodes.actions, n);
  batch.masks = GroupByTask(episodes.masks, n);
  batch.advantages = GroupByTask(advantages, n);
  if (options.normalize) {
    const at::Tensor count = batch.masks.sum(1, /*keepdim=*/true);
    const at::Tensor mean = (batch.advantages * batch.masks).sum(1, true) / count;
    const at::Tensor centered = (batch.advantages - mean) * batch.masks;
    const at::Tensor std = (centered * centered).sum(1, true).div(count).sqrt();
    batch.advantages = centered / (std + 1e-8);
    batch.advantage_scale = (std + 1e-8).squeeze(1);
  } else {
    batch.advantage_scale = at::ones({batch.masks.size(0)}, batch.masks.options());
  }
  return batch;
}

}  // namespace metarl::algorithms
