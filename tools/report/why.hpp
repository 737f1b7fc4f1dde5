// Why: the explanations the reports give, read from the typed trace — what each gap of the
// critical chain was spent on, and what held back the units that never ran.
//
//   for (const ChainStep& s : explain_chain(result)) print(s.gap, s.cause, s.detail);
//
// Contract: pure functions of the RunResult; they read record types, states and arguments,
// never detail text.
#pragma once

#include <optional>
#include <string>
#include <vector>

#include "models/run/cluster.hpp"

namespace bootsim::report {

struct ChainStep {
  sim::RecordId record = 0;
  std::optional<sim::SimTime> gap;  // since the step below it (none for the last)
  // What the gap was spent on: "RestartSec" (a unit's restart delay after a failed gate),
  // "timer" (a timer unit's period), "start" (a unit's or a service scheduler's own start time),
  // "gate" (a gate's probe), "refresh" (a Mesos-DNS record that came with its periodic reload,
  // refreshSeconds), "backoff" (a registration that came with a retry after a random backoff draw),
  // "retry" (a master that led after its log's recover protocol was retried), "upstream timeout"
  // (a unit whose failed or slow gate attempt made lookups that Spartan forwarded to Mesos-DNS
  // instances that did not answer within dns-proxy.upstream_timeout; the detail keeps the
  // RestartSec), "install" (Marathon's launch of a service's scheduler that waited for Cosmos to
  // install its package: the operator's retries and what they were missing), "protocol" (other
  // messages and timers of a protocol model), or "" for the last step.
  std::string cause;
  std::string detail;  // for people: the unit, the value, the gate that failed and why
};
// Without every record (--trace none) each step has its gap only: no cause, no detail.
std::vector<ChainStep> explain_chain(const models::RunResult& result);

// A unit that was not running at the end of the run, and what held it back: its last failed
// gate and the reason given (none if it never failed one, e.g. still starting).
struct Blocked {
  std::string node;
  std::string unit;
  std::string state;  // its state at the end
  std::optional<std::string> gate;
  std::string reason;
  sim::SimTime since;  // the gate has failed since (its first failure of the last streak)
  int failures = 0;    // gate failures in that streak
};
// None without every record (--trace none): the units' state changes were not kept.
std::vector<Blocked> blocked_units(const models::RunResult& result);

}  // namespace bootsim::report
