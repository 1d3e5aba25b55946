#include "core/config.h"

#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <map>
#include <set>
#include <sstream>

#include "core/error.h"

namespace metarl {

struct ConfigMap::State {
  YAML::Node node;
  std::string source;
  std::string path;
  std::map<std::string, YAML::Node> asked;  // key -> resolved value (ordered for stable dumps)
  std::vector<std::string> asked_order;
  std::map<std::string, std::shared_ptr<State>> children;
};

namespace {

template <typename T>
const char* TypeName();
template <> const char* TypeName<bool>() { return "a boolean (true/false)"; }
template <> const char* TypeName<int>() { return "an integer"; }
template <> const char* TypeName<std::int64_t>() { return "an integer"; }
template <> const char* TypeName<std::uint64_t>() { return "a non-negative integer"; }
template <> const char* TypeName<double>() { return "a number"; }
template <> const char* TypeName<std::string>() { return "a string"; }
template <> const char* TypeName<std::vector<int>>() { return "a list of integers"; }
template <> const char* TypeName<std::vector<double>>() { return "a list of numbers"; }
template <> const char* TypeName<std::vector<std::string>>() { return "a list of strings"; }

// Shortest decimal that reads back as exactly `v` (0.99, not 0.98999999999999999).
std::string ShortestDecimal(double v) {
  char buf[40];
  for (int precision = 1; precision <= 17; ++precision) {
    std::snprintf(buf, sizeof(buf), "%.*g", precision, v);
    if (std::strtod(buf, nullptr) == v) break;
  }
  return buf;
}

template <typename T>
YAML::Node ToNode(const T& value) {
  return YAML::Node(value);
}
template <>
YAML::Node ToNode<double>(const double& value) {
  return YAML::Node(ShortestDecimal(value));
}
template <>
YAML::Node ToNode<std::vector<double>>(const std::vector<double>& values) {
  YAML::Node node(YAML::NodeType::Sequence);
  for (double v : values) node.push_back(ShortestDecimal(v));
  return node;
}

std::string Show(const YAML::Node& node) {
  if (node.IsScalar()) return "'" + node.Scalar() + "'";
  YAML::Emitter out;
  out << YAML::Flow << node;
  return out.c_str();
}

}  // namespace

ConfigMap::ConfigMap(const YAML::Node& node, std::string source, std::string path)
    : state_(std::make_shared<State>()) {
  state_->source = std::move(source);
  state_->path = std::move(path);
  METARL_REQUIRE(!node.IsDefined() || node.IsNull() || node.IsMap(), state_->source, ": ",
                 state_->path.empty() ? std::string("the top level") : "key '" + state_->path + "'",
                 " is ", Show(node), ": expected a map of key: value");
  state_->node = node;
}

ConfigMap ConfigMap::FromFile(const std::string& file) {
  std::error_code ec;
  METARL_REQUIRE(std::filesystem::is_regular_file(file, ec), "config file '", file,
                 "' does not exist or is not a regular file");
  std::ifstream in(file);
  METARL_REQUIRE(in.good(), "config file '", file, "' cannot be read");
  YAML::Node node;
  try {
    node = YAML::Load(in);
  } catch (const YAML::Exception& e) {
    throw std::invalid_argument(Cat("config file '", file, "' is not valid YAML: ", e.what()));
  }
  return ConfigMap(node, file);
}

ConfigMap ConfigMap::FromFile(const std::string& file, const std::vector<std::string>& overrides) {
  ConfigMap parsed = FromFile(file);
  if (overrides.empty()) return parsed;
  YAML::Node root = YAML::Clone(parsed.state_->node);
  if (!root.IsMap()) root = YAML::Node(YAML::NodeType::Map);
  for (const auto& o : overrides) ApplyOverride(root, o);
  return ConfigMap(root, file + " (with --set overrides)");
}

void ApplyOverride(YAML::Node& root, const std::string& assignment) {
  const auto eq = assignment.find('=');
  METARL_REQUIRE(eq != std::string::npos && eq > 0, "--set '", assignment,
                 "': expected key=value (e.g. num-batches=20 or env-kwargs.low=0.5)");
  const std::string path = assignment.substr(0, eq);
  YAML::Node value;
  try {
    value = YAML::Load(assignment.substr(eq + 1));
  } catch (const YAML::Exception& e) {
    throw std::invalid_argument(Cat("--set '", assignment, "': the value is not valid YAML: ", e.what()));
  }
  std::vector<std::string> keys;
  std::stringstream in(path);
  for (std::string key; std::getline(in, key, '.');) {
    METARL_REQUIRE(!key.empty(), "--set '", assignment, "': empty key in '", path, "'");
    keys.push_back(key);
  }
  // yaml-cpp nodes are references: walk down with explicit copies.
  std::vector<YAML::Node> chain = {root};
  for (std::size_t i = 0; i + 1 < keys.size(); ++i) {
    YAML::Node next = chain.back()[keys[i]];
    if (!next.IsMap()) {
      chain.back()[keys[i]] = YAML::Node(YAML::NodeType::Map);
      next = chain.back()[keys[i]];
    }
    chain.push_back(next);
  }
  chain.back()[keys.back()] = value;
}

ConfigMap ConfigMap::FromString(const std::string& text, const std::string& source) {
  YAML::Node node;
  try {
    node = YAML::Load(text);
  } catch (const YAML::Exception& e) {
    throw std::invalid_argument(Cat(source, " is not valid YAML: ", e.what()));
  }
  return ConfigMap(node, source);
}

const std::string& ConfigMap::source() const { return state_->source; }

std::string ConfigMap::Where(const std::string& key) const {
  const std::string full = state_->path.empty() ? key : state_->path + "." + key;
  return Cat(state_->source, ": key '", full, "'");
}

bool ConfigMap::Has(const std::string& key) const {
  return state_->node.IsMap() && state_->node[key].IsDefined() && !state_->node[key].IsNull();
}

void ConfigMap::MarkAsked(const std::string& key, const YAML::Node& resolved_value) {
  if (state_->asked.find(key) == state_->asked.end()) state_->asked_order.push_back(key);
  state_->asked[key] = resolved_value;
}

template <typename T>
void ConfigMap::Parse(const std::string& key, const YAML::Node& node, T* value) const {
  bool ok = true;
  if constexpr (std::is_same_v<T, std::string>) {
    ok = node.IsScalar();
  } else if constexpr (std::is_same_v<T, std::vector<int>> ||
                       std::is_same_v<T, std::vector<double>> ||
                       std::is_same_v<T, std::vector<std::string>>) {
    ok = node.IsSequence();
  } else {
    ok = node.IsScalar();
  }
  if (ok) {
    try {
      T parsed = node.as<T>();
      if constexpr (std::is_same_v<T, std::uint64_t>) {
        // yaml-cpp accepts "-1" for unsigned types by wrapping around.
        ok = node.Scalar().find('-') == std::string::npos;
      }
      if constexpr (std::is_same_v<T, double>) ok = std::isfinite(parsed);
      if constexpr (std::is_same_v<T, std::vector<double>>) {
        for (double v : parsed) ok = ok && std::isfinite(v);
      }
      if (ok) {
        *value = std::move(parsed);
        return;
      }
    } catch (const YAML::Exception&) {
      ok = false;
    }
  }
  throw std::invalid_argument(Cat(Where(key), " = ", Show(node), ": expected ", TypeName<T>(),
                                  std::is_same_v<T, double> ? " (finite)" : ""));
}

template <typename T>
void ConfigMap::Read(const std::string& key, T* value) {
  if (Has(key)) Parse(key, state_->node[key], value);
  MarkAsked(key, ToNode(*value));
}

template <typename T>
void ConfigMap::Require(const std::string& key, T* value) {
  METARL_REQUIRE(Has(key), Where(key), " is required (", TypeName<T>(), ") but missing");
  Read(key, value);
}

#define METARL_CONFIG_INSTANTIATE(T)                          \
  template void ConfigMap::Read<T>(const std::string&, T*);   \
  template void ConfigMap::Require<T>(const std::string&, T*);
METARL_CONFIG_INSTANTIATE(bool)
METARL_CONFIG_INSTANTIATE(int)
METARL_CONFIG_INSTANTIATE(std::int64_t)
METARL_CONFIG_INSTANTIATE(std::uint64_t)
METARL_CONFIG_INSTANTIATE(double)
METARL_CONFIG_INSTANTIATE(std::string)
METARL_CONFIG_INSTANTIATE(std::vector<int>)
METARL_CONFIG_INSTANTIATE(std::vector<double>)
METARL_CONFIG_INSTANTIATE(std::vector<std::string>)
#undef METARL_CONFIG_INSTANTIATE

ConfigMap ConfigMap::Child(const std::string& key) {
  auto it = state_->children.find(key);
  if (it != state_->children.end()) return ConfigMap(it->second);
  const std::string path = state_->path.empty() ? key : state_->path + "." + key;
  YAML::Node node = state_->node.IsMap() ? state_->node[key] : YAML::Node();
  ConfigMap child(node, state_->source, path);
  state_->children[key] = child.state_;
  if (state_->asked.find(key) == state_->asked.end()) state_->asked_order.push_back(key);
  state_->asked[key] = YAML::Node();  // filled by Resolved()
  return child;
}

void ConfigMap::CheckNoUnknownKeys() const {
  if (state_->node.IsMap()) {
    std::vector<std::string> unknown;
    for (const auto& kv : state_->node) {
      const std::string key = kv.first.as<std::string>();
      if (state_->asked.find(key) == state_->asked.end()) unknown.push_back(key);
    }
    if (!unknown.empty()) {
      std::string known;
      for (const auto& k : state_->asked_order) known += (known.empty() ? "" : ", ") + k;
      throw std::invalid_argument(Cat(Where(unknown.front()), " is not a known key",
                                      unknown.size() > 1 ? Cat(" (", unknown.size(), " unknown keys)") : "",
                                      "; expected one of: ", known));
    }
  }
  for (const auto& kv : state_->children) ConfigMap(kv.second).CheckNoUnknownKeys();
}

YAML::Node ConfigMap::Resolved() const {
  YAML::Node out(YAML::NodeType::Map);
  for (const auto& key : state_->asked_order) {
    auto child = state_->children.find(key);
    out[key] = child != state_->children.end() ? ConfigMap(child->second).Resolved()
                                               : state_->asked.at(key);
  }
  return out;
}

void WriteYamlFile(const YAML::Node& node, const std::string& file) {
  YAML::Emitter emitter;
  emitter << node;
  WriteTextFile(file, std::string(emitter.c_str()) + "\n");
}

void WriteTextFile(const std::string& file, const std::string& text) {
  const std::string tmp = file + ".tmp";
  {
    std::ofstream out(tmp, std::ios::trunc);
    METARL_REQUIRE(out.good(), "cannot write '", tmp, "'");
    out << text;
    out.flush();
    if (!out.good()) throw std::runtime_error(Cat("write to '", tmp, "' failed"));
  }
  std::error_code ec;
  std::filesystem::rename(tmp, file, ec);
  if (ec) throw std::runtime_error(Cat("cannot rename '", tmp, "' to '", file, "': ", ec.message()));
}

void ReadBinaryChoice(ConfigMap& config, const std::string& key, bool* flag, const std::string& when_true,
                      const std::string& when_false, const std::string& explanation) {
  std::string value = *flag ? when_true : when_false;
  config.Read(key, &value);
  METARL_REQUIRE(value == when_true || value == when_false, key, " = '", value, "': expected ", when_true, " or ",
                 when_false, explanation.empty() ? "" : " (" + explanation + ")");
  *flag = value == when_true;
}

}  // namespace metarl
