// Parameters: every tunable of a run, with its real default and the source of that default.
//
//   Parameters p;                                   // every key at its default
//   std::string error;
//   if (!p.set("zookeeper.tickTime", "500ms", error)) report(error);
//   const sim::SimTime tick = p.duration("zookeeper.tickTime");
//
// Contract: parameter_table() is the one list of tunables (sorted by key); models read values
// from a Parameters, never literals. Keys are the names scenarios, --set and --vary share:
// component, dot, the real component's own flag name where one exists. Besides the table's keys,
// `units.<unit>.start` (a distribution) and `units.<unit>.restart_sec` (a duration) may be set
// for any plausible unit name; whether the profile has that unit is the caller's check; and the
// zone keys (zone_keys.hpp), whose zones the scenario checks.
// set() validates and reports errors as text without location (the caller adds FILE:LINE:COL);
// the typed getters abort on an unknown key or a wrong type, which is a bug, not an input error.
// A value type: copy it per run; no shared state.
#pragma once

#include <cstdint>
#include <limits>
#include <map>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <utility>
#include <variant>
#include <vector>

#include "sim/distribution.hpp"
#include "sim/time.hpp"

namespace bootsim::models {

enum class ParamType { kDuration, kInteger, kDistribution, kProbability };

std::string_view param_type_name(ParamType type);  // "duration", "integer", ...

struct ParamSpec {
  std::string_view key;  // e.g. "zookeeper.tickTime"
  ParamType type;
  std::string_view default_value;  // in the text form set() accepts
  std::string_view source;         // file and flag the default comes from, or "assumption: ..."
  std::string_view description;
  // Durations and integers: whether 0 is meaningful. Zero periods and back-off factors would
  // make a model retry forever at one instant, so most refuse it.
  bool allow_zero = false;
  std::int64_t max_integer = std::numeric_limits<std::int64_t>::max();  // integers only
};

// All tunables, sorted by key.
std::span<const ParamSpec> parameter_table();

// The table entry for `key`, or nullptr (units.* keys have none).
const ParamSpec* find_param(std::string_view key);

// True for the table's keys and for units.<plausible unit name>.start|restart_sec: the keys
// set() accepts, whatever the value.
bool is_parameter_key(std::string_view key);

class Parameters {
 public:
  Parameters();  // every key at its default

  // Validates `value` for `key` and sets it. On error returns false with `error` set to a
  // message without location, e.g. "unknown parameter 'zookeeper.tickTme' (did you mean
  // 'zookeeper.tickTime'?)" or "zookeeper.tickTime: malformed duration 'abc' (expected e.g.
  // 250ms, 2s, 1m30s)"; the parameters are then unchanged.
  bool set(std::string_view key, std::string_view value, std::string& error);

  // Typed getters for table keys.
  sim::SimTime duration(std::string_view key) const;
  std::int64_t integer(std::string_view key) const;
  double probability(std::string_view key) const;
  sim::Distribution distribution(std::string_view key) const;

  // Per-unit overrides; nullopt: the profile's own value applies.
  std::optional<sim::SimTime> unit_restart_sec(std::string_view unit) const;
  std::optional<sim::Distribution> unit_start(std::string_view unit) const;
  std::vector<std::string> units_mentioned() const;  // unit names in units.* keys, sorted

  // Zone keys (zone_keys.hpp), by key (a pair of zones by zone_pair_key); nullopt: not set.
  std::optional<std::int64_t> zone_count(std::string_view key) const;
  std::optional<sim::Distribution> zone_latency(std::string_view key) const;

  // The current value of any key (table or units.*) as text, e.g. for reports; nullopt if the
  // key is neither in the table nor set.
  std::optional<std::string> text(std::string_view key) const;

  bool is_overridden(std::string_view key) const;
  // Every key set() changed, with its value as given (trimmed), sorted by key.
  std::vector<std::pair<std::string, std::string>> overrides() const;

 private:
  // Why the value just set for `key` makes a product of parameters (tickTime x initLimit, ...)
  // overflow the simulated-time horizon, or nullopt.
  std::optional<std::string> product_problem(std::string_view key) const;
  bool set_zone_key(std::string_view key, std::string_view value, std::string& error);

  using Value = std::variant<sim::SimTime, std::int64_t, double, sim::Distribution>;
  struct Entry {
    std::string text;
    Value value;
  };
  std::vector<Entry> values_;  // parallel to parameter_table()
  std::map<std::string, sim::Distribution, std::less<>> unit_start_;
  std::map<std::string, sim::SimTime, std::less<>> unit_restart_sec_;
  std::map<std::string, std::int64_t, std::less<>> zone_counts_;
  std::map<std::string, sim::Distribution, std::less<>> zone_latencies_;
  std::map<std::string, std::string, std::less<>> overrides_;  // key -> text, as set
};

// True for names a unit or process may have: [A-Za-z0-9] then [A-Za-z0-9._:@-], at most 128.
bool is_plausible_unit_name(std::string_view name);

}  // namespace bootsim::models
