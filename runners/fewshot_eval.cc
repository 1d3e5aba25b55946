#include "runners/fewshot_eval.h"

#include <cmath>
#include <filesystem>
#include <limits>
#include <sstream>

#include <ATen/ATen.h>

#include "core/config.h"
#include "core/error.h"
#include "runners/checkpoint.h"
#include "runners/fewshot_setup.h"

namespace metarl::runners {

namespace {

// Mean and 95% confidence half-width of `values`.
std::pair<double, double> MeanCi95(const at::Tensor& values) {
  const int64_t n = values.numel();
  const double mean = values.mean().item<double>();
  const double std = n > 1 ? values.std().item<double>() : 0.0;
  return {mean, 1.96 * std / std::sqrt(static_cast<double>(n))};
}

}  // namespace

std::vector<FewShotEvalRow> RunFewShotEval(const FewShotEvalOptions& options) {
  METARL_REQUIRE(options.episodes >= 2, "--episodes = ", options.episodes, ": expected at least 2");
  METARL_REQUIRE(options.checkpoint_kind == "best" || options.checkpoint_kind == "last", "--checkpoint-kind = '",
                 options.checkpoint_kind, "': expected best (the best validation, best.pt) or last (checkpoint.pt)");
  std::error_code ec;
  const bool best = options.checkpoint_kind == "best" &&
                    std::filesystem::is_regular_file(std::filesystem::path(options.checkpoint_dir) / kBestCheckpointFile, ec);
  const std::string file = best ? kBestCheckpointFile : kCheckpointFile;
  const Checkpoint checkpoint = LoadCheckpoint(options.checkpoint_dir, file);
  ConfigMap config = ConfigMap::FromString(checkpoint.config_yaml, options.checkpoint_dir + "/" + file);
  METARL_REQUIRE(IsFewShotConfig(config), "'", options.checkpoint_dir,
                 "' holds a meta-RL run, not a few-shot one (use `metarl eval`)");
  FewShotSetup setup(config);
  SaveOrCheckSplit(setup.tasks(), options.checkpoint_dir, /*check_existing=*/true);
  auto& learner = setup.learner();
  RestoreParams(checkpoint, learner.ParameterNames(), learner.parameters_list());
  learner.RestoreOptimizer(checkpoint.optimizer_state);
  const int steps = options.steps >= 0 ? options.steps : setup.options().eval_steps;
  const bool classification = setup.tasks().classification();

  const algorithms::fewshot::AdaptationCurve curve =
      setup.EvaluateEpisodes(envs::fewshot::Split::kTest, options.episodes, steps, options.seed, kFewShotEval);

  std::vector<FewShotEvalRow> rows;
  std::ostringstream csv;
  csv.precision(8);
  csv << "steps,mean_loss,ci95_loss,mean_accuracy,ci95_accuracy,episodes,diverged\n";
  for (int s = 0; s <= steps; ++s) {
    FewShotEvalRow row;
    row.checkpoint_file = file;
    row.checkpoint_iteration = checkpoint.iteration;
    row.steps = s;
    row.episodes = options.episodes;
    const at::Tensor& loss = curve.query_loss[s];
    row.diverged = static_cast<int>(loss.numel() - at::isfinite(loss).sum().item<int64_t>());
    if (row.diverged > 0) {
      const double inf = std::numeric_limits<double>::infinity();
      row.mean_loss = row.ci95_loss = row.mean_accuracy = row.ci95_accuracy = inf;
      csv << s << ",inf,inf," << (classification ? "inf,inf" : ",") << "," << row.episodes << "," << row.diverged
          << "\n";
      rows.push_back(row);
      continue;
    }
    std::tie(row.mean_loss, row.ci95_loss) = MeanCi95(loss);
    csv << s << "," << row.mean_loss << "," << row.ci95_loss << ",";
    if (classification) {
      std::tie(row.mean_accuracy, row.ci95_accuracy) = MeanCi95(curve.query_accuracy[s]);
      csv << row.mean_accuracy << "," << row.ci95_accuracy;
    } else {
      row.mean_accuracy = row.ci95_accuracy = std::numeric_limits<double>::quiet_NaN();
      csv << ",";
    }
    csv << "," << row.episodes << ",0\n";
    rows.push_back(row);
  }
  WriteTextFile(options.out.empty() ? (std::filesystem::path(options.checkpoint_dir) / "eval.csv").string()
                                    : options.out,
                csv.str());
  return rows;
}

}  // namespace metarl::runners
