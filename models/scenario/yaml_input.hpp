// YamlInput: the checked reading of one YAML input file — a scenario or a profile — with every
// problem located: unknown keys (with a suggestion), duplicate keys, wrong types, bad values.
// Shared by the loaders of this folder (scenario.cpp, profile_loader.cpp); it exposes yaml-cpp
// types, so nothing outside models/scenario includes it.
//
//   YamlInput in("s.yaml");
//   for (const auto& [key, value] : in.entries(root, "cluster", kClusterKeys)) ...
//   const sim::SimTime t = in.positive_duration(value, "until");  // or throws LoadFailure
//
// Contract: each reader returns the value or throws LoadFailure holding an InputError located
// at the offending node (1-based line and column). LoadFailure only unwinds a loader's
// recursive descent: load_yaml() turns it, and yaml-cpp's own exceptions, into a returned
// InputError, so no exception leaves a loader. Not thread-safe (one per file being read).
#pragma once

#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <utility>
#include <variant>
#include <vector>

#include <fmt/format.h>
#include <yaml-cpp/yaml.h>

#include "models/core/source_location.hpp"
#include "models/systemd/profile.hpp"
#include "sim/distribution.hpp"
#include "sim/time.hpp"

namespace bootsim::models {

struct LoadFailure {
  InputError error;
};

// What kind of file is being read, for the messages about the file as a whole.
struct InputKind {
  std::string_view what;     // "scenario", "profile"
  std::string_view example;  // keys to show, e.g. "name, cluster, ..."
};

class YamlInput {
 public:
  using Entries = std::vector<std::pair<YAML::Node, YAML::Node>>;

  explicit YamlInput(std::string file) : file_(std::move(file)) {}
  const std::string& file() const { return file_; }

  // Checks that the document is one map: not empty, not a second document, not a list.
  void check_root(const YAML::Node& root, const std::optional<SourceLocation>& second,
                  std::string_view text, const InputKind& kind) const;

  SourceLocation loc(const YAML::Node& n, const SourceLocation& fallback) const;
  SourceLocation loc(const YAML::Node& n) const { return loc(n, SourceLocation{file_, 1, 1}); }

  [[noreturn]] void fail(const SourceLocation& where, std::string message) const;
  [[noreturn]] void fail(const YAML::Node& n, std::string message) const;

  // "a map", "a list", the quoted scalar, or "nothing".
  static std::string describe(const YAML::Node& n);

  std::string scalar(const YAML::Node& n, std::string_view path, std::string_view expected) const;

  // The entries of a map, checked: keys are strings, known (when `known` is not empty) and
  // unique. `context` names the map in messages; empty for the top level.
  Entries entries(const YAML::Node& map, std::string_view context,
                  std::span<const std::string_view> known) const;

  // Calls f(item) for each item of a list; a null value ("faults:" alone) is an empty list.
  template <typename F>
  void for_each_item(const YAML::Node& list, std::string_view path, F&& f) const {
    if (list.IsNull()) return;
    if (!list.IsSequence()) {
      fail(list, fmt::format("{}: expected a list, got {}", path, describe(list)));
    }
    for (const auto& item : list) f(item);
  }

  // A list of scalars with where each one is (a null value is an empty list).
  std::vector<std::pair<std::string, SourceLocation>> scalar_list(const YAML::Node& list,
                                                                  std::string_view path,
                                                                  std::string_view expected) const;

  sim::SimTime positive_duration(const YAML::Node& value, std::string_view path) const;
  sim::Distribution distribution(const YAML::Node& value, std::string_view path) const;
  // A milestone of the design's vocabulary (models/core/milestones.hpp).
  std::string milestone(const YAML::Node& value, std::string_view path) const;
  // `{before: M, after: M, scope: node|cluster, name: …}`, checked; the name stays empty when
  // not given (each caller derives its own).
  RuleSpec rule(const YAML::Node& item) const;

 private:
  // The first character that is not blank, a comment or a document marker.
  std::optional<SourceLocation> first_content(std::string_view text) const;

  std::string file_;
  // Empty map values and the location of their keys (see loc()); mutable: entries() is const.
  mutable std::vector<std::pair<YAML::Node, SourceLocation>> null_values_;
};

// The text of a file, or an InputError located at the file (line 0) when it cannot be read or
// is larger than input files ever are.
std::variant<std::string, InputError> read_input_file(const std::string& path,
                                                      std::string_view what);

// Parses the first YAML document of `text` and returns load(root, second), where `second` is
// where a second document starts, if any; LoadFailure and yaml-cpp errors become the
// InputError returned ("invalid YAML: …" located where yaml-cpp stopped).
template <typename T, typename Load>
std::variant<T, InputError> load_yaml(std::string_view text, const std::string& file,
                                      std::string_view what, Load&& load);

// Implementation details of load_yaml.
std::optional<SourceLocation> second_document(const std::string& text, const std::string& file);
InputError yaml_error(const YAML::Exception& e, const std::string& file);

template <typename T, typename Load>
std::variant<T, InputError> load_yaml(std::string_view text, const std::string& file,
                                      std::string_view what, Load&& load) {
  try {
    const std::string copy(text);
    // YAML::Load reads one document. Not YAML::LoadAll: yaml-cpp 0.7 loops forever,
    // allocating, on some malformed streams such as a lone ',' (jbeder/yaml-cpp#1040, fixed by
    // #1319).
    const YAML::Node root = YAML::Load(copy);
    return load(root, second_document(copy, file));
  } catch (const LoadFailure& f) {
    return f.error;
  } catch (const YAML::Exception& e) {
    return yaml_error(e, file);
  } catch (const std::exception& e) {
    return InputError{{file, 1, 1}, "cannot load " + std::string(what) + ": " + e.what()};
  }
}

}  // namespace bootsim::models
