#pragma once
// Bernoulli multi-armed bandits (the RL² sanity problem, Duan et al. 2016).
//
// Task {arm0, …, arm(k−1)}: the success probability of each arm, each
// ~ U[0, 1] independently.
// Observation (1 float): always 0 — a bandit has no state; a recurrent
// policy sees its history through its previous action, reward and done flag.
// Action (1 float, discrete: EnvSpec::num_actions = k): the arm index
// 0 … k−1, an integral value (Env::Step rejects anything else).
// Reward: 1 with the pulled arm's probability, else 0, drawn from a stream
// seeded at Reset() from the reset Rng (so an episode is a function of the
// task and that Rng). Never terminates; truncated after `horizon` pulls
// (default 1: one pull per episode, `episodes-per-trial` = n pulls per trial).
// dt is 1 (one step = one pull).

#include <memory>
#include <string>
#include <vector>

#include "core/config.h"
#include "envs/task_distribution.h"

namespace metarl::envs {

class BanditEnv final : public Env {
 public:
  BanditEnv(int arms, int horizon, const TaskDistribution* validator);

  // The arms' success probabilities of the current episode's task.
  const std::vector<double>& probabilities() const { return probabilities_; }

 protected:
  void ValidateTask(const Task& task) const override;
  void ApplyTask(const Task& task) override;
  void DoReset(Rng& rng) override;
  StepResult DoStep(const float* action) override;
  void WriteObservation(float* obs) const override;

 private:
  const TaskDistribution* validator_;
  std::vector<double> probabilities_;
  Rng rewards_;  // this episode's reward stream
};

struct BanditOptions {
  int arms = 5;     // k: number of arms (`arms`)
  int horizon = 1;  // pulls per episode (`horizon`)
  void Read(ConfigMap& config);
  void Validate() const;
};

// Parameter name of arm `i` in a Task ("arm0", "arm1", …).
std::string ArmParameter(int i);

class BanditTasks final : public TaskDistribution {
 public:
  explicit BanditTasks(BanditOptions options);
  std::string name() const override { return "Bandit"; }
  std::vector<Task> Sample(int n, Rng& rng) const override;
  void ValidateTask(const Task& task) const override;
  std::unique_ptr<Env> MakeEnv() const override;
  EnvSpec spec() const override;

 private:
  BanditOptions options_;
};

}  // namespace metarl::envs
