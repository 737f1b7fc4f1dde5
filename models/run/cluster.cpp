#include "models/run/cluster.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <filesystem>
#include <memory>

#include "models/dcos/profiles.hpp"
#include "models/run/registry.hpp"
#include "models/run/world.hpp"

namespace bootsim::models {

namespace {

InputError command_line_error(std::string message) {
  return InputError{SourceLocation{}, std::move(message)};
}

// The timers' OnBootSec / OnUnitActiveSec are parameters, `<prefix>.OnBootSec` and
// `<prefix>.OnUnitActiveSec`, per the model of the oneshot the timer starts: set, they apply to
// every timer unit whose oneshot is that model; unset, the profile's values stay (the built-in
// profiles have the same defaults as the table).
struct TimerParameters {
  std::string_view process;  // the oneshot's model
  std::string_view prefix;   // of its parameters
};
constexpr TimerParameters kTimerParameters[] = {
    {"gen-resolvconf", "resolvconf"},
    {"spartan-watchdog", "spartan-watchdog"},
    {"adminrouter-reload", "adminrouter-reload"},
};

void apply_timer_parameters(Profile& profile, const Parameters& params) {
  for (UnitDef& u : profile.units) {
    if (u.type != UnitType::kTimer) continue;
    for (const TimerParameters& t : kTimerParameters) {
      if (u.process != t.process) continue;
      const std::string boot = fmt::format("{}.OnBootSec", t.prefix);
      const std::string active = fmt::format("{}.OnUnitActiveSec", t.prefix);
      if (params.is_overridden(boot)) u.on_boot_sec = params.duration(boot);
      if (params.is_overridden(active)) u.on_unit_active_sec = params.duration(active);
    }
  }
}

}  // namespace

std::variant<Profile, InputError> load_checked_profile(std::string_view ref, const std::string& dir,
                                                       const SourceLocation& where) {
  auto loaded = load_profile(ref, dir, builtin_profile_texts(), where);
  if (auto* e = std::get_if<InputError>(&loaded)) return *e;
  const auto problems = validate(std::get<Profile>(loaded), standard_registry());
  if (!problems.empty()) {
    const ProfileProblem& p = problems.front();
    return InputError{p.where.line > 0 ? p.where : where, p.message};
  }
  return loaded;
}

std::variant<Profile, InputError> resolve_profile(const Scenario& scenario,
                                                  const Parameters& params) {
  // A profile file is named relative to the scenario file's directory.
  const std::string dir = std::filesystem::path(scenario.file).parent_path().string();
  const SourceLocation named_at = scenario.profile_where.file.empty()
                                      ? SourceLocation{scenario.file, 1, 1}
                                      : scenario.profile_where;
  auto loaded = load_checked_profile(scenario.profile, dir, named_at);
  if (auto* e = std::get_if<InputError>(&loaded)) return *e;
  Profile profile = std::get<Profile>(std::move(loaded));
  auto where = [&](const std::string& unit) {
    for (const Setting& s : scenario.settings) {
      if (s.key.starts_with("units." + unit + ".")) return s.where;
    }
    return SourceLocation{};
  };
  apply_timer_parameters(profile, params);
  for (const std::string& unit : params.units_mentioned()) {
    UnitDef* def = profile.find(unit);
    if (def == nullptr) {
      std::vector<std::string> names;
      for (const UnitDef& u : profile.units) names.push_back(u.name);
      return InputError{where(unit), fmt::format("unknown unit '{}' in profile {} (its units: {})",
                                                 unit, profile.name, fmt::join(names, ", "))};
    }
    if (const auto r = params.unit_restart_sec(unit)) def->restart_sec = *r;
    if (const auto s = params.unit_start(unit)) def->start = *s;
  }
  for (const UnitOverride& o : scenario.unit_overrides) {
    UnitDef* def = profile.find(o.unit);
    if (def == nullptr) {
      return InputError{o.where,
                        fmt::format("unknown unit '{}' in profile {}", o.unit, profile.name)};
    }
    for (const auto& [after, at] : o.after) {
      if (profile.find(after) == nullptr) {
        return InputError{
            at, fmt::format("unit '{}' is ordered After= unknown unit '{}'", o.unit, after)};
      }
      def->after.push_back(after);
      profile.locations[o.unit].after.push_back(at);
    }
  }
  const auto problems = validate(profile, standard_registry());
  if (!problems.empty()) {
    SourceLocation at{scenario.file, 1, 1};
    for (const UnitOverride& o : scenario.unit_overrides) {
      if (o.unit == problems.front().unit) at = o.where;
    }
    return InputError{at, problems.front().message};
  }
  return profile;
}

std::variant<PreparedRun, InputError> prepare_run(const Scenario& scenario,
                                                  const RunOptions& options) {
  PreparedRun p;
  p.scenario = &scenario;
  Parameters& params = p.params;
  if (auto e = apply_settings(scenario.settings, params)) return *e;
  if (auto e = apply_settings(options.settings, params)) return *e;
  {
    std::vector<Setting> all = scenario.settings;
    all.insert(all.end(), options.settings.begin(), options.settings.end());
    auto zones = resolve_zones(scenario, all, params);
    if (auto* e = std::get_if<InputError>(&zones)) return *e;
    p.zones = std::get<ZoneLayout>(std::move(zones));
  }
  const auto masters = params.integer("cluster.masters");
  if (masters != 1 && masters != 3 && masters != 5 && masters != 7 && masters != 9) {
    return command_line_error(
        fmt::format("cluster.masters: DC/OS accepts 1, 3, 5, 7 or 9 masters, got {}", masters));
  }
  if (auto e = check_node_names(scenario, params)) return *e;
  if (!options.faults.empty()) {
    // --fault lines name nodes too (master-9 in a 3-master cluster must be an error, not a
    // fault that silently finds no target); checked alone, their errors say "command line".
    Scenario cli = scenario;
    cli.links.clear();
    cli.faults = options.faults;
    if (auto e = check_node_names(cli, params)) return *e;
  }
  auto profile = resolve_profile(scenario, params);
  if (auto* e = std::get_if<InputError>(&profile)) return *e;
  p.faults = scenario.faults;
  p.faults.insert(p.faults.end(), options.faults.begin(), options.faults.end());
  // The process part of a target must name a unit of the profile (with or without its
  // "dcos-" prefix) or ZooKeeper, Exhibitor's child process.
  p.profile = std::get<Profile>(std::move(profile));
  const Profile& prof = p.profile;
  for (const FaultSpec& f : p.faults) {
    const FaultTarget t = split_fault_target(f.target);
    if (t.unit.empty() || t.unit == "zookeeper" || prof.find(t.unit) != nullptr ||
        prof.find("dcos-" + t.unit) != nullptr) {
      continue;
    }
    std::vector<std::string> names{"zookeeper"};
    for (const UnitDef& u : prof.units) names.push_back(u.name);
    return InputError{f.where, fmt::format("fault.target: no unit '{}' in profile {} (valid: {}; "
                                           "the dcos- prefix may be left out)",
                                           t.unit, prof.name, fmt::join(names, ", "))};
  }
  const auto hosts = static_cast<std::uint64_t>(params.integer("cluster.masters") +
                                                params.integer("cluster.agents.private") +
                                                params.integer("cluster.agents.public"));
  if (options.memory_limit_bytes) {
    const std::uint64_t per_host = bytes_per_host(options.trace_level);
    const std::uint64_t need = kRunBaseBytes + hosts * per_host;
    if (need > *options.memory_limit_bytes) {
      const auto gb = [](std::uint64_t b) { return static_cast<double>(b) / 1e9; };
      return InputError{
          SourceLocation{scenario.file, 0, 0},
          fmt::format("a cluster of {} hosts needs about {:.1f} GB of memory (about {} KB a host "
                      "at --trace {}), more than the {:.1f} GB available: {:.1f} GB too much "
                      "(fewer agents, a lighter --trace, or a machine with more memory)",
                      hosts, gb(need), per_host / 1000, sim::to_string(options.trace_level),
                      gb(*options.memory_limit_bytes), gb(need - *options.memory_limit_bytes))};
    }
  }
  for (const Setting& st : options.settings) p.set_options.push_back(st.key + "=" + st.value);
  for (const FaultSpec& f : options.faults) p.fault_options.push_back(f.text);
  p.until = options.until.value_or(scenario.until.value_or(kDefaultUntil));
  p.max_events =
      options.max_events.value_or(std::max(kDefaultMaxEvents, hosts * kMaxEventsPerHost));
  p.stop_at_ready = options.stop_at_ready;
  p.trace_level = options.trace_level;
  p.testing = options.testing;
  p.max_trace_records = options.max_trace_records == 0
                            ? 0
                            : std::max(options.max_trace_records,
                                       static_cast<std::size_t>(hosts) * kMaxTraceRecordsPerHost);
  return p;
}

std::variant<RunResult, InputError> execute(const PreparedRun& p, std::uint64_t seed) {
  auto cluster = std::make_unique<World>(*p.scenario, p.params, p.profile, seed, p.until, p.faults);
  cluster->set_testing(p.testing);
  cluster->set_zones(p.zones);
  cluster->set_trace_level(p.trace_level);
  if (auto e = cluster->build()) return *e;
  cluster->set_stop_at_ready(p.stop_at_ready);
  cluster->set_limits(p.max_events, p.max_trace_records);
  RunResult r = cluster->run();
  r.set_options = p.set_options;
  r.fault_options = p.fault_options;
  return r;
}

std::variant<RunResult, InputError> run_scenario(const Scenario& scenario,
                                                 const RunOptions& options) {
  auto prepared = prepare_run(scenario, options);
  if (auto* e = std::get_if<InputError>(&prepared)) return *e;
  return execute(std::get<PreparedRun>(prepared), options.seed.value_or(scenario.seed));
}

}  // namespace bootsim::models
