// Whole runs for the per-model tests: a scenario from text, a run with settings, options from
// --set and --fault lines, and the records of a run by name and node.
//
//   const RunResult r = bootsim::testing::run_text(kYaml, {{"network.latency", "constant(1ms)"}});
//   for (const sim::TraceRecord* rec : bootsim::testing::records(r, "run_task", "agent-1")) ...
#pragma once

#include <catch2/catch.hpp>

#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <variant>
#include <vector>

#include "models/run/cluster.hpp"
#include "models/scenario/fault_spec.hpp"
#include "models/scenario/scenario.hpp"

namespace bootsim::testing {

inline models::RunResult run_text(const std::string& yaml,
                                  const std::vector<std::pair<std::string, std::string>>& settings,
                                  const models::RunOptions& base = {}) {
  auto loaded = models::load_scenario_text(yaml, "test.yaml");
  if (auto* e = std::get_if<models::InputError>(&loaded)) FAIL(e->format());
  models::RunOptions o = base;
  for (const auto& [key, value] : settings) o.settings.push_back({key, value, {}});
  auto r = models::run_scenario(std::get<models::Scenario>(loaded), o);
  if (auto* e = std::get_if<models::InputError>(&r)) FAIL(e->format());
  return std::move(std::get<models::RunResult>(r));
}

// Run options from `key=value` settings and fault lines, as `--set` and `--fault` take them.
inline models::RunOptions options_of(const std::vector<std::string>& sets,
                                     const std::vector<std::string>& faults) {
  models::RunOptions o;
  for (const std::string& s : sets) {
    const auto eq = s.find('=');
    o.settings.push_back(models::Setting{s.substr(0, eq), s.substr(eq + 1), {}});
  }
  for (const std::string& f : faults) {
    auto parsed = models::parse_fault_line(f, models::SourceLocation{});
    if (auto* e = std::get_if<models::InputError>(&parsed)) FAIL(e->format());
    o.faults.push_back(std::get<models::FaultSpec>(parsed));
  }
  return o;
}

// A scenario from YAML text (named test.yaml in messages); FAILs on an input error.
inline models::Scenario load_text(const std::string& yaml) {
  auto loaded = models::load_scenario_text(yaml, "test.yaml");
  if (auto* e = std::get_if<models::InputError>(&loaded)) FAIL(e->format());
  return std::get<models::Scenario>(std::move(loaded));
}

// A run of `s`; FAILs on an input error.
inline models::RunResult run(const models::Scenario& s, const models::RunOptions& o = {}) {
  auto r = models::run_scenario(s, o);
  if (auto* e = std::get_if<models::InputError>(&r)) FAIL(e->format());
  return std::move(std::get<models::RunResult>(r));
}

// One fault as `--fault` takes it; FAILs when it does not parse.
inline models::FaultSpec fault(const std::string& line) {
  auto f = models::parse_fault_line(line, models::SourceLocation{});
  if (auto* e = std::get_if<models::InputError>(&f)) FAIL(e->format());
  return std::get<models::FaultSpec>(f);
}

// When `name` was first reached on `node`, if it was.
inline std::optional<sim::SimTime> first(const models::RunResult& r, std::string_view name,
                                         std::string_view node) {
  const auto id = r.trace.first_milestone(name, node);
  if (!id) return std::nullopt;
  return r.trace.at(*id).time;
}

// Every time `name` was reached on `node`, in order.
inline std::vector<sim::SimTime> milestone_times(const models::RunResult& r, std::string_view name,
                                                 std::string_view node) {
  std::vector<sim::SimTime> out;
  for (const sim::RecordId id : r.trace.milestones_named(name)) {
    if (r.trace.at(id).node() == node) out.push_back(r.trace.at(id).time);
  }
  return out;
}

// The records named `name` (on `node`, if given), in time order.
inline std::vector<const sim::TraceRecord*> records(const models::RunResult& r,
                                                    std::string_view name,
                                                    std::string_view node = {}) {
  std::vector<const sim::TraceRecord*> out;
  for (const sim::TraceRecord& rec : r.trace.records()) {
    if (rec.name() == name && (node.empty() || rec.node() == node)) out.push_back(&rec);
  }
  return out;
}

// The first record named `name` on `node` whose detail starts with `prefix`; FAILs without one.
inline const sim::TraceRecord& first_with(const models::RunResult& r, std::string_view name,
                                          std::string_view node, std::string_view prefix) {
  for (const sim::TraceRecord* rec : records(r, name, node)) {
    if (rec->detail().rfind(prefix, 0) == 0) return *rec;
  }
  FAIL("no " << name << " on " << node << " starting with " << prefix);
  throw;  // unreachable: FAIL throws
}

// The records of `component` named `name` (on `node`; empty: on any node), in time order.
inline std::vector<const sim::TraceRecord*> events(const models::RunResult& r,
                                                   std::string_view node,
                                                   std::string_view component,
                                                   std::string_view name) {
  std::vector<const sim::TraceRecord*> out;
  for (const sim::TraceRecord& rec : r.trace.records()) {
    if ((node.empty() || rec.node() == node) && rec.component() == component &&
        rec.name() == name) {
      out.push_back(&rec);
    }
  }
  return out;
}

}  // namespace bootsim::testing
