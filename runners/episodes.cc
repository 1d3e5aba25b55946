#include "runners/episodes.h"

#include <ATen/ATen.h>

#include "core/error.h"

namespace metarl::runners {

int64_t EpisodeBatch::total_steps() const {
  int64_t total = 0;
  for (int len : lengths) total += len;
  return total;
}

std::vector<double> EpisodeBatch::EpisodeReturns() const {
  const at::Tensor r = rewards.contiguous();
  const float* data = r.data_ptr<float>();
  const int64_t b_size = size();
  std::vector<double> out(b_size, 0.0);
  for (int64_t b = 0; b < b_size; ++b) {
    for (int t = 0; t < lengths[b]; ++t) out[b] += data[t * b_size + b];
  }
  return out;
}

std::vector<double> EpisodeBatch::TaskMeanReturns() const {
  const std::vector<double> returns = EpisodeReturns();
  std::vector<double> sums(tasks.size(), 0.0);
  for (std::size_t b = 0; b < returns.size(); ++b) sums[task_ids[b]] += returns[b];
  for (std::size_t k = 0; k < sums.size(); ++k) sums[k] /= task_episodes[k];
  return sums;
}

at::Tensor DiscountedReturns(const EpisodeBatch& batch, double gamma) {
  const int64_t T = batch.horizon(), B = batch.size();
  at::Tensor out = at::zeros({T, B}, at::kFloat);
  const at::Tensor r = batch.rewards.contiguous();
  const float* rewards = r.data_ptr<float>();
  float* ret = out.data_ptr<float>();
  for (int64_t b = 0; b < B; ++b) {
    double g = 0.0;
    for (int64_t t = batch.lengths[b] - 1; t >= 0; --t) {
      g = rewards[t * B + b] + gamma * g;
      ret[t * B + b] = static_cast<float>(g);
    }
  }
  return out;
}

at::Tensor Gae(const EpisodeBatch& batch, const at::Tensor& values, double gamma, double lambda) {
  return Gae(batch.rewards, batch.lengths, values, gamma, lambda);
}

at::Tensor Gae(const at::Tensor& reward_steps, const std::vector<int>& lengths, const at::Tensor& values, double gamma,
               double lambda) {
  const int64_t T = reward_steps.size(0), B = reward_steps.size(1);
  METARL_REQUIRE(values.dim() == 2 && values.size(0) == T && values.size(1) == B,
                 "GAE values have shape ", values.sizes(), "; expected [T=", T, ", B=", B, "]");
  at::Tensor out = at::zeros({T, B}, at::kFloat);
  METARL_REQUIRE(static_cast<int64_t>(lengths.size()) == B, "GAE: ", lengths.size(), " lengths for ", B, " sequences");
  const at::Tensor r = reward_steps.to(at::kCPU, at::kFloat).contiguous();
  const at::Tensor v = values.to(at::kCPU, at::kFloat).contiguous();
  const float* rewards = r.data_ptr<float>();
  const float* vals = v.data_ptr<float>();
  float* adv = out.data_ptr<float>();
  for (int64_t b = 0; b < B; ++b) {
    double a = 0.0;
    double next_value = 0.0;
    for (int64_t t = lengths[b] - 1; t >= 0; --t) {
      const double delta = rewards[t * B + b] + gamma * next_value - vals[t * B + b];
      a = delta + gamma * lambda * a;
      adv[t * B + b] = static_cast<float>(a);
      next_value = vals[t * B + b];
    }
  }
  return out;
}

}  // namespace metarl::runners
