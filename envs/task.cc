#include "envs/task.h"

#include <cmath>
#include <sstream>

#include "core/error.h"

namespace metarl::envs {

Task Task::Parse(const std::string& text) {
  Task task;
  std::stringstream in(text);
  std::string item;
  while (std::getline(in, item, ',')) {
    const auto eq = item.find('=');
    METARL_REQUIRE(eq != std::string::npos && eq > 0, "task '", text, "': item '", item,
                   "' is not name=value (expected e.g. 'velocity=1.5' or 'goal_x=0.1,goal_y=-0.2')");
    const std::string name = item.substr(0, eq);
    const std::string value = item.substr(eq + 1);
    std::size_t used = 0;
    double v = 0.0;
    try {
      v = std::stod(value, &used);
    } catch (const std::exception&) {
      used = 0;
    }
    METARL_REQUIRE(used == value.size() && used > 0 && std::isfinite(v), "task '", text,
                   "': value '", value, "' of '", name, "' is not a finite number");
    METARL_REQUIRE(!task.Has(name), "task '", text, "': parameter '", name, "' given twice");
    task.Set(name, v);
  }
  METARL_REQUIRE(!task.params_.empty(), "task '", text, "' is empty (expected name=value,...)");
  return task;
}

double Task::Get(const std::string& name) const {
  auto it = params_.find(name);
  METARL_REQUIRE(it != params_.end(), "task ", ToString().empty() ? "{}" : "'" + ToString() + "'",
                 " has no parameter '", name, "'");
  return it->second;
}

std::string Task::ToString() const {
  std::ostringstream out;
  out.precision(17);
  bool first = true;
  for (const auto& [name, value] : params_) {
    out << (first ? "" : ",") << name << "=" << value;
    first = false;
  }
  return out.str();
}

}  // namespace metarl::envs
