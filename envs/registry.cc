#include "envs/registry.h"

#include "core/error.h"
#include "envs/ant/ant.h"
#include "envs/half_cheetah/half_cheetah.h"
#include "envs/navigation/navigation2d.h"

namespace metarl::envs {
namespace {

template <typename Distribution, typename Options>
std::unique_ptr<TaskDistribution> Make(ConfigMap& kwargs) {
  Options options;
  options.Read(kwargs);
  return std::make_unique<Distribution>(std::move(options));
}

}  // namespace

const std::vector<EnvEntry>& EnvRegistry() {
  static const std::vector<EnvEntry> registry = {
      {"HalfCheetahVel", "half-cheetah, goal velocity ~ U[low, high] (default [0, 2])",
       Make<HalfCheetahVelTasks, HalfCheetahVelOptions>},
      {"HalfCheetahDir", "half-cheetah, direction +-1", Make<HalfCheetahDirTasks, HalfCheetahDirOptions>},
      {"AntVel", "ant, goal velocity ~ U[low, high] (default [0, 3])", Make<AntVelTasks, AntVelOptions>},
      {"AntDir", "ant, direction +-1", Make<AntDirTasks, AntDirOptions>},
      {"AntGoal", "ant, goal position in a square or disk of radius 3", Make<AntGoalTasks, AntGoalOptions>},
      {"Navigation2D", "point mass, goal ~ U[-0.5, 0.5]^2", Make<Navigation2DTasks, Navigation2DOptions>},
  };
  return registry;
}

std::unique_ptr<TaskDistribution> MakeTaskDistribution(const std::string& name, ConfigMap& kwargs) {
  for (const auto& entry : EnvRegistry()) {
    if (entry.name == name) {
      try {
        auto dist = entry.make(kwargs);
        kwargs.CheckNoUnknownKeys();
        return dist;
      } catch (const std::invalid_argument& e) {
        throw std::invalid_argument(Cat("env '", name, "': ", e.what()));
      }
    }
  }
  std::string known;
  for (const auto& entry : EnvRegistry()) known += (known.empty() ? "" : ", ") + entry.name;
  throw std::invalid_argument(Cat("unknown env '", name, "'; expected one of: ", known));
}

std::unique_ptr<TaskDistribution> MakeTaskDistribution(const std::string& name) {
  ConfigMap empty(YAML::Node(), "<defaults>", "env-kwargs");
  return MakeTaskDistribution(name, empty);
}

}  // namespace metarl::envs
