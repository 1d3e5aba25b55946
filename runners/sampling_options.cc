#include "runners/sampling_options.h"

#include "core/error.h"

namespace metarl::runners {

void SamplingOptions::Read(ConfigMap& config) {
  config.Read("env", &env);
  ConfigMap policy_map = config.Child("policy");
  policy.Read(policy_map);
  config.Read("meta-batch-size", &meta_batch_size);
  config.Read("fast-batch-size", &fast_batch_size);
  config.Read("gamma", &gamma);
  config.Read("gae-lambda", &gae_lambda);
  config.Read("seed", &seed);
  config.Read("device", &device);
  config.Read("threads", &threads);
}

void SamplingOptions::Validate() const {
  policy.Validate();
  METARL_REQUIRE(meta_batch_size >= 1, "meta-batch-size = ", meta_batch_size, ": expected an integer >= 1");
  METARL_REQUIRE(fast_batch_size >= 1, "fast-batch-size = ", fast_batch_size, ": expected an integer >= 1");
  METARL_REQUIRE(gamma > 0.0 && gamma <= 1.0, "gamma = ", gamma, ": expected a number in (0, 1]");
  METARL_REQUIRE(gae_lambda >= 0.0 && gae_lambda <= 1.0, "gae-lambda = ", gae_lambda, ": expected a number in [0, 1]");
  METARL_REQUIRE(threads >= 0, "threads = ", threads, ": expected 0 (all cores) or a positive count");
}

}  // namespace metarl::runners
