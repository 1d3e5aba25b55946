#pragma once
// A task: a small set of named real parameters (e.g. {"velocity": 1.5} or
// {"goal_x": 0.1, "goal_y": -0.3}). Which names an env needs, and their valid
// ranges, are defined by its TaskDistribution (ValidateTask).

#include <map>
#include <string>

namespace metarl::envs {

class Task {
 public:
  Task() = default;
  explicit Task(std::map<std::string, double> params) : params_(std::move(params)) {}

  // Parses "velocity=1.5" or "goal_x=0.1,goal_y=-0.2". Throws
  // std::invalid_argument naming the text and what was expected.
  static Task Parse(const std::string& text);

  bool Has(const std::string& name) const { return params_.count(name) != 0; }
  // Throws std::invalid_argument when the parameter is missing.
  double Get(const std::string& name) const;
  void Set(const std::string& name, double value) { params_[name] = value; }
  const std::map<std::string, double>& params() const { return params_; }

  // "velocity=1.5" (inverse of Parse up to number formatting).
  std::string ToString() const;

  bool operator==(const Task& other) const { return params_ == other.params_; }

 private:
  std::map<std::string, double> params_;
};

}  // namespace metarl::envs
