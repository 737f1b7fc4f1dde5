// --format chrome: the Trace Event Format (the JSON that chrome://tracing and the Perfetto UI
// open). One process per node ("cluster" first, then hosts, then services), one thread (track)
// per unit or protocol model with a lifecycle, plus one "events" track per node; each phase a
// B/E pair; milestones, faults, process exits, failed gates and violations instant events;
// each milestone's cause link a flow (s/f pair). Timestamps in microseconds, exact to the ns.
#include <fmt/format.h>

#include <algorithm>
#include <iterator>
#include <map>
#include <tuple>
#include <vector>

#include "tools/report/phases.hpp"
#include "tools/report/report.hpp"

namespace bootsim::report {

namespace {

// Microseconds with the nanoseconds as decimals, trailing zeros trimmed: "35072123.456".
std::string micros(sim::SimTime t) {
  const std::int64_t ns = t.ns();
  std::string s = fmt::format("{}.{:03d}", ns / 1000, ns % 1000);
  while (s.back() == '0') s.pop_back();
  if (s.back() == '.') s.pop_back();
  return s;
}

constexpr int kEventsTid = 1;  // each node's track for what belongs to no lifecycle

// One trace event, kept for sorting by time. Phases are emitted track by track in order, so at
// equal times a stable sort keeps each E after its own B and before the next B (zero-length
// phases included). A viewer binds a flow end to the slice open on its track when it reads it,
// in file order: so flows and instants come after the B/E pairs of their time (a phase that
// begins then encloses them), and the E of a phase that no other follows at once comes after
// them (the phase that ends then still does: the last phases end with the run, at its last
// milestone).
enum class Order { kPhase = 0, kPoint = 1, kLastEnd = 2 };
struct Out {
  sim::SimTime ts;
  Order order;
  std::size_t seq;
  std::string json;
};

class ChromeWriter {
 public:
  explicit ChromeWriter(const models::RunResult& r) : r_(r), tracks_(state_tracks(r)) {
    pid_of("cluster");
    for (const std::string& n : r.nodes) pid_of(n);
    for (std::size_t i = 0; i < tracks_.size(); ++i) {
      const int pid = pid_of(tracks_[i].node);
      const int tid = kEventsTid + 1 + next_tid_[pid]++;
      tid_of_[{tracks_[i].node, tracks_[i].component}] = tid;
      meta_.push_back(
          fmt::format(R"({{"ph":"M","pid":{},"tid":{},"name":"thread_name","args":{{"name":{}}}}})",
                      pid, tid, json_string(tracks_[i].component)));
      meta_.push_back(fmt::format(
          R"({{"ph":"M","pid":{},"tid":{},"name":"thread_sort_index","args":{{"sort_index":{}}}}})",
          pid, tid, tid));
    }
  }

  std::string render() {
    phases();
    records();
    std::stable_sort(out_.begin(), out_.end(), [](const Out& a, const Out& b) {
      return std::tie(a.ts, a.order, a.seq) < std::tie(b.ts, b.order, b.seq);
    });
    std::string s = "{\"displayTimeUnit\":\"ms\",\n";
    s += fmt::format(
        R"("otherData":{{"scenario":{},"profile":{},"seed":{},"fingerprint":"{:016x}"}},)",
        json_string(r_.scenario), json_string(r_.profile), r_.seed, r_.fingerprint);
    s += "\n\"traceEvents\":[\n";
    bool first = true;
    const auto line = [&](const std::string& j) {
      s += first ? "" : ",\n";
      s += j;
      first = false;
    };
    for (const std::string& m : meta_) line(m);
    for (const Out& o : out_) line(o.json);
    s += "\n]}\n";
    return s;
  }

 private:
  int pid_of(std::string_view node) {
    const auto it = pid_.find(node);
    if (it != pid_.end()) return it->second;
    const int pid = static_cast<int>(pid_.size()) + 1;
    pid_.emplace(std::string(node), pid);
    meta_.push_back(
        fmt::format(R"({{"ph":"M","pid":{},"tid":0,"name":"process_name","args":{{"name":{}}}}})",
                    pid, json_string(node)));
    meta_.push_back(fmt::format(
        R"({{"ph":"M","pid":{},"tid":0,"name":"process_sort_index","args":{{"sort_index":{}}}}})",
        pid, pid));
    meta_.push_back(fmt::format(
        R"({{"ph":"M","pid":{},"tid":{},"name":"thread_name","args":{{"name":"events"}}}})", pid,
        kEventsTid));
    return pid;
  }

  // The track of a lifecycle, if (node, component) has one.
  std::optional<int> state_tid(std::string_view node, std::string_view component) const {
    const auto it = tid_of_.find({node, component});
    if (it == tid_of_.end()) return std::nullopt;
    return it->second;
  }

  void add(sim::SimTime t, Order order, std::string json) {
    out_.push_back(Out{t, order, out_.size(), std::move(json)});
  }

  void phases() {
    for (const Track& t : tracks_) {
      const int pid = pid_of(t.node);
      const int tid = *state_tid(t.node, t.component);
      for (std::size_t i = 0; i < t.phases.size(); ++i) {
        const Phase& p = t.phases[i];
        const sim::TraceRecord& rec = r_.trace.at(p.record);
        const bool followed = i + 1 < t.phases.size() && t.phases[i + 1].begin == p.end;
        add(p.begin, Order::kPhase,
            fmt::format(
                R"({{"ph":"B","pid":{},"tid":{},"ts":{},"name":{},"cat":{},"args":{{"state":{},"detail":{},"record":{}}}}})",
                pid, tid, micros(p.begin), json_string(phase_label(p.kind, p.state)),
                json_string(t.unit ? "unit" : "model"), json_string(p.state),
                json_string(rec.detail()), p.record));
        add(p.end, followed ? Order::kPhase : Order::kLastEnd,
            fmt::format(R"({{"ph":"E","pid":{},"tid":{},"ts":{}}})", pid, tid, micros(p.end)));
        open_[{pid, tid}].push_back({p.begin, p.end});
      }
    }
  }

  // A phase is open on (pid, tid) at `t` (a flow there binds to it).
  bool open_at(int pid, int tid, sim::SimTime t) const {
    const auto it = open_.find({pid, tid});
    if (it == open_.end()) return false;
    // Phases of one track are in time order and do not overlap: the last one begun by `t`.
    const auto& v = it->second;
    auto after = std::upper_bound(v.begin(), v.end(), t,
                                  [](sim::SimTime x, const Open& o) { return x < o.begin; });
    return after != v.begin() && t <= std::prev(after)->end;
  }

  static std::string_view category(const sim::TraceRecord& rec) {
    if (rec.kind == sim::RecordKind::kMilestone) return "milestone";
    switch (rec.type) {
      case sim::RecordType::kFault:
        return "fault";
      case sim::RecordType::kViolation:
        return "violation";
      case sim::RecordType::kProcessExit:
        return "process_exit";
      case sim::RecordType::kGateFailed:
        return "gate_failed";
      default:
        return {};
    }
  }

  void records() {
    const auto& recs = r_.trace.records();
    where_.resize(recs.size());
    for (std::size_t i = 0; i < recs.size(); ++i) {
      const sim::TraceRecord& rec = recs[i];
      const int pid = pid_of(rec.node());
      int tid = state_tid(rec.node(), rec.component()).value_or(kEventsTid);
      // A milestone goes on the track of what caused it when that is on its own node.
      if (rec.kind == sim::RecordKind::kMilestone && rec.cause() &&
          where_[*rec.cause()].first == pid) {
        tid = where_[*rec.cause()].second;
      }
      where_[i] = {pid, tid};
      const std::string_view cat = category(rec);
      if (cat.empty()) continue;
      // A violation concerns the whole cluster: a global instant (a line across every track).
      const char* scope = rec.type == sim::RecordType::kViolation ? "g" : "t";
      add(rec.time, Order::kPoint,
          fmt::format(
              R"({{"ph":"i","s":"{}","pid":{},"tid":{},"ts":{},"name":{},"cat":"{}","args":{{"detail":{},"record":{}}}}})",
              scope, pid, tid, micros(rec.time), json_string(rec.name()), cat,
              json_string(rec.detail()), i));
      if (rec.kind == sim::RecordKind::kMilestone && rec.cause()) flow(*rec.cause(), i);
    }
  }

  // The cause link of a milestone as a flow arrow, where both ends fall in an open phase.
  void flow(sim::RecordId from, std::size_t to) {
    const sim::TraceRecord& a = r_.trace.at(from);
    const sim::TraceRecord& b = r_.trace.records()[to];
    const auto [pa, ta] = where_[from];
    const auto [pb, tb] = where_[to];
    if (!open_at(pa, ta, a.time) || !open_at(pb, tb, b.time)) return;
    const std::size_t id = ++flows_;
    add(a.time, Order::kPoint,
        fmt::format(
            R"({{"ph":"s","id":{},"pid":{},"tid":{},"ts":{},"name":"cause","cat":"cause"}})", id,
            pa, ta, micros(a.time)));
    add(b.time, Order::kPoint,
        fmt::format(
            R"({{"ph":"f","bp":"e","id":{},"pid":{},"tid":{},"ts":{},"name":"cause","cat":"cause"}})",
            id, pb, tb, micros(b.time)));
  }

  struct Open {
    sim::SimTime begin, end;
  };

  const models::RunResult& r_;
  std::vector<Track> tracks_;
  std::map<std::string, int, std::less<>> pid_;
  std::map<int, int> next_tid_;
  std::map<std::pair<std::string_view, std::string_view>, int> tid_of_;
  std::vector<std::pair<int, int>> where_;                 // by record: (pid, tid) it is drawn on
  std::map<std::pair<int, int>, std::vector<Open>> open_;  // phases by (pid, tid)
  std::vector<std::string> meta_;
  std::vector<Out> out_;
  std::size_t flows_ = 0;
};

}  // namespace

std::string format_chrome(const models::RunResult& r) {
  return ChromeWriter(r).render();
}

}  // namespace bootsim::report
