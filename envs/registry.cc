#include "envs/registry.h"

#include "core/error.h"
#include "envs/ant/ant.h"
#include "envs/bandit/bandit.h"
#include "envs/half_cheetah/half_cheetah.h"
#include "envs/navigation/navigation2d.h"

namespace metarl::envs {
namespace {

template <typename Distribution, typename Options, typename Goal>
EnvEntry::Factory Family(Goal goal) {
  return [goal](ConfigMap& kwargs) -> std::unique_ptr<TaskDistribution> {
    Options options;
    options.Read(kwargs, goal);
    return std::make_unique<Distribution>(goal, std::move(options));
  };
}

std::unique_ptr<TaskDistribution> MakeNavigation(ConfigMap& kwargs) {
  Navigation2DOptions options;
  options.Read(kwargs);
  return std::make_unique<Navigation2DTasks>(std::move(options));
}

std::unique_ptr<TaskDistribution> MakeBandit(ConfigMap& kwargs) {
  BanditOptions options;
  options.Read(kwargs);
  return std::make_unique<BanditTasks>(std::move(options));
}

}  // namespace

const std::vector<EnvEntry>& EnvRegistry() {
  using Cheetah = HalfCheetahTasks;
  static const std::vector<EnvEntry> registry = {
      {"HalfCheetahVel", "half-cheetah, goal velocity ~ U[low, high] (default [0, 2])", true,
       Family<Cheetah, HalfCheetahOptions>(CheetahGoal::kVelocity)},
      {"HalfCheetahDir", "half-cheetah, direction +-1", true,
       Family<Cheetah, HalfCheetahOptions>(CheetahGoal::kDirection)},
      {"AntVel", "ant, goal velocity ~ U[low, high] (default [0, 3])", true,
       Family<AntTasks, AntOptions>(AntGoalKind::kVelocity)},
      {"AntDir", "ant, direction +-1", true, Family<AntTasks, AntOptions>(AntGoalKind::kDirection)},
      {"AntGoal", "ant, goal position in a square or disk of radius 3", true,
       Family<AntTasks, AntOptions>(AntGoalKind::kPosition)},
      {"Navigation2D", "point mass, goal ~ U[-0.5, 0.5]^2", false, MakeNavigation},
      {"Bandit", "k Bernoulli arms, success probabilities ~ U[0, 1] (for RL2)", false, MakeBandit},
  };
  return registry;
}

const EnvEntry& FindEnv(const std::string& name) {
  for (const auto& entry : EnvRegistry()) {
    if (entry.name == name) return entry;
  }
  std::string known;
  for (const auto& entry : EnvRegistry()) known += (known.empty() ? "" : ", ") + entry.name;
  throw std::invalid_argument(Cat("unknown env '", name, "'; expected one of: ", known));
}

std::unique_ptr<TaskDistribution> MakeTaskDistribution(const std::string& name, ConfigMap& kwargs) {
  const EnvEntry& entry = FindEnv(name);
  try {
    auto dist = entry.make(kwargs);
    kwargs.CheckNoUnknownKeys();
    return dist;
  } catch (const std::invalid_argument& e) {
    throw std::invalid_argument(Cat("env '", name, "': ", e.what()));
  }
}

std::unique_ptr<TaskDistribution> MakeTaskDistribution(const std::string& name) {
  ConfigMap empty(YAML::Node(), "<defaults>", "env-kwargs");
  return MakeTaskDistribution(name, empty);
}

}  // namespace metarl::envs
