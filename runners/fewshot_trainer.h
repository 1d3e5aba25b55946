#pragma once
// `metarl fewshot train`: each iteration draws meta-batch-size training
// episodes (stream StreamSeed(seed, {kFewShotTrain, i})) and takes one
// meta-update of the configured learner. Output directory as for every
// train job (runners/train_loop.h): config.yaml, metrics.csv
// (iteration,support_loss,query_loss,query_accuracy,validation_loss,
// validation_accuracy,seconds; the validation columns filled every
// validate-every iterations: mean query loss/accuracy after eval-steps inner
// steps on validation-episodes episodes of the validation split), checkpoint.pt
// (meta-parameters by name and the outer optimiser's state), and split.csv
// for datasets split by class (checked again on --resume and by eval).

#include <cstdint>
#include <vector>

#include "algorithms/fewshot/learner.h"
#include "runners/fewshot_setup.h"
#include "runners/train_loop.h"

namespace metarl::runners {

struct FewShotIterationMetrics {
  int64_t iteration = 0;
  algorithms::fewshot::MetaStepStats stats;
  bool validated = false;        // meta-validation ran after this iteration
  double validation_loss = 0.0;  // mean query loss after eval-steps steps
  double validation_accuracy = 0.0;  // NaN for regression
  double seconds = 0.0;  // sampling the episodes, the meta-update and any validation
};


FewShotIterationMetrics RunFewShotIteration(FewShotSetup& setup, int64_t iteration);

// The whole command. Returns the metrics of the iterations it ran.
std::vector<FewShotIterationMetrics> RunFewShotTrainCommand(const TrainCommandOptions& options);

}  // namespace metarl::runners
