#pragma once
// The MAML-VPG outer step: one plain gradient step on the meta-objective with
// Adam (as E-MAML-VPG / MAML-VPG in Rothfuss et al. 2019's comparison), no
// trust region. With exploration weights in the meta-batch it is E-MAML-VPG.

#include "algorithms/common/adam.h"
#include "algorithms/maml/maml_trpo.h"
#include "algorithms/maml/task_batch.h"
#include "core/thread_pool.h"
#include "policies/gaussian_mlp.h"

namespace metarl::algorithms {

// Updates `policy`'s parameters in place: θ ← θ − Adam(∇ meta-objective).
// Uses options' fast-lr, first-order and tasks-per-chunk (the TRPO keys play
// no part). Reports the surrogate before and after and the KL of the new
// adapted policies from the sampling ones (line_search_steps 0, accepted
// true). Throws std::runtime_error when the surrogate or gradient is not
// finite (parameters and Adam state then unchanged). Bit-identical for any
// pool size.
TrpoStepStats MamlVpgStep(policies::GaussianMlpPolicy& policy, const MetaBatch& batch,
                          const MamlTrpoOptions& options, FlatAdam& adam, ThreadPool* pool = nullptr);

}  // namespace metarl::algorithms
