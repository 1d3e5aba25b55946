#include "algorithms/maml/maml_vpg.h"

#include <chrono>

#include <ATen/ATen.h>

#include "algorithms/common/flat_params.h"
#include "algorithms/maml/meta_chunks.h"
#include "core/error.h"

namespace metarl::algorithms {

OuterStepStats MamlVpgStep(policies::GaussianMlpPolicy& policy, const MetaBatch& batch,
                          const MamlTrpoOptions& options, FlatAdam& adam, ThreadPool* pool) {
  using Clock = std::chrono::steady_clock;
  const auto since = [](Clock::time_point t) { return std::chrono::duration<double>(Clock::now() - t).count(); };
  options.Validate();
  OuterStepStats stats;
  const policies::Params theta = policy.parameters_list();
  const AdaptGraph graph = options.first_order ? AdaptGraph::kFirstOrder : AdaptGraph::kSecondOrder;
  std::vector<TaskChunk> chunks = SplitTasks(batch, options.tasks_per_chunk);

  auto start = Clock::now();
  const MetaGradient g = [&] {
    try {
      return MetaGradientOnChunks(policy, theta, chunks, options.fast_lr, graph, /*build_hessian=*/false, pool);
    } catch (const std::runtime_error& e) {
      throw std::runtime_error(Cat("MAML-VPG: ", e.what()));
    }
  }();
  stats.surrogate_before = g.surrogate;
  stats.seconds_gradient = since(start);

  start = Clock::now();
  AssignFlat(theta, Flatten(theta).detach() - adam.Step(g.gradient));
  const MetaObjectiveValues after = EvaluateOnChunks(policy, theta, chunks, options.fast_lr, pool);
  stats.surrogate_after = after.surrogate;
  stats.kl_after = after.kl;
  stats.accepted = true;
  stats.epochs = 1;
  stats.seconds_line_search = since(start);
  return stats;
}

}  // namespace metarl::algorithms
