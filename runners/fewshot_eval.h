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
//
// Which state is evaluated (`checkpoint_kind`): best (default, as the papers
// report: DIR/best.pt, the training state after the best validation score;
// DIR/checkpoint.pt when the run validated nothing) or last
// (DIR/checkpoint.pt). The parameters and the learner's optimiser state
// (Reptile's carried inner Adam) come from that file.

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
  std::string checkpoint_kind = "best";  // best | last
};

struct FewShotEvalRow {
  int steps = 0;
  double mean_loss = 0.0, ci95_loss = 0.0;
  double mean_accuracy = 0.0, ci95_accuracy = 0.0;  // NaN for regression
  int episodes = 0;
  int diverged = 0;  // episodes with a non-finite query loss (statistics are then inf)
  std::string checkpoint_file;   // the file evaluated (best.pt or checkpoint.pt)
  int64_t checkpoint_iteration = 0;  // the meta-iterations it had completed
};

std::vector<FewShotEvalRow> RunFewShotEval(const FewShotEvalOptions& options);

}  // namespace metarl::runners
