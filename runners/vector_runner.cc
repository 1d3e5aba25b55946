#include "runners/vector_runner.h"

#include <cmath>
#include <stdexcept>

#include <ATen/ATen.h>

#include "core/device.h"
#include "core/error.h"
#include "core/rng.h"

namespace metarl::runners {

void VectorRunnerOptions::Validate() const {
  METARL_REQUIRE(threads >= 1, "threads = ", threads, ": expected an integer >= 1");
}

VectorRunner::VectorRunner(const envs::TaskDistribution& distribution, VectorRunnerOptions options)
    : distribution_(distribution),
      options_((options.Validate(), options)),
      spec_(distribution.spec()),
      pool_(options_.threads) {}

void VectorRunner::Reserve(int64_t num_envs) {
  while (static_cast<int64_t>(envs_.size()) < num_envs) envs_.push_back(distribution_.MakeEnv());
}

EpisodeBatch VectorRunner::Sample(const std::vector<envs::Task>& tasks, int episodes_per_task,
                                  policies::BatchPolicy& policy, std::uint64_t seed, std::uint64_t first_stream) {
  METARL_REQUIRE(!tasks.empty(), "rollout needs at least one task");
  METARL_REQUIRE(episodes_per_task >= 1, "episodes per task = ", episodes_per_task, ": expected >= 1");
  METARL_REQUIRE(policy.obs_dim() == spec_.obs_dim && policy.act_dim() == spec_.act_dim,
                 "policy has obs_dim ", policy.obs_dim(), ", act_dim ", policy.act_dim(), "; env ",
                 distribution_.name(), " has obs_dim ", spec_.obs_dim, ", act_dim ", spec_.act_dim);
  for (const auto& task : tasks) distribution_.ValidateTask(task);

  const int64_t B = static_cast<int64_t>(tasks.size()) * episodes_per_task;
  const int64_t T = spec_.horizon, O = spec_.obs_dim, A = spec_.act_dim;
  Reserve(B);

  EpisodeBatch batch;
  batch.tasks = tasks;
  batch.episodes_per_task = episodes_per_task;
  batch.observations = at::zeros({T, B, O}, at::kFloat);
  batch.actions = at::zeros({T, B, A}, at::kFloat);
  batch.rewards = at::zeros({T, B}, at::kFloat);
  batch.masks = at::zeros({T, B}, at::kFloat);
  batch.lengths.assign(B, 0);
  batch.task_ids.resize(B);
  batch.terminated.assign(B, 0);
  batch.unstable.assign(B, 0);
  for (int64_t b = 0; b < B; ++b) batch.task_ids[b] = static_cast<int>(b / episodes_per_task);

  at::Tensor obs = HostBuffer({B, O}, policy.device());
  float* obs_data = obs.data_ptr<float>();
  float* obs_hist = batch.observations.data_ptr<float>();
  float* act_hist = batch.actions.data_ptr<float>();
  float* rew = batch.rewards.data_ptr<float>();
  float* mask = batch.masks.data_ptr<float>();
  std::vector<Rng> rngs(B);
  std::vector<std::uint8_t> active(B, 1);

  pool_.ParallelFor(B, [&](int64_t begin, int64_t end) {
    for (int64_t b = begin; b < end; ++b) {
      rngs[b].Seed(StreamSeed(seed, {first_stream + static_cast<std::uint64_t>(b)}));
      envs_[b]->ResetTask(tasks[batch.task_ids[b]]);
      envs_[b]->Reset(rngs[b], Span<float>(obs_data + b * O, O));
    }
  });

  last_forward_calls_ = 0;
  for (int64_t t = 0; t < T; ++t) {
    std::unique_ptr<policies::RowSampler> sampler = policy.Act(obs);
    ++last_forward_calls_;
    bool any_active = false;
    pool_.ParallelFor(B, [&](int64_t begin, int64_t end) {
      for (int64_t b = begin; b < end; ++b) {
        if (!active[b]) continue;
        float* o = obs_data + b * O;
        float* a = act_hist + (t * B + b) * A;
        std::copy(o, o + O, obs_hist + (t * B + b) * O);
        sampler->Sample(b, rngs[b], a);
        for (int64_t i = 0; i < A; ++i) {
          if (!std::isfinite(a[i])) {
            throw std::runtime_error(Cat("the policy produced a non-finite action (NaN/Inf: ", a[i], ") for env ", b,
                                         " at step ", t, "; its parameters have diverged"));
          }
        }
        const envs::StepResult r = envs_[b]->Step(Span<const float>(a, A), Span<float>(o, O));
        rew[t * B + b] = static_cast<float>(r.reward);
        mask[t * B + b] = 1.0f;
        if (r.terminated || r.truncated) {
          active[b] = 0;
          batch.lengths[b] = static_cast<int>(t + 1);
          batch.terminated[b] = r.terminated ? 1 : 0;
          batch.unstable[b] = r.unstable ? 1 : 0;
        }
      }
    });
    for (int64_t b = 0; b < B && !any_active; ++b) any_active = active[b] != 0;
    if (!any_active) break;
  }
  return batch;
}

}  // namespace metarl::runners
