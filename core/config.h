#pragma once
// Strict YAML configuration onto options structs.
//
// A ConfigMap wraps one YAML mapping. Components read their keys with
// Read(key, &field) (optional: the struct's default stays when the key is
// absent) or Require(key, &field). Every key a component asks for is recorded;
// CheckNoUnknownKeys() then rejects any key in the file that nobody asked for
// (a typo is an error, never ignored), recursively over Child() maps.
// Resolved() returns the full configuration actually used, defaults included,
// which runs save next to their outputs.
//
// Errors are std::invalid_argument naming the source, the dotted key path, the
// offending value and what was expected.
//
// Supported field types: bool, int, std::int64_t, std::uint64_t, double,
// std::string, std::vector<int>, std::vector<double>, std::vector<std::string>.
// Not thread-safe.

#include <cstdint>
#include <memory>
#include <string>
#include <vector>

#include <yaml-cpp/yaml.h>

namespace metarl {

class ConfigMap {
 public:
  // `node` must be a map or null (null = empty map). `source` names the file
  // (or "<string>") in messages; `path` is the dotted key prefix ("" at top).
  ConfigMap(const YAML::Node& node, std::string source, std::string path = "");

  // Parses a YAML file / string. Throws std::invalid_argument for a missing or
  // unreadable file, malformed YAML, or a top level that is not a map.
  static ConfigMap FromFile(const std::string& file);
  static ConfigMap FromString(const std::string& text, const std::string& source = "<string>");
  // Parses `file` and applies `overrides` ("key.sub=value") before reading.
  static ConfigMap FromFile(const std::string& file, const std::vector<std::string>& overrides);

  bool Has(const std::string& key) const;

  template <typename T>
  void Read(const std::string& key, T* value);
  template <typename T>
  void Require(const std::string& key, T* value);

  // The nested map under `key` (an empty map when absent). Its keys are
  // checked by this map's CheckNoUnknownKeys().
  ConfigMap Child(const std::string& key);

  // Throws std::invalid_argument listing unknown keys and the known ones.
  void CheckNoUnknownKeys() const;

  // The configuration as read: every asked key with its final value.
  YAML::Node Resolved() const;

  // "file: key 'a.b'" for messages.
  std::string Where(const std::string& key) const;
  const std::string& source() const;

 private:
  struct State;
  explicit ConfigMap(std::shared_ptr<State> state) : state_(std::move(state)) {}
  void MarkAsked(const std::string& key, const YAML::Node& resolved_value);
  template <typename T>
  void Parse(const std::string& key, const YAML::Node& node, T* value) const;

  std::shared_ptr<State> state_;
};

// A key with two named values read into a flag: *flag becomes value ==
// `when_true`; absent, the flag keeps its value (the default). Anything else:
// std::invalid_argument "KEY = 'VALUE': expected WHEN_TRUE or WHEN_FALSE
// (EXPLANATION)".
void ReadBinaryChoice(ConfigMap& config, const std::string& key, bool* flag, const std::string& when_true,
                      const std::string& when_false, const std::string& explanation = "");

// Applies a command-line override "dotted.key=value" to a parsed config: the
// value is parsed as YAML ("0.5", "[64, 64]", "true"), intermediate maps are
// created as needed. Throws std::invalid_argument for text without '=' or an
// empty key. Unknown keys are caught later by CheckNoUnknownKeys like any other.
void ApplyOverride(YAML::Node& root, const std::string& assignment);

// Writes `node` as YAML to `file` atomically (temporary file + rename).
void WriteYamlFile(const YAML::Node& node, const std::string& file);

// Writes `text` to `file` atomically: a reader sees the old file or the
// whole new one, never a part. std::runtime_error naming the file on failure.
void WriteTextFile(const std::string& file, const std::string& text);

}  // namespace metarl
