// Phases: the spans a picture of a run draws, derived from the trace's typed state changes —
// one track per (node, component) whose lifecycle the trace records (a systemd unit, a Mesos
// master, a ZooKeeper server), each a sequence of phases in time order.
//
//   for (const Track& t : state_tracks(result))
//     for (const Phase& p : t.phases) draw(t.node, t.component, p.state, p.begin, p.end);
//
// Contract: a pure function of the RunResult. A phase lasts from the state change that entered
// it to the next one on its track, the last one to the end of the run. Phases in the state a
// track's machine starts in (a unit's "inactive", a server's "down") are not phases of work and
// are left out. Tracks come in the order of their first record: deterministic.
#pragma once

#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "models/run/cluster.hpp"

namespace bootsim::report {

// What a systemd unit's state means on a timeline (models/systemd's UnitState).
enum class PhaseKind {
  kGateWait,      // start-pre: running ExecStartPre gates
  kRestartDelay,  // auto-restart: waiting RestartSec
  kStarting,      // main process exec'd, not ready yet
  kRunning,       // active
  kPaused,        // SIGSTOP
  kOther,         // a state of another machine (a master's "recovering", a server's "LOOKING")
};
std::string_view to_string(PhaseKind k);
// A label for people: "gate wait", "restart delay", "starting", "running", "paused", or the
// state's own name.
std::string_view phase_label(PhaseKind k, std::string_view state);

struct Phase {
  std::string_view state;  // the machine's own name of the state (the trace's symbol)
  PhaseKind kind = PhaseKind::kOther;
  sim::SimTime begin;
  sim::SimTime end;
  sim::RecordId record = 0;  // the state change that entered it
};

struct Track {
  std::string_view node;
  std::string_view component;
  bool unit = false;  // a systemd unit (its phases have kinds), not a protocol model
  std::vector<Phase> phases;
};

std::vector<Track> state_tracks(const models::RunResult& result);

// A unit's time from boot to running, split as `systemd-analyze blame` would want it.
struct Blame {
  std::string_view node;
  std::string_view unit;
  sim::SimTime gate_wait;                  // in start-pre, over every attempt
  sim::SimTime restart_delay;              // in auto-restart
  sim::SimTime start;                      // from exec to active
  std::optional<sim::SimTime> running_at;  // first active; nullopt if never
  int attempts = 0;
  sim::SimTime total() const { return gate_wait + restart_delay + start; }
};
// Every unit that was started, longest total first (ties by node and unit), counted up to its
// first time active (or the end of the run).
std::vector<Blame> blame(const models::RunResult& result);

}  // namespace bootsim::report
