#include "runners/rl2_trainer.h"

#include <chrono>
#include <cstdio>
#include <numeric>
#include <sstream>
#include <utility>

#include "core/error.h"
#include "runners/maml_setup.h"

namespace metarl::runners {

Rl2IterationMetrics RunRl2Iteration(Rl2Setup& setup, int64_t iteration) {
  using Clock = std::chrono::steady_clock;
  auto since = [](Clock::time_point t) { return std::chrono::duration<double>(Clock::now() - t).count(); };
  const auto start = Clock::now();
  const Rl2TrainOptions& o = setup.options();
  const auto i = static_cast<std::uint64_t>(iteration);
  Rng task_rng(StreamSeed(o.seed, {kTrainTasks, i}));
  const std::vector<envs::Task> tasks = setup.distribution().Sample(o.meta_batch_size, task_rng);
  const TrialBatch trials =
      setup.runner().Sample(tasks, o.episodes_per_trial, setup.policy(), StreamSeed(o.seed, {kTrainRollouts, i}));

  Rl2IterationMetrics m;
  m.iteration = iteration;
  m.episode_returns = trials.MeanEpisodeReturns();
  m.env_steps = trials.total_steps();
  m.seconds_sampling = since(start);
  const auto optimize = Clock::now();
  const algorithms::Rl2PpoBatch batch = setup.MakePpoBatch(trials);
  m.ppo = algorithms::Rl2PpoUpdate(setup.policy(), batch, o.ppo, setup.adam(), StreamSeed(o.seed, {kTrainRollouts, i, 1}));
  m.seconds_optimizing = since(optimize);
  m.seconds_total = since(start);
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
    return h + ",trial_return,env_steps,policy_loss,value_loss,entropy,approx_kl,clip_fraction,grad_norm,"
               "seconds_sampling,seconds_optimizing,seconds_total";
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
        << m.seconds_sampling << "," << m.seconds_optimizing << "," << m.seconds_total;
    char text[256];
    std::snprintf(text, sizeof(text),
                  "return ep1 %.2f ep%d %.2f trial %.2f | kl %.4f clip %.2f | %.2f s (sample %.2f, ppo %.2f)",
                  m.episode_returns.front(), static_cast<int>(m.episode_returns.size()), m.episode_returns.back(),
                  trial, m.ppo.approx_kl, m.ppo.clip_fraction, m.seconds_total, m.seconds_sampling,
                  m.seconds_optimizing);
    return {row.str(), text};
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
  Rl2Job job(setup);
  RunTrainingLoop(job, command);
  return std::move(job.run());
}

}  // namespace metarl::runners
