#include "tools/report/why.hpp"

#include <fmt/format.h>

#include <map>
#include <utility>

#include "tools/report/phases.hpp"

namespace bootsim::report {

namespace {

using Key = std::pair<std::string_view, std::string_view>;  // (node, component)

class Explainer {
 public:
  explicit Explainer(const models::RunResult& r) : r_(r), tracks_(state_tracks(r)) {
    for (const Track& t : tracks_) {
      if (t.unit) units_[{t.node, t.component}] = &t;
    }
    const auto& recs = r.trace.records();
    for (std::size_t i = 0; i < recs.size(); ++i) {
      if (recs[i].type == sim::RecordType::kGateFailed) {
        failures_[{recs[i].node, recs[i].component}].push_back(static_cast<sim::RecordId>(i));
      }
    }
  }

  ChainStep step(sim::RecordId id, sim::RecordId below) const {
    const sim::TraceRecord& rec = r_.trace.at(id);
    const sim::TraceRecord& low = r_.trace.at(below);
    ChainStep s{id, rec.time - low.time, {}, {}};
    if (const Track* u = unit_of(rec)) {
      if (rec.kind == sim::RecordKind::kMilestone && rec.cause == below) {
        s.cause = "start";
        s.detail = fmt::format("{} on {} took {} from exec to ready (its start time)", u->component,
                               u->node, sim::format_seconds(*s.gap) + "s");
        return s;
      }
      return unit_wait(*u, rec, low, s);
    }
    s.cause = "protocol";
    s.detail = fmt::format("{}{} on {} ({}{})", rec.component.empty() ? "" : rec.component + " ",
                           rec.name, rec.node, rec.detail.empty() ? "" : rec.detail + "; ",
                           low.node == rec.node ? "same node" : "from " + low.node);
    return s;
  }

  std::vector<Blocked> blocked() const {
    std::vector<Blocked> out;
    for (const Track& t : tracks_) {
      if (!t.unit || t.phases.empty() || t.phases.back().kind == PhaseKind::kRunning) continue;
      if (t.phases.back().end < r_.ended_at) continue;  // it ended inactive: a timer's service
      Blocked b{std::string(t.node),
                std::string(t.component),
                std::string(t.phases.back().state),
                std::nullopt,
                {},
                {},
                0};
      // The failures since the unit last ran (or since boot).
      sim::SimTime last_run;
      for (const Phase& p : t.phases) {
        if (p.kind == PhaseKind::kRunning) last_run = p.end;
      }
      const auto it = failures_.find({t.node, t.component});
      if (it != failures_.end()) {
        for (const sim::RecordId f : it->second) {
          const sim::TraceRecord& rec = r_.trace.at(f);
          if (rec.time < last_run) continue;
          if (b.failures++ == 0) b.since = rec.time;
          b.gate = std::string(r_.trace.text_arg(rec, "gate").value_or(""));
          b.reason = std::string(r_.trace.text_arg(rec, "reason").value_or(""));
        }
      }
      out.push_back(std::move(b));
    }
    return out;
  }

 private:
  // The unit a record belongs to: its own track, or, for a milestone, the unit whose record
  // caused it on the same node.
  const Track* unit_of(const sim::TraceRecord& rec) const {
    if (const auto it = units_.find({rec.node, rec.component}); it != units_.end()) {
      return it->second;
    }
    if (rec.kind != sim::RecordKind::kMilestone || !rec.cause) return nullptr;
    const sim::TraceRecord& c = r_.trace.at(*rec.cause);
    if (c.node != rec.node) return nullptr;
    const auto it = units_.find({c.node, c.component});
    return it == units_.end() ? nullptr : it->second;
  }

  // A unit's record that waited for `low`: a restart delay, a timer period, or its gates.
  ChainStep unit_wait(const Track& u, const sim::TraceRecord& rec, const sim::TraceRecord& low,
                      ChainStep s) const {
    const bool timer = u.phases.front().kind == PhaseKind::kStarting;
    if (timer) {
      s.cause = "timer";
      s.detail = fmt::format(
          "{} is started by its timer (OnBootSec, then every OnUnitActiveSec): it ran at {}s, {} "
          "after the step below",
          u.component, sim::format_seconds(rec.time), sim::format_seconds(*s.gap) + "s");
      return s;
    }
    const Phase* restart = nullptr;
    for (const Phase& p : u.phases) {
      if (p.kind == PhaseKind::kRestartDelay && p.end > low.time && p.begin < rec.time) {
        restart = &p;
      }
    }
    if (restart == nullptr) {
      s.cause = "gate";
      s.detail = fmt::format("{} on {}: its gates passed {} after the step below", u.component,
                             u.node, sim::format_seconds(*s.gap) + "s");
      return s;
    }
    s.cause = "RestartSec";
    const auto restart_sec = r_.trace.duration_arg(r_.trace.at(restart->record), "restart_sec");
    s.detail = fmt::format("{} on {} waited RestartSec={} (until {}s)", u.component, u.node,
                           restart_sec ? sim::format_duration(*restart_sec) : "?",
                           sim::format_seconds(restart->end));
    if (const auto f = failure_before(u, restart->begin)) {
      const sim::TraceRecord& fr = r_.trace.at(*f);
      s.detail += fmt::format(
          " after its gate '{}' failed at {}s: {}", r_.trace.text_arg(fr, "gate").value_or("?"),
          sim::format_seconds(fr.time), r_.trace.text_arg(fr, "reason").value_or("?"));
    }
    return s;
  }

  // The unit's last gate failure at or before `t`.
  std::optional<sim::RecordId> failure_before(const Track& u, sim::SimTime t) const {
    const auto it = failures_.find({u.node, u.component});
    if (it == failures_.end()) return std::nullopt;
    std::optional<sim::RecordId> out;
    for (const sim::RecordId f : it->second) {
      if (r_.trace.at(f).time <= t) out = f;
    }
    return out;
  }

  const models::RunResult& r_;
  std::vector<Track> tracks_;
  std::map<Key, const Track*> units_;
  std::map<Key, std::vector<sim::RecordId>> failures_;
};

}  // namespace

std::vector<ChainStep> explain_chain(const models::RunResult& r) {
  const Explainer e(r);
  std::vector<ChainStep> out;
  for (std::size_t i = 0; i < r.critical_chain.size(); ++i) {
    if (i + 1 < r.critical_chain.size()) {
      out.push_back(e.step(r.critical_chain[i], r.critical_chain[i + 1]));
    } else {
      out.push_back(ChainStep{r.critical_chain[i], std::nullopt, {}, {}});
    }
  }
  return out;
}

std::vector<Blocked> blocked_units(const models::RunResult& r) {
  return Explainer(r).blocked();
}

}  // namespace bootsim::report
