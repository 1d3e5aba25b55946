#include "algorithms/maml/meta_optimizer.h"

#include "core/error.h"

namespace metarl::algorithms {

void MetaOptimizer::DoRestore(const policies::Params& state) {
  METARL_REQUIRE(state.empty(), "this algorithm's outer step has no optimiser state, but the checkpoint holds ",
                 state.size(), " optimiser tensors (was it written by another algorithm?)");
}

}  // namespace metarl::algorithms
