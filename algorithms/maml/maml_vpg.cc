#include "algorithms/maml/maml_vpg.h"

#include <chrono>

#include <ATen/ATen.h>

#include "algorithms/common/flat_params.h"
#include "algorithms/maml/meta_chunks.h"
#include "core/error.h"

namespace metarl::algorithms {

OuterStepStats MamlVpgStep(policies::GaussianMlpPolicy& policy, const MetaBatch& batch,
                          const MamlTrpoOptions& options, FlatAdam& adam, ThreadPool* pool) {
  GradientPhase phase = StartOuterStep("MAML-VPG", policy, batch, options, /*build_hessian=*/false, pool);
  const policies::Params& theta = phase.theta;
  std::vector<TaskChunk>& chunks = phase.chunks;
  const MetaGradient& g = phase.gradient;
  OuterStepStats stats = phase.Stats();

  const auto start = std::chrono::steady_clock::now();
  AssignFlat(theta, Flatten(theta).detach() - adam.Step(g.gradient));
  const MetaObjectiveValues after = EvaluateOnChunks(policy, theta, chunks, options.fast_lr, pool);
  stats.surrogate_after = after.surrogate;
  stats.kl_after = after.kl;
  stats.accepted = true;
  stats.epochs = 1;
  stats.seconds_line_search = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
  return stats;
}

}  // namespace metarl::algorithms
