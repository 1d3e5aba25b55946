#include "runners/rl2_trainer.h"

#include <chrono>
#include <cstdio>
#include <numeric>
#include <sstream>
#include <utility>

#include "core/communicator.h"
#include "core/error.h"
#include "core/task_shard.h"
#include "runners/maml_setup.h"

namespace metarl::runners {

Rl2IterationMetrics RunRl2Iteration(Rl2Setup& setup, int64_t iteration) {
  using Clock = std::chrono::steady_clock;
  auto since = [](Clock::time_point t) { return std::chrono::duration<double>(Clock::now() - t).count(); };
  const auto start = Clock::now();
  const Communicator& world = World();
  const double communicating_before = world.seconds_in_collectives();
  const Rl2TrainOptions& o = setup.options();
  const auto i = static_cast<std::uint64_t>(iteration);
  Rng task_rng(StreamSeed(o.seed, {kTrainTasks, i}));
  // Every rank draws the whole meta-batch's tasks and samples the trials of its shard.
  std::vector<envs::Task> tasks = setup.distribution().Sample(o.meta_batch_size, task_rng);
  TaskShard shard;
  if (world.size() > 1) {
    shard = ShardTasks(o.meta_batch_size, 1, world);
    tasks = std::vector<envs::Task>(tasks.begin() + shard.first, tasks.begin() + shard.first + shard.count);
  }
  const TrialBatch trials = setup.runner().Sample(tasks, o.episodes_per_trial, setup.SamplingPolicy(),
                                                  StreamSeed(o.seed, {kTrainRollouts, i}),
                                                  static_cast<std::uint64_t>(shard.first));

  Rl2IterationMetrics m;
  m.iteration = iteration;
  if (shard.distributed()) {
    // Every trial's episode returns and step count, in trial order.
    std::vector<double> local;
    for (const auto& trial : trials.episode_returns) local.insert(local.end(), trial.begin(), trial.end());
    TrialBatch all;  // the whole batch's returns and lengths, for the one-process statistics
    all.episodes_per_trial = o.episodes_per_trial;
    const std::vector<double> returns = AllGather(world, local);
    for (std::size_t t = 0; t < returns.size(); t += static_cast<std::size_t>(o.episodes_per_trial)) {
      all.episode_returns.emplace_back(returns.begin() + t, returns.begin() + t + o.episodes_per_trial);
    }
    all.lengths = AllGather(world, trials.lengths);
    all.unstable = AllGather(world, trials.unstable);
    m.episode_returns = all.MeanEpisodeReturns();
    m.env_steps = all.total_steps();
    for (int u : all.unstable) m.unstable_episodes += u;
  } else {
    m.episode_returns = trials.MeanEpisodeReturns();
    m.env_steps = trials.total_steps();
    for (int u : trials.unstable) m.unstable_episodes += u;
  }
  m.seconds_sampling = since(start);
  const auto optimize = Clock::now();
  const algorithms::Rl2PpoBatch batch = setup.MakePpoBatch(trials);
  m.ppo = algorithms::Rl2PpoUpdate(setup.policy(), batch, o.ppo, setup.adam(),
                                   StreamSeed(o.seed, {kTrainRollouts, i, 1}), shard);
  m.seconds_optimizing = since(optimize);
  m.seconds_total = since(start);
  m.seconds_communicating = world.seconds_in_collectives() - communicating_before;
  return m;
}

namespace {

class Rl2Job final : public TrainingJob {
 public:
  explicit Rl2Job(Rl2Setup& setup) : setup_(setup) {}
  int64_t num_iterations() const override { return setup_.options().num_batches; }
  int64_t checkpoint_every() const override { return setup_.options().checkpoint_every; }
  const YAML::Node& resolved_config() const override { return setup_.resolved_config(); }

  std::string MetricsHeader() const override {
    std::string h = "iteration";
    for (int e = 1; e <= setup_.options().episodes_per_trial; ++e) h += ",return_episode" + std::to_string(e);
    // The timings last (tests compare rows without them).
    return h + ",trial_return,env_steps,policy_loss,value_loss,entropy,approx_kl,clip_fraction,grad_norm,unstable_episodes,"
               "seconds_sampling,seconds_optimizing,seconds_total,seconds_communicating";
  }

  Iteration RunIteration(int64_t iteration) override {
    const Rl2IterationMetrics m = RunRl2Iteration(setup_, iteration);
    run_.push_back(m);
    const double trial = std::accumulate(m.episode_returns.begin(), m.episode_returns.end(), 0.0);
    std::ostringstream row;
    row.precision(8);
    row << m.iteration;
    for (double r : m.episode_returns) row << "," << r;
    row << "," << trial << "," << m.env_steps << "," << m.ppo.policy_loss << "," << m.ppo.value_loss << ","
        << m.ppo.entropy << "," << m.ppo.approx_kl << "," << m.ppo.clip_fraction << "," << m.ppo.grad_norm << ","
        << m.unstable_episodes << "," << m.seconds_sampling << "," << m.seconds_optimizing << "," << m.seconds_total << ","
        << m.seconds_communicating;
    char text[256];
    std::snprintf(text, sizeof(text),
                  "return ep1 %.2f ep%d %.2f trial %.2f | kl %.4f clip %.2f | %.2f s (sample %.2f, ppo %.2f)",
                  m.episode_returns.front(), static_cast<int>(m.episode_returns.size()), m.episode_returns.back(),
                  trial, m.ppo.approx_kl, m.ppo.clip_fraction, m.seconds_total, m.seconds_sampling,
                  m.seconds_optimizing);
    std::string progress = text + UnstableWarning(m.unstable_episodes);
    if (World().size() > 1) {
      std::snprintf(text, sizeof(text), " | %d ranks, %.2f s in collectives", World().size(), m.seconds_communicating);
      progress += text;
    }
    return {row.str(), progress};
  }

  Checkpoint State() const override { return PolicyState(setup_.policy(), setup_.adam()); }
  void Restore(const Checkpoint& checkpoint) override {
    RestorePolicyState(checkpoint, setup_.policy(), setup_.adam());
  }

  std::vector<Rl2IterationMetrics>& run() { return run_; }

 private:
  Rl2Setup& setup_;
  std::vector<Rl2IterationMetrics> run_;
};

}  // namespace

std::vector<Rl2IterationMetrics> RunRl2TrainCommand(const TrainCommandOptions& command) {
  ConfigMap config = ConfigMap::FromFile(TrainConfigFile(command), command.overrides);
  Rl2Setup setup(config);  // every key validated before any work
  const Communicator& world = World();
  if (world.size() > 1) {
    try {  // the split is checked before any work too
      ShardTasks(setup.options().meta_batch_size, 1, world);
    } catch (const std::invalid_argument& e) {
      throw std::invalid_argument(Cat(config.source(), ": ", e.what()));
    }
  }
  Rl2Job job(setup);
  RunTrainingLoop(job, command);
  return std::move(job.run());
}

}  // namespace metarl::runners
