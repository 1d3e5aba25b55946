#include "runners/fewshot_trainer.h"

#include <algorithm>
#include <chrono>
#include <cmath>
#include <cstdio>
#include <sstream>
#include <utility>
#include <vector>

#include "core/communicator.h"
#include "core/error.h"
#include "core/task_shard.h"

namespace metarl::runners {

FewShotIterationMetrics RunFewShotIteration(FewShotSetup& setup, int64_t iteration) {
  using Clock = std::chrono::steady_clock;
  const auto start = Clock::now();
  const FewShotTrainOptions& o = setup.options();
  // Every rank draws the whole meta-batch and trains on its shard.
  envs::fewshot::EpisodeBatch batch =
      setup.Sample(o.meta_batch_size, envs::fewshot::Split::kTrain,
                   StreamSeed(o.seed, {kFewShotTrain, static_cast<std::uint64_t>(iteration)}));
  const TaskShard& shard = setup.learner().shard();
  if (shard.distributed()) batch = batch.Narrow(shard.first, shard.count);
  FewShotIterationMetrics m;
  m.iteration = iteration;
  m.stats = setup.learner().MetaStep(batch, iteration);
  // Validation is reported by rank 0 alone; the others go on (and wait for
  // it in the next step's collective).
  if (o.validate_every > 0 && (iteration + 1) % o.validate_every == 0 && World().is_root()) {
    const algorithms::fewshot::AdaptationCurve v = setup.EvaluateEpisodes(
        envs::fewshot::Split::kValidation, o.validation_episodes, o.eval_steps,
        StreamSeed(o.seed, {kFewShotValidation, static_cast<std::uint64_t>(iteration)}), kFewShotValidation);
    m.validated = true;
    m.validation_loss = v.query_loss.back().mean().item<double>();
    m.validation_accuracy =
        setup.tasks().classification() ? v.query_accuracy.back().mean().item<double>() : std::nan("");
  }
  m.seconds = std::chrono::duration<double>(Clock::now() - start).count();
  return m;
}

namespace {

class FewShotJob final : public TrainingJob {
 public:
  explicit FewShotJob(FewShotSetup& setup) : setup_(setup) {}
  int64_t num_iterations() const override { return setup_.options().num_batches; }
  int64_t checkpoint_every() const override { return setup_.options().checkpoint_every; }
  int64_t progress_every() const override { return setup_.options().log_every; }
  const YAML::Node& resolved_config() const override { return setup_.resolved_config(); }
  std::string MetricsHeader() const override {
    return "iteration,support_loss,query_loss,query_accuracy,validation_loss,validation_accuracy,"
           "seconds";  // timing last
  }

  Iteration RunIteration(int64_t iteration) override {
    const FewShotIterationMetrics m = RunFewShotIteration(setup_, iteration);
    run_.push_back(m);
    std::ostringstream row;
    row.precision(8);
    row << m.iteration << "," << m.stats.support_loss << "," << m.stats.query_loss << "," << m.stats.query_accuracy
        << ",";
    if (m.validated) row << m.validation_loss << "," << m.validation_accuracy;
    else row << ",";
    row << "," << m.seconds;
    char text[200];
    if (setup_.tasks().classification()) {
      std::snprintf(text, sizeof(text), "loss before %.4f after %.4f | accuracy %.4f | %.2f ms",
                    m.stats.support_loss, m.stats.query_loss, m.stats.query_accuracy, 1e3 * m.seconds);
    } else {
      std::snprintf(text, sizeof(text), "support loss before %.4f | query loss after %.4f | %.2f ms",
                    m.stats.support_loss, m.stats.query_loss, 1e3 * m.seconds);
    }
    std::string progress = text;
    if (m.validated) {
      char v[80];
      std::snprintf(v, sizeof(v), setup_.tasks().classification() ? " | validation accuracy %.4f" : " | validation loss %.4f",
                    setup_.tasks().classification() ? m.validation_accuracy : m.validation_loss);
      progress += v;
    }
    return {row.str(), progress};
  }

  Checkpoint State() const override {
    Checkpoint c;
    c.names = setup_.learner().ParameterNames();
    c.params = setup_.learner().parameters_list();
    c.optimizer_state = setup_.learner().OptimizerState();
    return c;
  }
  void Restore(const Checkpoint& checkpoint) override {
    RestoreParams(checkpoint, setup_.learner().ParameterNames(), setup_.learner().parameters_list());
    setup_.learner().RestoreOptimizer(checkpoint.optimizer_state);
  }

  // Validation accuracy (classification) or −validation loss (regression):
  // columns 6 and 5 of the row; NaN when the iteration did not validate.
  double SelectionScore(const std::string& metrics_row) const override {
    std::vector<std::string> cells;
    std::stringstream in(metrics_row);
    for (std::string cell; std::getline(in, cell, ',');) cells.push_back(cell);
    const std::size_t column = setup_.tasks().classification() ? 5 : 4;
    if (cells.size() <= column || cells[column].empty()) return std::nan("");
    const double value = std::stod(cells[column]);
    return setup_.tasks().classification() ? value : -value;
  }

  std::vector<FewShotIterationMetrics>& run() { return run_; }

 private:
  FewShotSetup& setup_;
  std::vector<FewShotIterationMetrics> run_;
};

}  // namespace

std::vector<FewShotIterationMetrics> RunFewShotTrainCommand(const TrainCommandOptions& command) {
  ConfigMap config = ConfigMap::FromFile(TrainConfigFile(command), command.overrides);
  FewShotSetup setup(config);  // every key validated before any work
  const Communicator& world = World();
  if (world.size() > 1) {
    try {  // one episode per chunk: the ranks split the meta-batch's episodes
      setup.learner().SetShard(ShardTasks(setup.options().meta_batch_size, 1, world));
    } catch (const std::invalid_argument& e) {
      throw std::invalid_argument(Cat(config.source(), ": ", e.what()));
    }
  }
  if ((world.is_root() && !command.dry_run) || command.resume) {  // a dry run writes nothing
    SaveOrCheckSplit(setup.tasks(), command.output_dir, /*check_existing=*/command.resume);
  }
  FewShotJob job(setup);
  RunTrainingLoop(job, command);
  return std::move(job.run());
}

}  // namespace metarl::runners
