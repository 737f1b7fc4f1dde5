#include "tools/report/phases.hpp"

#include <algorithm>
#include <map>
#include <set>
#include <tuple>
#include <utility>

#include "models/systemd/systemd_unit.hpp"

namespace bootsim::report {

using models::UnitState;

std::string_view to_string(PhaseKind k) {
  switch (k) {
    case PhaseKind::kGateWait:
      return "gate_wait";
    case PhaseKind::kRestartDelay:
      return "restart_delay";
    case PhaseKind::kStarting:
      return "starting";
    case PhaseKind::kRunning:
      return "running";
    case PhaseKind::kPaused:
      return "paused";
    case PhaseKind::kOther:
      return "other";
  }
  return "?";
}

std::string_view phase_label(PhaseKind k, std::string_view state) {
  switch (k) {
    case PhaseKind::kGateWait:
      return "gate wait";
    case PhaseKind::kRestartDelay:
      return "restart delay";
    case PhaseKind::kOther:
      return state;
    default:
      return to_string(k);
  }
}

namespace {

// The kind of a unit's state, by the unit machine's own names (models/systemd).
PhaseKind unit_phase_kind(std::string_view state) {
  static constexpr std::pair<UnitState, PhaseKind> kKinds[] = {
      {UnitState::kStartPre, PhaseKind::kGateWait},
      {UnitState::kAutoRestart, PhaseKind::kRestartDelay},
      {UnitState::kStarting, PhaseKind::kStarting},
      {UnitState::kActive, PhaseKind::kRunning},
      {UnitState::kPaused, PhaseKind::kPaused},
  };
  for (const auto& [s, k] : kKinds) {
    if (models::to_string(s) == state) return k;
  }
  return PhaseKind::kOther;
}

struct OpenTrack {
  Track track;
  sim::Symbol initial{};  // the state the machine starts in: not drawn
  std::optional<Phase> open;
};

}  // namespace

std::vector<Track> state_tracks(const models::RunResult& r) {
  std::set<std::pair<std::string_view, std::string_view>> units;
  for (const auto& u : r.units) units.emplace(u.node, u.unit);
  std::map<std::pair<std::string_view, std::string_view>, std::size_t> index;
  std::vector<OpenTrack> open;
  const auto& records = r.trace.records();
  for (std::size_t i = 0; i < records.size(); ++i) {
    const sim::TraceRecord& rec = records[i];
    if (rec.type != sim::RecordType::kStateChange) continue;
    const auto key = std::pair<std::string_view, std::string_view>(rec.node(), rec.component());
    auto [it, added] = index.try_emplace(key, open.size());
    if (added) {
      open.push_back(OpenTrack{Track{rec.node(), rec.component(), units.count(key) > 0, {}},
                               rec.from, std::nullopt});
    }
    OpenTrack& t = open[it->second];
    if (t.open) {
      t.open->end = rec.time;
      t.track.phases.push_back(*t.open);
      t.open.reset();
    }
    if (rec.to == t.initial) continue;
    const std::string_view state = r.trace.text(rec.to);
    const PhaseKind kind = t.track.unit ? unit_phase_kind(state) : PhaseKind::kOther;
    t.open = Phase{state, kind, rec.time, rec.time, static_cast<sim::RecordId>(i)};
  }
  std::vector<Track> out;
  out.reserve(open.size());
  for (OpenTrack& t : open) {
    if (t.open) {
      t.open->end = std::max(r.ended_at, t.open->begin);
      t.track.phases.push_back(*t.open);
    }
    out.push_back(std::move(t.track));
  }
  return out;
}

namespace {

// A unit's blame up to its first time active. A timer's service (its first phase is starting,
// not gate wait) counts its first run: from the timer elapsing to the oneshot's end.
Blame unit_blame(const Track& t) {
  Blame b{t.node, t.component, {}, {}, {}, std::nullopt, 0};
  if (!t.phases.empty() && t.phases.front().kind == PhaseKind::kStarting) {
    const Phase& p = t.phases.front();
    b.start = p.end - p.begin;
    b.running_at = p.end;
    b.attempts = 1;
    return b;
  }
  for (const Phase& p : t.phases) {
    const sim::SimTime d = p.end - p.begin;
    if (p.kind == PhaseKind::kRunning) {
      b.running_at = p.begin;
      break;
    }
    if (p.kind == PhaseKind::kGateWait) {
      b.gate_wait += d;
      ++b.attempts;
    } else if (p.kind == PhaseKind::kRestartDelay) {
      b.restart_delay += d;
    } else if (p.kind == PhaseKind::kStarting) {
      b.start += d;
    }
  }
  return b;
}

}  // namespace

std::vector<Blame> blame(const models::RunResult& r) {
  std::vector<Blame> out;
  for (const Track& t : state_tracks(r)) {
    if (t.unit && !t.phases.empty()) out.push_back(unit_blame(t));
  }
  std::stable_sort(out.begin(), out.end(), [](const Blame& a, const Blame& b) {
    if (a.total() != b.total()) return a.total() > b.total();
    return std::tie(a.node, a.unit) < std::tie(b.node, b.unit);
  });
  return out;
}

}  // namespace bootsim::report
