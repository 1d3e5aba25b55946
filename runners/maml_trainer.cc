#include "runners/maml_trainer.h"

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <utility>

#include "core/communicator.h"
#include "core/error.h"
#include "core/task_shard.h"
#include "runners/checkpoint.h"

namespace metarl::runners {

IterationMetrics RunMamlIteration(MamlSetup& setup, int64_t iteration) {
  const auto start = std::chrono::steady_clock::now();
  const double communicating_before = World().seconds_in_collectives();
  const MamlTrainOptions& o = setup.options();
  Rng task_rng(StreamSeed(o.seed, {kTrainTasks, static_cast<std::uint64_t>(iteration)}));
  // Every rank draws the whole meta-batch's tasks and samples its shard.
  std::vector<envs::Task> tasks = setup.distribution().Sample(o.meta_batch_size, task_rng);
  const Communicator& world = World();
  TaskShard shard;
  if (world.size() > 1) {
    shard = ShardTasks(o.meta_batch_size, o.maml.tasks_per_chunk, world);
    tasks = std::vector<envs::Task>(tasks.begin() + shard.first, tasks.begin() + shard.first + shard.count);
  }
  MamlSetup::Rollouts rollouts = setup.RolloutWithAdaptation(
      tasks, o.maml.num_steps, StreamSeed(o.seed, {kTrainRollouts, static_cast<std::uint64_t>(iteration)}), {},
      shard);
  IterationMetrics m;
  m.iteration = iteration;
  m.returns = rollouts.mean_returns;
  for (const auto& b : rollouts.batches) m.env_steps += static_cast<int64_t>(b.masks.sum().item<double>());
  m.unstable_episodes = rollouts.unstable_episodes;
  if (shard.distributed()) {
    const std::vector<int64_t> per_rank = AllGather(world, std::vector<int64_t>{m.env_steps, m.unstable_episodes});
    m.env_steps = m.unstable_episodes = 0;
    for (std::size_t r = 0; r < per_rank.size(); r += 2) {
      m.env_steps += per_rank[r];
      m.unstable_episodes += per_rank[r + 1];
    }
  }
  m.seconds_sampling = rollouts.seconds_sampling;
  m.seconds_adapting = rollouts.seconds_adapting;
  // log_std [A] is the last parameter; in double over A values only, so the
  // figure does not depend on how many tasks a rank holds.
  m.policy_std = setup.policy().parameters_list().back().detach().to(at::kDouble).exp().mean().item<double>();
  for (std::size_t s = 0; s + 1 < rollouts.params.size(); ++s) {
    at::Tensor squares;  // [K]
    for (std::size_t i = 0; i < rollouts.params[s].size(); ++i) {
      const at::Tensor d = (rollouts.params[s + 1][i] - rollouts.params[s][i]).to(at::kDouble).flatten(1);
      squares = squares.defined() ? squares + d.pow(2).sum(1) : d.pow(2).sum(1);
    }
    const at::Tensor norms = squares.sqrt().contiguous().cpu();
    std::vector<double> per_task(norms.data_ptr<double>(), norms.data_ptr<double>() + norms.numel());
    if (shard.distributed()) per_task = AllGather(world, per_task);  // rank order = task order
    double sum = 0.0;
    for (double n : per_task) sum += n;  // in task order: the same sum in one process
    m.inner_step_norms.push_back(sum / static_cast<double>(per_task.size()));
  }
  const algorithms::MetaBatch batch = setup.TakeMetaBatch(rollouts);
  const auto opt_start = std::chrono::steady_clock::now();
  m.outer = setup.optimizer().Step(setup.policy(), batch, &setup.runner().pool());
  m.seconds_optimizing = std::chrono::duration<double>(std::chrono::steady_clock::now() - opt_start).count();
  m.seconds_total = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
  m.seconds_communicating = World().seconds_in_collectives() - communicating_before;
  return m;
}

namespace {

std::string MetricsHeader(int num_steps) {
  std::string h = "iteration";
  for (int s = 0; s <= num_steps; ++s) h += ",return_step" + std::to_string(s);
  h += ",surrogate_before,surrogate_after,kl,line_search_steps,accepted,cg_iterations,epochs";
  for (int s = 0; s < num_steps; ++s) h += ",inner_kl_step" + std::to_string(s);
  for (int s = 0; s < num_steps; ++s) h += ",inner_kl_penalty_step" + std::to_string(s);
  h += ",unstable_episodes,policy_std";
  for (int s = 0; s < num_steps; ++s) h += ",inner_step_norm_step" + std::to_string(s);
  // The timings last (tests compare rows without them).
  return h +
         ",seconds_sampling,seconds_adapting,seconds_optimizing,seconds_trpo_gradient,seconds_trpo_cg,"
         "seconds_trpo_line_search,seconds_total,seconds_communicating";
}

std::string MetricsRow(const IterationMetrics& m) {
  std::ostringstream row;
  row.precision(8);
  row << m.iteration;
  for (double r : m.returns) row << "," << r;
  row << "," << m.outer.surrogate_before << "," << m.outer.surrogate_after << "," << m.outer.kl_after << ","
      << m.outer.line_search_steps << "," << (m.outer.accepted ? 1 : 0) << "," << m.outer.cg_iterations << ","
      << m.outer.epochs;
  // Empty cells where the algorithm has no inner-KL statistics.
  const std::size_t steps = m.returns.size() - 1;
  for (std::size_t s = 0; s < steps; ++s) {
    row << ",";
    if (s < m.outer.inner_kl.size()) row << m.outer.inner_kl[s];
  }
  for (std::size_t s = 0; s < steps; ++s) {
    row << ",";
    if (s < m.outer.inner_kl_penalty.size()) row << m.outer.inner_kl_penalty[s];
  }
  row << "," << m.unstable_episodes << "," << m.policy_std;
  for (double n : m.inner_step_norms) row << "," << n;
  row << "," << m.seconds_sampling << "," << m.seconds_adapting << "," << m.seconds_optimizing << ","
      << m.outer.seconds_gradient << "," << m.outer.seconds_cg << "," << m.outer.seconds_line_search << ","
      << m.seconds_total << "," << m.seconds_communicating;
  return row.str();
}

class MamlJob final : public TrainingJob {
 public:
  explicit MamlJob(MamlSetup& setup) : setup_(setup) {}
  int64_t num_iterations() const override { return setup_.options().num_batches; }
  int64_t checkpoint_every() const override { return setup_.options().checkpoint_every; }
  const YAML::Node& resolved_config() const override { return setup_.resolved_config(); }
  std::string MetricsHeader() const override { return runners::MetricsHeader(setup_.options().maml.num_steps); }

  Iteration RunIteration(int64_t iteration) override {
    const IterationMetrics m = RunMamlIteration(setup_, iteration);
    run_.push_back(m);
    // TRPO reports its line search; the Adam-based steps their epochs.
    const std::string step = m.outer.cg_iterations > 0
                                 ? Cat("ls ", m.outer.line_search_steps, m.outer.accepted ? "" : " rejected")
                                 : Cat("epochs ", m.outer.epochs);
    char text[256];
    std::snprintf(text, sizeof(text), "return pre %.2f post %.2f | kl %.4f | %s | %.2f s (sample %.2f, adapt %.2f, outer %.2f)",
                  m.returns.front(), m.returns.back(), m.outer.kl_after, step.c_str(), m.seconds_total,
                  m.seconds_sampling, m.seconds_adapting, m.seconds_optimizing);
    std::string progress = text + UnstableWarning(m.unstable_episodes);
    if (World().size() > 1) {
      char comm[96];
      std::snprintf(comm, sizeof(comm), " | %d ranks, %.2f s in collectives", World().size(), m.seconds_communicating);
      progress += comm;
    }
    return {MetricsRow(m), progress};
  }

  Checkpoint State() const override { return PolicyState(setup_.policy(), setup_.optimizer()); }
  void Restore(const Checkpoint& checkpoint) override {
    RestorePolicyState(checkpoint, setup_.policy(), setup_.optimizer());
  }

  std::vector<IterationMetrics>& run() { return run_; }

 private:
  MamlSetup& setup_;
  std::vector<IterationMetrics> run_;
};

}  // namespace

std::vector<IterationMetrics> RunTrainCommand(const TrainCommandOptions& command) {
  ConfigMap config = ConfigMap::FromFile(TrainConfigFile(command), command.overrides);
  MamlSetup setup(config);  // every key validated before any work
  const Communicator& world = World();
  if (world.size() > 1) {
    try {  // the split is checked before any work too
      ShardTasks(setup.options().meta_batch_size, setup.options().maml.tasks_per_chunk, world);
    } catch (const std::invalid_argument& e) {
      throw std::invalid_argument(Cat(config.source(), ": ", e.what()));
    }
  }
  MamlJob job(setup);
  RunTrainingLoop(job, command);
  return std::move(job.run());
}

}  // namespace metarl::runners
