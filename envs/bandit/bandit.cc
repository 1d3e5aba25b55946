#include "envs/bandit/bandit.h"

#include <cmath>

#include "core/error.h"

namespace metarl::envs {

namespace {
EnvSpec BanditSpec(int arms, int horizon) {
  EnvSpec spec;
  spec.obs_dim = 1;
  spec.act_dim = 1;
  spec.num_actions = arms;
  spec.horizon = horizon;
  spec.act_low = {0.0f};
  spec.act_high = {static_cast<float>(arms - 1)};
  spec.dt = 1.0;
  return spec;
}
}  // namespace

std::string ArmParameter(int i) { return "arm" + std::to_string(i); }

BanditEnv::BanditEnv(int arms, int horizon, const TaskDistribution* validator)
    : Env(BanditSpec(arms, horizon)), validator_(validator), probabilities_(arms, 0.0) {}

void BanditEnv::ValidateTask(const Task& task) const { validator_->ValidateTask(task); }

void BanditEnv::ApplyTask(const Task& task) {
  for (std::size_t i = 0; i < probabilities_.size(); ++i) {
    probabilities_[i] = task.Get(ArmParameter(static_cast<int>(i)));
  }
}

void BanditEnv::DoReset(Rng& rng) { rewards_.Seed(rng.NextU64()); }

StepResult BanditEnv::DoStep(const float* action) {
  // Env::Step has checked that the action is an integral arm index.
  StepResult result;
  result.reward = rewards_.Bernoulli(probabilities_[static_cast<std::size_t>(action[0])]) ? 1.0 : 0.0;
  return result;
}

void BanditEnv::WriteObservation(float* obs) const { obs[0] = 0.0f; }

void BanditOptions::Read(ConfigMap& config) {
  config.Read("arms", &arms);
  config.Read("horizon", &horizon);
}

void BanditOptions::Validate() const {
  METARL_REQUIRE(arms >= 2, "arms = ", arms, ": expected an integer >= 2");
  METARL_REQUIRE(horizon >= 1, "horizon = ", horizon, ": expected an integer >= 1");
}

BanditTasks::BanditTasks(BanditOptions options) : options_(std::move(options)) { options_.Validate(); }

std::vector<Task> BanditTasks::Sample(int n, Rng& rng) const {
  std::vector<Task> tasks(n);
  for (Task& task : tasks) {
    for (int i = 0; i < options_.arms; ++i) task.Set(ArmParameter(i), rng.Uniform());
  }
  return tasks;
}

void BanditTasks::ValidateTask(const Task& task) const {
  METARL_REQUIRE(task.params().size() == static_cast<std::size_t>(options_.arms), "Bandit task '",
                 task.ToString(), "': expected ", options_.arms, " parameters arm0 … arm", options_.arms - 1);
  for (int i = 0; i < options_.arms; ++i) {
    const std::string key = ArmParameter(i);
    METARL_REQUIRE(task.Has(key), "Bandit task '", task.ToString(), "': missing ", key);
    const double p = task.Get(key);
    METARL_REQUIRE(p >= 0.0 && p <= 1.0, "Bandit task '", task.ToString(), "': ", key, " = ", p,
                   ": expected a probability in [0, 1]");
  }
}

std::unique_ptr<Env> BanditTasks::MakeEnv() const {
  return std::make_unique<BanditEnv>(options_.arms, options_.horizon, this);
}

EnvSpec BanditTasks::spec() const { return BanditSpec(options_.arms, options_.horizon); }

}  // namespace metarl::envs
