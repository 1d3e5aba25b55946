#pragma once
// `metarl fewshot eval`: fast adaptation of a trained few-shot learner on
// held-out episodes. Draws `episodes` episodes of the test split (stream
// StreamSeed(seed, {kFewShotEval, b}) for batch b of meta-batch-size
// episodes; for the sinusoid, fresh tasks), adapts to each support set by
// 0..steps inner steps of the learner's own inner loop and reports, per step
// count, the mean query loss (MSE for regression) and accuracy
// (classification) with their 95% confidence intervals (1.96 · sample std /
// √episodes). Writes CHECKPOINT/eval.csv (or `out`):
//   steps,mean_loss,ci95_loss,mean_accuracy,ci95_accuracy,episodes,diverged
// (accuracy columns empty for regression). Adaptation that diverges (more
// steps than the learner was trained for, e.g. Meta-SGD's learned step
// sizes) is reported, not hidden: `diverged` counts the episodes whose query
// loss is not finite after that many steps, and the row's statistics are
// then inf.

#include <cstdint>
#include <string>
#include <vector>

namespace metarl::runners {

struct FewShotEvalOptions {
  std::string checkpoint_dir;
  int episodes = 600;       // held-out episodes
  int steps = -1;           // inner steps (rows 0..steps); -1 = the run's eval-steps
  std::uint64_t seed = 0;   // eval seed (episodes)
  std::string out;          // CSV path; default checkpoint_dir/eval.csv
};

struct FewShotEvalRow {
  int steps = 0;
  double mean_loss = 0.0, ci95_loss = 0.0;
  double mean_accuracy = 0.0, ci95_accuracy = 0.0;  // NaN for regression
  int episodes = 0;
  int diverged = 0;  // episodes with a non-finite query loss (statistics are then inf)
};

std::vector<FewShotEvalRow> RunFewShotEval(const FewShotEvalOptions& options);

}  // namespace metarl::runners
