// Scenario: one YAML scenario file, loaded and validated (format: scenarios/README.md).
//
//   auto loaded = load_scenario_file("scenarios/default.yaml");
//   if (auto* e = std::get_if<InputError>(&loaded)) { std::cerr << e->format() << '\n'; return 2; }
//   Scenario s = std::get<Scenario>(std::move(loaded));
//   Parameters p;
//   if (auto e = apply_settings(s.settings, p)) ...;  // then --set, then check_node_names(s, p)
//
// Contract: loading never throws and never crashes, whatever the bytes: every problem is an
// InputError located at the offending YAML node (1-based line and column). The loader checks
// everything it can without a profile: types, unknown keys (with a suggestion), parameter values,
// milestone names, node names against the file's own counts. The profile itself, and unit names
// against it, are checked by the caller (resolve_profile). Rules the file gives are named
// "<before> before <after>" unless they give a name (RuleSpec: models/systemd/profile.hpp).
// Settings keep every parameter override in file order so that --set, applied after them, wins. A
// Scenario is a plain value; loading has no global state.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <variant>
#include <vector>

#include "models/core/parameters.hpp"
#include "models/core/source_location.hpp"
#include "models/scenario/fault_spec.hpp"
#include "models/systemd/profile.hpp"
#include "sim/distribution.hpp"
#include "sim/time.hpp"

namespace bootsim::models {

// The simulated time limit when a scenario gives no `until` (and --until is absent).
inline constexpr sim::SimTime kDefaultUntil = sim::hours(1);

// A link whose latency or loss differs from the cluster's defaults (both directions).
struct LinkSpec {
  std::string a, b;                          // node names
  std::optional<sim::Distribution> latency;  // absent: network.latency
  std::optional<double> loss;                // absent: network.loss
  SourceLocation where;
};

// A zone (an availability zone or a rack) as the scenario names it. Its agent counts and
// latencies are settings (zones.<name>.agents.private, zones.<name>.latency, …: zone_keys.hpp),
// so that --set and --vary reach them; which masters it holds is structure, given here.
struct ZoneSpec {
  std::string name;
  std::vector<std::pair<std::string, SourceLocation>> masters;  // as listed, where each is
  SourceLocation where;                                         // the zone's key
};

// An installed DC/OS service launched by Marathon (Marathon itself is always present, not listed).
struct ServiceSpec {
  std::string name;
  sim::Distribution start;  // from launch to running
  int instances = 1;
  // Each instance task's demand (the service's Marathon app or pod spec); assumption: one cpu
  // and 1 GB, a small JVM service.
  double cpus = 1.0;
  double mem = 1024.0;  // MB
  SourceLocation where;
};

// A budget: `milestone` reached within `within`. Without a quantile it holds for one run (and
// in a sweep for every run); with one (`quantile: p99`) it is a sweep's: the quantile of the
// milestone's times over `runs` seeds (bootsim sweep; bootsim run leaves it to the sweep).
struct BudgetSpec {
  std::string milestone;
  sim::SimTime within;
  SourceLocation where;
  std::optional<int> quantile_bp;  // basis points: p99 = 9900, max = 10000
  std::optional<std::int64_t> runs;
};

// "p50", "p99", "p99.9", "max": the quantile in basis points of 10,000 (p99 = 9900, max =
// 10000); nullopt for anything else (more than two decimals, p0, p100: write max).
std::optional<int> parse_quantile(std::string_view text);
std::string quantile_name(int bp);  // 9900: "p99", 9990: "p99.9", 10000: "max"
// The budget's text as reports show it: "cluster.ready<=10m", "cluster.ready:p99<=150s".
std::string budget_text(const BudgetSpec& budget);

// One parameter override: a dotted key as --set takes it, the value as written.
// Orderings a scenario adds to a profile's unit: `units: {dcos-foo: {after: [dcos-bar]}}`.
struct UnitOverride {
  std::string unit;
  std::vector<std::pair<std::string, SourceLocation>> after;  // unit names, where each is
  SourceLocation where;                                       // the unit's key
};

struct Setting {
  std::string key;
  std::string value;
  SourceLocation where;  // of the value; empty file for --set
};

// A liveness rule with a grace period: once every fault of the run has healed, `milestone` (a
// cluster milestone recorded once: cluster.ready, cluster.masters_ready, cluster.agents_ready)
// is reached within `within`. YAML: `rules: [{liveness: cluster.ready, within: 5m}]`.
struct LivenessSpec {
  std::string name;  // given, or "<milestone> within <within> of the last fault healing"
  std::string milestone;
  sim::SimTime within;
  SourceLocation where;
};

struct Scenario {
  std::string file;
  // FNV-1a (64 bits, hex) of the file's bytes as loaded: a result names the exact scenario.
  std::string text_hash;
  std::string name;
  std::string description;
  // A built-in profile's name, or a profile file's path relative to the scenario file's
  // directory; loaded and checked when the run is built (resolve_profile).
  std::string profile = "dcos-1.9";
  SourceLocation profile_where;  // where the file names it (empty: the default)
  std::uint64_t seed = 1;
  std::optional<sim::SimTime> until;  // absent: kDefaultUntil
  // The shape as the file gives it; omitted counts take the parameter table's defaults. The
  // same values are in `settings` (cluster.*), so after --set read them from the Parameters.
  int masters = 3, private_agents = 10, public_agents = 1;
  SourceLocation masters_where;
  std::vector<LinkSpec> links;
  std::vector<ZoneSpec> zones;    // in the file's order; empty: no zones
  std::vector<Setting> settings;  // every parameter/unit override, in file order
  std::vector<UnitOverride> unit_overrides;
  std::vector<ServiceSpec> services;
  std::vector<FaultSpec> faults;
  std::vector<RuleSpec> rules;
  std::vector<LivenessSpec> liveness;  // the `rules` items that name `liveness`
  std::vector<BudgetSpec> budgets;
};

std::variant<Scenario, InputError> load_scenario_file(const std::string& path);
std::variant<Scenario, InputError> load_scenario_text(std::string_view yaml,
                                                      const std::string& file_name);

// Applies settings in order; the first error is located at its Setting's `where`. Also used
// for --set (where.file empty: "command line: error: ...").
std::optional<InputError> apply_settings(const std::vector<Setting>& settings, Parameters& params);

// Checks every node name the scenario uses (links, fault targets and groups, fault times'
// @node) against the cluster shape in `params` (cluster.* after --set) and the scenario's
// services. The loader runs it with the file's own counts; run it again after --set or after
// adding --fault lines to `faults`.
std::optional<InputError> check_node_names(const Scenario& scenario, const Parameters& params);

// `yaml` (a scenario that loads) with its name set to `name` and its faults replaced by
// `faults` (line form), preceded by `header` as comment lines. The original's comments and
// key order are not kept; what it means is.
std::string scenario_with_faults(std::string_view yaml, const std::string& name,
                                 const std::vector<std::string>& faults, std::string_view header);

}  // namespace bootsim::models
