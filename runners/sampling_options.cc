#include "runners/sampling_options.h"

#include <algorithm>
#include <thread>

#include "core/error.h"

namespace metarl::runners {

void RunOptions::Read(ConfigMap& config) {
  config.Read("env", &env);
  config.Read("meta-batch-size", &meta_batch_size);
  config.Read("gamma", &gamma);
  config.Read("gae-lambda", &gae_lambda);
  config.Read("seed", &seed);
  config.Read("device", &device);
  config.Read("threads", &threads);
}

void RunOptions::Validate() const {
  METARL_REQUIRE(meta_batch_size >= 1, "meta-batch-size = ", meta_batch_size, ": expected an integer >= 1");
  METARL_REQUIRE(gamma > 0.0 && gamma <= 1.0, "gamma = ", gamma, ": expected a number in (0, 1]");
  METARL_REQUIRE(gae_lambda >= 0.0 && gae_lambda <= 1.0, "gae-lambda = ", gae_lambda, ": expected a number in [0, 1]");
  METARL_REQUIRE(threads >= 0, "threads = ", threads, ": expected 0 (all cores) or a positive count");
}

int RunOptions::ResolvedThreads() const {
  return threads > 0 ? threads : static_cast<int>(std::max(1u, std::thread::hardware_concurrency()));
}

void SamplingOptions::Read(ConfigMap& config) {
  RunOptions::Read(config);
  ConfigMap policy_map = config.Child("policy");
  policy.Read(policy_map);
  config.Read("fast-batch-size", &fast_batch_size);
  config.Read("batch-unit", &batch_unit);
}

void SamplingOptions::Validate() const {
  RunOptions::Validate();
  policy.Validate();
  METARL_REQUIRE(fast_batch_size >= 1, "fast-batch-size = ", fast_batch_size, ": expected an integer >= 1");
  METARL_REQUIRE(batch_unit == "steps" || batch_unit == "episodes", "batch-unit = '", batch_unit,
                 "': expected 'steps' (fast-batch-size × horizon steps of complete episodes per task, maml_rl) or "
                 "'episodes' (fast-batch-size episodes per task, pytorch-maml-rl)");
}

}  // namespace metarl::runners
