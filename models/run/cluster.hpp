// Cluster: one simulated DC/OS boot — builds the hosts, units and models a scenario describes,
// runs the clock, injects faults, and checks the outcome against ordering rules and budgets.
//
//   auto result = run_scenario(scenario, RunOptions{.seed = 7});
//   if (auto* r = std::get_if<RunResult>(&result)) print(r->critical_chain);
//
// Contract: a run is a pure function of (scenario, options): no globals, so runs may go in
// parallel on separate threads. Input problems found while building (an unknown unit in a
// setting, a master count DC/OS refuses, a bad --set) come back as an InputError; outcomes
// inside the simulated world (no quorum, a missed budget) are in the RunResult.
// The run ends at `until`; without faults it ends as soon as `cluster.ready` is reached.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <variant>
#include <vector>

#include "models/core/run_context.hpp"
#include "models/run/dns_windows.hpp"
#include "models/run/rules.hpp"
#include "models/scenario/scenario.hpp"
#include "models/scenario/zones.hpp"
#include "models/systemd/profile.hpp"
#include "sim/trace.hpp"

namespace bootsim::models {

// Limits a user understands (issue 7): the longest --until, and the events a run may take
// before it is stopped: 50 million (about a minute of computing at this kernel's rate), or
// 10,000 a host for a larger cluster (at 100,000 hosts about an hour). A boot takes about 850 a
// host with 10 installed services and about 3 more a host for each further one (its framework
// is offered every agent as it registers; BENCHMARKS.md), so it reaches the limit only with
// about 3,000 services.
inline constexpr sim::SimTime kMaxUntil = sim::hours(10'000);
inline constexpr std::uint64_t kDefaultMaxEvents = 50'000'000;
inline constexpr std::uint64_t kMaxEventsPerHost = 10'000;
// The memory a run takes, estimated before it is built: measured on the default profile with one
// service per 100 agents, as peak RSS between 1,000 and 4,000 agents (BENCHMARKS.md), and
// rounded up by a third or more. At --trace full 108 KB a host (175 KB before the records
// shrank); at milestones 92 KB; at none 58 KB, and since the per-unit savings of 2026-12-02
// about 50 at 10,000 agents with 100 services and 47 at 100,000 with 10.
inline constexpr std::uint64_t kRunBaseBytes = 16'000'000;
constexpr std::uint64_t bytes_per_host(sim::TraceLevel level) {
  switch (level) {
    case sim::TraceLevel::kFull:
      return 200'000;
    case sim::TraceLevel::kMilestones:
      return 130'000;
    case sim::TraceLevel::kNone:
      return 80'000;
  }
  return 200'000;
}
// The trace records a run may keep (each about 300 bytes: about 450 MB), or 1,000 a host for a
// larger cluster (a boot records about 300 a host), so that a run that never settles (a fault
// that keeps something restarting) cannot take the machine's memory.
inline constexpr std::size_t kMaxTraceRecords = 1'500'000;
inline constexpr std::size_t kMaxTraceRecordsPerHost = 1'000;

struct RunOptions {
  std::optional<std::uint64_t> seed;
  std::optional<sim::SimTime> until;
  // nullopt: kDefaultMaxEvents or kMaxEventsPerHost a host, whichever is more; 0: no limit.
  std::optional<std::uint64_t> max_events;
  std::size_t max_trace_records = kMaxTraceRecords;
  // The memory the run may take (the machine's available memory, as the front end reads it);
  // a cluster whose estimate is larger is refused before it is built. nullopt: no check.
  std::optional<std::uint64_t> memory_limit_bytes;
  std::vector<Setting> settings;  // --set, applied after the scenario's own
  std::vector<FaultSpec> faults;  // --fault, added to the scenario's
  // --stop-at-ready: with faults, end the run when cluster.ready is reached with every fault
  // fired and undone (without faults a run always ends there). A run whose faults come after
  // cluster.ready goes on as without it (cluster.ready is recorded once).
  bool stop_at_ready = false;
  // --trace: how much of each record's text the run keeps (reports need kFull; a sweep keeps
  // none). Milestones, budgets, violations and the fingerprint are the same at every level.
  sim::TraceLevel trace_level = sim::TraceLevel::kFull;
  TestingVariants testing;  // broken variants, for tests only
};

struct BudgetResult {
  std::string milestone;
  sim::SimTime within;
  std::optional<sim::SimTime> actual;  // when the milestone was reached everywhere it applies
  bool ok = false;
};

struct RunResult {
  std::string scenario;
  std::string profile;
  std::uint64_t seed = 0;
  sim::SimTime until;
  sim::SimTime ended_at;
  // Why the run ended: "cluster.ready" (reached with no fault to come), "settled" (nothing
  // changed for settle_window with no fault to come: nothing can change any more), "until",
  // "max-events" or "max-trace" (stopped by a limit: not a complete result).
  std::string ended_by;
  sim::SimTime settle_window;
  std::uint64_t max_events = 0;  // the limits this run had (0: none)
  std::size_t max_trace_records = 0;
  std::vector<std::string> nodes;  // hosts in order, then services
  // Every systemd unit of every host (hosts in order, units in the profile's order), so that
  // reports tell a unit's state changes from a protocol model's without matching names.
  struct UnitRow {
    std::string node;
    std::string unit;
    Role role = Role::kMaster;
  };
  std::vector<UnitRow> units;
  std::vector<std::string> overrides;        // "key=value" of every parameter not at its default
  std::string scenario_file, scenario_hash;  // the file and its bytes' hash (Scenario)
  std::vector<std::string> set_options;      // --set key=value, in order
  std::vector<std::string> fault_options;    // --fault lines (canonical text), in order
  // Every parameter of the table with its effective value, sorted by key, then units.* and
  // zones.* set.
  std::vector<std::pair<std::string, std::string>> parameters;
  sim::Trace trace;
  std::vector<Violation> violations;  // safety properties, ordering and liveness rules
  std::vector<RuleResult> rules;
  // Each window in which two Mesos masters believed they led (what the single-mesos-leader
  // violations are about): the one leading first, the one that began leading during it, and
  // until when (unset: both still led when the run ended).
  struct LeaderOverlap {
    std::string first, second;
    sim::SimTime from;
    std::optional<sim::SimTime> to;
  };
  std::vector<LeaderOverlap> leader_overlaps;
  std::vector<BudgetResult> budgets;
  std::vector<sim::RecordId> critical_chain;  // cluster.ready first, then its causes
  std::optional<sim::SimTime> ready_at;
  std::vector<std::string> not_reached;  // what held cluster.ready back, when it was not reached
  // Faults whose time never came (canonical text); what the others hit is in the trace
  // (component "fault": no_target and not_running for those that hit nothing).
  std::vector<std::string> faults_not_fired;
  // Per host, in host order: leader.mesos as its clients resolved it (dns_windows.hpp).
  std::vector<NodeDns> dns;
  std::uint64_t events = 0;
  std::uint64_t fingerprint = 0;
  // Parallel to milestone_names(): when each milestone counts as reached in this run, as a
  // budget reads it (a per-node milestone: the last of its nodes' first reaches, once every node
  // it applies to has one; a cluster milestone or mesos-master.leading: its first reach).
  std::vector<std::optional<sim::SimTime>> milestone_times;

  // Every check holds and cluster.ready was reached (a boot that never becomes ready is not a
  // pass, budget or none).
  bool ok() const {
    bool budgets_ok = true;
    for (const BudgetResult& b : budgets) budgets_ok = budgets_ok && b.ok;
    return violations.empty() && budgets_ok && ready_at.has_value();
  }
  // Faults that did nothing: never fired, or found no target or no running process; one line
  // each, for --strict.
  std::vector<std::string> ineffective_faults() const;
};

std::variant<RunResult, InputError> run_scenario(const Scenario& scenario,
                                                 const RunOptions& options = {});

// A run with its input resolved (settings applied, names checked, profile loaded): what
// run_scenario does before it simulates, done once so that many runs (a sweep) reuse it.
//
//   auto prepared = prepare_run(scenario, options);    // InputError: as run_scenario's
//   RunResult r = execute(std::get<PreparedRun>(prepared), seed);
//
// Contract: a value; execute() only reads it, so threads may share one. execute(p, seed) equals
// run_scenario(scenario, options with .seed = seed) (the scenario must outlive p).
struct PreparedRun {
  const Scenario* scenario = nullptr;
  Parameters params;
  Profile profile;
  std::vector<FaultSpec> faults;
  ZoneLayout zones;                                     // where each host is (empty: no zones)
  std::vector<std::string> set_options, fault_options;  // for the result: how to reproduce it
  sim::SimTime until;
  std::uint64_t max_events = 0;
  std::size_t max_trace_records = 0;
  bool stop_at_ready = false;
  sim::TraceLevel trace_level = sim::TraceLevel::kFull;
  TestingVariants testing;
};
std::variant<PreparedRun, InputError> prepare_run(const Scenario& scenario,
                                                  const RunOptions& options = {});
std::variant<RunResult, InputError> execute(const PreparedRun& prepared, std::uint64_t seed);

// Resolves the scenario's profile (a built-in, or a file relative to the scenario's directory)
// with the scenario's overrides, and validates it (check, graph).
std::variant<Profile, InputError> resolve_profile(const Scenario& scenario,
                                                  const Parameters& params);

// Loads the profile `ref` names — a built-in name, or a profile file relative to `dir` — and
// checks it against the standard model registry; each problem is located at its entry in the
// profile's file, problems with the reference itself at `where`.
std::variant<Profile, InputError> load_checked_profile(std::string_view ref, const std::string& dir,
                                                       const SourceLocation& where);

}  // namespace bootsim::models
