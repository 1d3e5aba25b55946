#include "algorithms/promp/promp.h"

#include <cmath>

#include <ATen/ATen.h>

#include "core/error.h"

namespace metarl::algorithms {

void ProMpOptions::Read(ConfigMap& config) {
  ppo.Read(config, "num-promp-steps");
  config.Read("init-inner-kl-penalty", &init_inner_kl_penalty);
  config.Read("adaptive-inner-kl-penalty", &adaptive_inner_kl_penalty);
  if (adaptive_inner_kl_penalty) config.Read("target-inner-kl", &target_inner_kl);
}

void ProMpOptions::Validate() const {
  ppo.Validate("num-promp-steps");
  METARL_REQUIRE(std::isfinite(init_inner_kl_penalty) && init_inner_kl_penalty >= 0.0,
                 "init-inner-kl-penalty = ", init_inner_kl_penalty, ": expected a number >= 0");
  METARL_REQUIRE(std::isfinite(target_inner_kl) && target_inner_kl > 0.0, "target-inner-kl = ", target_inner_kl,
                 ": expected a positive number");
}

std::vector<double> AdaptInnerKlPenalty(const std::vector<double>& penalty, const std::vector<double>& inner_kl,
                                        double target) {
  METARL_REQUIRE(penalty.size() == inner_kl.size(), "AdaptInnerKlPenalty: ", penalty.size(), " coefficients for ",
                 inner_kl.size(), " KL values");
  std::vector<double> out = penalty;
  for (std::size_t s = 0; s < out.size(); ++s) {
    if (inner_kl[s] < target / 1.5) {
      out[s] /= 2.0;
    } else if (inner_kl[s] > target * 1.5) {
      out[s] *= 2.0;
    }
  }
  return out;
}

ProMpOptimizer::ProMpOptimizer(MamlTrpoOptions adapt, ProMpOptions options, AdamOptions adam)
    : adapt_(adapt),
      options_(options),
      adam_(adam),
      penalty_(static_cast<std::size_t>(adapt.num_steps), options.init_inner_kl_penalty) {
  options_.Validate();
}

OuterStepStats ProMpOptimizer::DoStep(policies::GaussianMlpPolicy& policy, const MetaBatch& batch,
                                      ThreadPool* pool) {
  METARL_REQUIRE(batch.train.size() == penalty_.size(), "ProMP: ", batch.train.size(),
                 " inner batches for num-steps = ", penalty_.size());
  const OuterStepStats stats =
      MetaPpoStep(policy, batch, adapt_, options_.ppo, InnerEstimator::kLvc, penalty_, adam_, pool);
  if (options_.adaptive_inner_kl_penalty) {
    penalty_ = AdaptInnerKlPenalty(penalty_, stats.inner_kl, options_.target_inner_kl);
  }
  return stats;
}

policies::Params ProMpOptimizer::DoState() const {
  policies::Params state = adam_.State();
  state.push_back(at::tensor(penalty_, at::kDouble));
  return state;
}

void ProMpOptimizer::DoRestore(const policies::Params& state) {
  METARL_REQUIRE(!state.empty() && state.back().dim() == 1 &&
                     state.back().numel() == static_cast<int64_t>(penalty_.size()),
                 "ProMP state: expected Adam's tensors and ", penalty_.size(),
                 " inner-KL penalty coefficients (num-steps)");
  const at::Tensor eta = state.back().to(at::kCPU, at::kDouble).contiguous();
  std::vector<double> penalty(eta.data_ptr<double>(), eta.data_ptr<double>() + eta.numel());
  adam_.Restore(policies::Params(state.begin(), state.end() - 1));
  penalty_ = std::move(penalty);
}

}  // namespace metarl::algorithms
