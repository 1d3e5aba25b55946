#include "runners/vector_runner.h"

#include <algorithm>
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

namespace {

// One finished episode of one slot: steps [start, start + length) of the
// slot's time line.
struct EpisodeRecord {
  int start = 0, length = 0;
  std::uint8_t terminated = 0, unstable = 0;
};

}  // namespace

EpisodeBatch VectorRunner::Sample(const std::vector<envs::Task>& tasks, int slots_per_task,
                                  policies::BatchPolicy& policy, std::uint64_t seed, std::uint64_t first_stream,
                                  BatchUnit unit) {
  METARL_REQUIRE(!tasks.empty(), "rollout needs at least one task");
  METARL_REQUIRE(slots_per_task >= 1, "episodes per task = ", slots_per_task, ": expected >= 1");
  METARL_REQUIRE(policy.obs_dim() == spec_.obs_dim && policy.act_dim() == spec_.act_dim,
                 "policy has obs_dim ", policy.obs_dim(), ", act_dim ", policy.act_dim(), "; env ",
                 distribution_.name(), " has obs_dim ", spec_.obs_dim, ", act_dim ", spec_.act_dim);
  for (const auto& task : tasks) distribution_.ValidateTask(task);

  const auto K = static_cast<int64_t>(tasks.size());
  const int64_t n = slots_per_task, B = K * n;
  const int64_t T = spec_.horizon, O = spec_.obs_dim, A = spec_.act_dim;
  const bool restart = unit == BatchUnit::kSteps;
  // kSteps: each slot keeps at most T - 1 steps of an unfinished episode, so
  // after 2T - 1 steps every task has completed n·T steps.
  const int64_t max_steps = restart ? 2 * T : T;
  const int64_t budget = n * T;
  Reserve(B);

  // Each slot's time line: [max_steps, B, ...]; only the steps run are written.
  const at::Tensor obs_line = at::empty({max_steps, B, O}, at::kFloat);
  const at::Tensor act_line = at::empty({max_steps, B, A}, at::kFloat);
  const at::Tensor rew_line = at::empty({max_steps, B}, at::kFloat);
  float* obs_hist = obs_line.data_ptr<float>();
  float* act_hist = act_line.data_ptr<float>();
  float* rew = rew_line.data_ptr<float>();

  at::Tensor obs = HostBuffer({B, O}, policy.device());
  float* obs_data = obs.data_ptr<float>();
  std::vector<Rng> rngs(B);
  std::vector<std::uint8_t> active(B, 1);
  std::vector<int> episode_start(B, 0);
  std::vector<int64_t> completed_steps(B, 0);
  std::vector<std::vector<EpisodeRecord>> records(B);

  pool_.ParallelFor(B, [&](int64_t begin, int64_t end) {
    for (int64_t b = begin; b < end; ++b) {
      rngs[b].Seed(StreamSeed(seed, {first_stream + static_cast<std::uint64_t>(b)}));
      envs_[b]->ResetTask(tasks[b / n]);
      envs_[b]->Reset(rngs[b], Span<float>(obs_data + b * O, O));
    }
  });

  last_forward_calls_ = 0;
  std::vector<std::uint8_t> task_running(K, 1);
  for (int64_t t = 0; t < max_steps; ++t) {
    std::unique_ptr<policies::RowSampler> sampler = policy.Act(obs);
    ++last_forward_calls_;
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
        if (r.terminated || r.truncated) {
          EpisodeRecord e;
          e.start = episode_start[b];
          e.length = static_cast<int>(t + 1) - e.start;
          e.terminated = r.terminated ? 1 : 0;
          e.unstable = r.unstable ? 1 : 0;
          records[b].push_back(e);
          completed_steps[b] += e.length;
          if (restart) {
            episode_start[b] = static_cast<int>(t + 1);
            envs_[b]->Reset(rngs[b], Span<float>(o, O));
          } else {
            active[b] = 0;
          }
        }
      }
    });
    bool any_active = false;
    for (int64_t k = 0; k < K; ++k) {
      if (restart && task_running[k]) {
        int64_t done = 0;
        for (int64_t j = 0; j < n; ++j) done += completed_steps[k * n + j];
        if (done >= budget) {
          task_running[k] = 0;
          for (int64_t j = 0; j < n; ++j) active[k * n + j] = 0;
        }
      }
      for (int64_t j = 0; j < n && !any_active; ++j) any_active = active[k * n + j] != 0;
    }
    if (!any_active) break;
  }

  // Pack the finished episodes task-major into columns of length T.
  EpisodeBatch batch;
  batch.tasks = tasks;
  batch.task_episodes.assign(K, 0);
  for (int64_t b = 0; b < B; ++b) batch.task_episodes[b / n] += static_cast<int>(records[b].size());
  const int per_task = *std::max_element(batch.task_episodes.begin(), batch.task_episodes.end());
  const int64_t columns = K * per_task;
  batch.episodes_per_task = per_task;
  batch.observations = at::zeros({T, columns, O}, at::kFloat);
  batch.actions = at::zeros({T, columns, A}, at::kFloat);
  batch.rewards = at::zeros({T, columns}, at::kFloat);
  batch.masks = at::zeros({T, columns}, at::kFloat);
  batch.lengths.assign(columns, 0);
  batch.terminated.assign(columns, 0);
  batch.unstable.assign(columns, 0);
  batch.task_ids.resize(columns);
  for (int64_t c = 0; c < columns; ++c) batch.task_ids[c] = static_cast<int>(c / per_task);
  float* out_obs = batch.observations.data_ptr<float>();
  float* out_act = batch.actions.data_ptr<float>();
  float* out_rew = batch.rewards.data_ptr<float>();
  float* out_mask = batch.masks.data_ptr<float>();
  std::vector<int64_t> next_column(K);
  for (int64_t k = 0; k < K; ++k) next_column[k] = k * per_task;
  for (int64_t b = 0; b < B; ++b) {
    for (const EpisodeRecord& e : records[b]) {
      const int64_t c = next_column[b / n]++;
      batch.lengths[c] = e.length;
      batch.terminated[c] = e.terminated;
      batch.unstable[c] = e.unstable;
      for (int64_t s = 0; s < e.length; ++s) {
        const int64_t from = (e.start + s) * B + b, to = s * columns + c;
        std::copy(obs_hist + from * O, obs_hist + (from + 1) * O, out_obs + to * O);
        std::copy(act_hist + from * A, act_hist + (from + 1) * A, out_act + to * A);
        out_rew[to] = rew[from];
        out_mask[to] = 1.0f;
      }
    }
  }
  return batch;
}

}  // namespace metarl::runners
