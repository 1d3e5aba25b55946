#include "algorithms/maml/task_batch.h"

#include <algorithm>

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

int64_t LargestTaskSteps(const runners::EpisodeBatch& episodes) {
  std::vector<int64_t> steps(episodes.tasks.size(), 0);
  for (int64_t b = 0; b < episodes.size(); ++b) steps[episodes.task_ids[b]] += episodes.lengths[b];
  return steps.empty() ? 0 : *std::max_element(steps.begin(), steps.end());
}

at::Tensor TaskStepIndex(const runners::EpisodeBatch& episodes, int64_t width) {
  const int64_t t_size = episodes.horizon(), b_size = episodes.size(), e = episodes.episodes_per_task;
  const auto k = static_cast<int64_t>(episodes.tasks.size());
  METARL_CHECK(e >= 1 && b_size == k * e, "batch of ", b_size, " episodes is not ", k, " tasks × ", e);
  const int64_t m = std::max(width, LargestTaskSteps(episodes));
  at::Tensor index = at::full({k, m}, t_size * b_size, at::kLong);  // padding: the appended zero row
  int64_t* out = index.data_ptr<int64_t>();
  for (int64_t task = 0; task < k; ++task) {
    int64_t next = 0;
    for (int64_t t = 0; t < t_size; ++t) {
      for (int64_t j = 0; j < e; ++j) {
        const int64_t b = task * e + j;
        if (t < episodes.lengths[b]) out[task * m + next++] = t * b_size + b;
      }
    }
  }
  return index;
}

at::Tensor PackByTask(const at::Tensor& time_major, const at::Tensor& index) {
  std::vector<int64_t> row_shape = {1};
  std::vector<int64_t> out_shape = {index.size(0), index.size(1)};
  for (int64_t d = 2; d < time_major.dim(); ++d) {
    row_shape.push_back(time_major.size(d));
    out_shape.push_back(time_major.size(d));
  }
  std::vector<int64_t> flat_shape = {time_major.size(0) * time_major.size(1)};
  for (int64_t d = 2; d < time_major.dim(); ++d) flat_shape.push_back(time_major.size(d));
  const at::Tensor rows = at::cat({time_major.reshape(flat_shape), at::zeros(row_shape, time_major.options())});
  return rows.index_select(0, index.flatten()).reshape(out_shape);
}

TaskBatch MakeTaskBatch(const runners::EpisodeBatch& episodes, const AdvantageOptions& options,
                        ThreadPool* pool, int64_t width) {
  const at::Tensor returns = runners::DiscountedReturns(episodes, options.gamma);
  const at::Tensor values = runners::FitLinearBaseline(episodes, returns, options.baseline, pool);
  const at::Tensor advantages = runners::Gae(episodes, values, options.gamma, options.gae_lambda);
  const at::Tensor index = TaskStepIndex(episodes, width);
  TaskBatch batch;
  batch.observations = PackByTask(episodes.observations, index);
  batch.actions = PackByTask(episodes.actions, index);
  batch.masks = PackByTask(episodes.masks, index);
  batch.advantages = PackByTask(advantages, index);
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
