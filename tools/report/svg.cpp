// --format svg: the boot as a Gantt chart, like `systemd-analyze plot`: a row per unit per node,
// each phase a bar (gate waits hatched, restart delays outlined, starting light, running solid),
// the critical chain of cluster.ready in red across the rows it passes, faults and violations as
// marked vertical lines, a time axis with round ticks. Beyond kAgentRowsMax agents, agents are
// summarised: the first, median and last agent to be ready in full, and for the others one band
// row per unit from the earliest to the latest time it was running, with the median marked.
#include <fmt/format.h>

#include <algorithm>
#include <cmath>
#include <map>
#include <set>
#include <vector>

#include "tools/report/phases.hpp"
#include "tools/report/report.hpp"

namespace bootsim::report {

namespace {

constexpr std::size_t kAgentRowsMax = 20;
constexpr double kLabelWidth = 300;
constexpr double kChartWidth = 1100;
constexpr double kRowHeight = 14;
constexpr double kTop = 46;

const char* phase_style(PhaseKind k) {
  switch (k) {
    case PhaseKind::kGateWait:
      return R"(class="gate")";
    case PhaseKind::kRestartDelay:
      return R"(class="restart")";
    case PhaseKind::kStarting:
      return R"(class="starting")";
    case PhaseKind::kRunning:
      return R"(class="running")";
    case PhaseKind::kPaused:
      return R"(class="paused")";
    case PhaseKind::kOther:
      break;
  }
  return R"(class="other")";
}

// A round tick step (1, 2 or 5 times a power of ten seconds) for about ten ticks.
double tick_step(double span_s) {
  const double raw = std::max(span_s / 10.0, 0.001);
  const double p = std::pow(10.0, std::floor(std::log10(raw)));
  for (const double m : {1.0, 2.0, 5.0}) {
    if (raw <= m * p) return m * p;
  }
  return 10 * p;
}

// The rows to draw: hosts in order, each with its unit tracks, agents summarised at scale.
struct Row {
  std::string label;
  const Track* track = nullptr;  // a unit's row; nullptr: a node heading or a band row
  std::string node;              // headings: the node
  // Band rows: the running times of one unit over the summarised agents.
  std::vector<sim::SimTime> band;
};

class SvgWriter {
 public:
  explicit SvgWriter(const models::RunResult& r)
      : r_(r), tracks_(state_tracks(r)), end_(std::max(r.ended_at, sim::seconds(1))) {
    for (const Track& t : tracks_) {
      if (t.unit) by_node_[std::string(t.node)].push_back(&t);
    }
    rows();
  }

  std::string render() {
    const double height = kTop + static_cast<double>(rows_.size()) * kRowHeight + 40;
    std::string s = fmt::format(
        R"(<svg xmlns="http://www.w3.org/2000/svg" width="{}" height="{}" font-family="sans-serif" font-size="10">)"
        "\n",
        kLabelWidth + kChartWidth + 20, height);
    s += style();
    s += fmt::format(
        R"(<text x="4" y="14" font-size="13" font-weight="bold">{}: {} (seed {}){}</text>)"
        "\n",
        xml_escape(r_.scenario), xml_escape(r_.profile), r_.seed,
        r_.ready_at ? fmt::format(", cluster.ready at {}s", sim::format_seconds(*r_.ready_at))
                    : ", cluster.ready not reached");
    s += legend();
    s += axis(height);
    for (std::size_t i = 0; i < rows_.size(); ++i) s += row(i);
    s += chain();
    s += marks(height);
    return s + "</svg>\n";
  }

 private:
  double x(sim::SimTime t) const {
    return kLabelWidth + kChartWidth * static_cast<double>(t.ns()) / static_cast<double>(end_.ns());
  }
  double y(std::size_t row) const { return kTop + static_cast<double>(row) * kRowHeight; }

  static std::string style() {
    return "<defs><pattern id=\"hatch\" width=\"4\" height=\"4\" patternUnits=\"userSpaceOnUse\" "
           "patternTransform=\"rotate(45)\"><rect width=\"4\" height=\"4\" fill=\"#fde3b0\"/>"
           "<line x1=\"0\" y1=\"0\" x2=\"0\" y2=\"4\" stroke=\"#e49b1f\" stroke-width=\"1.5\"/>"
           "</pattern></defs>\n<style>.gate{fill:url(#hatch)}"
           ".restart{fill:#fff;stroke:#888;stroke-dasharray:2,1}.starting{fill:#9ecae1}"
           ".running{fill:#31a354}.paused{fill:#9e9ac8}.other{fill:#ccc}"
           ".band{fill:#a1d99b;opacity:.6}.head{font-weight:bold}.grid{stroke:#eee}"
           ".chain{stroke:#d62728;stroke-width:2;fill:none}.fault{stroke:#d62728;"
           "stroke-dasharray:4,2}.violation{stroke:#7b0099;stroke-width:2}</style>\n";
  }

  std::string legend() const {
    std::string s;
    double lx = 4;
    for (const PhaseKind k : {PhaseKind::kGateWait, PhaseKind::kRestartDelay, PhaseKind::kStarting,
                              PhaseKind::kRunning, PhaseKind::kPaused}) {
      s += fmt::format(
          R"(<rect x="{}" y="22" width="16" height="9" {}/><text x="{}" y="30">{}</text>)", lx,
          phase_style(k), lx + 20, phase_label(k, {}));
      lx += 100;
    }
    s += fmt::format(
        R"(<line x1="{}" y1="26" x2="{}" y2="26" class="chain"/><text x="{}" y="30">critical chain</text>)",
        lx, lx + 16, lx + 20);
    s += fmt::format(
        R"(<line x1="{}" y1="20" x2="{}" y2="32" class="fault"/><text x="{}" y="30">fault</text>)",
        lx + 110, lx + 110, lx + 116);
    s += fmt::format(
        R"(<line x1="{}" y1="20" x2="{}" y2="32" class="violation"/><text x="{}" y="30">violation</text>)",
        lx + 160, lx + 160, lx + 166);
    return s + "\n";
  }

  std::string axis(double height) const {
    const double span = static_cast<double>(end_.ns()) / 1e9;
    const double step = tick_step(span);
    std::string s;
    for (int i = 0; i * step <= span + 1e-9; ++i) {
      const double t = i * step;
      const double px = kLabelWidth + kChartWidth * t / span;
      s += fmt::format(
          R"(<line x1="{:.1f}" y1="{}" x2="{:.1f}" y2="{:.0f}" class="grid"/><text x="{:.1f}" y="{}" text-anchor="middle">{}s</text>)"
          "\n",
          px, kTop - 6, px, height - 30, px, height - 18, fmt::format("{:g}", t));
    }
    return s;
  }

  std::string row(std::size_t i) const {
    const Row& row = rows_[i];
    const double top = y(i);
    std::string s = fmt::format(R"(<text x="{}" y="{:.0f}"{}>{}</text>)", row.track ? 14 : 4,
                                top + kRowHeight - 3, row.track ? "" : R"( class="head")",
                                xml_escape(row.label));
    if (row.track) {
      for (const Phase& p : row.track->phases) {
        const double w = std::max(x(p.end) - x(p.begin), 0.5);
        s += fmt::format(
            R"(<rect x="{:.1f}" y="{:.0f}" width="{:.1f}" height="{}" {}><title>{} {}s-{}s</title></rect>)",
            x(p.begin), top + 2, w, kRowHeight - 4, phase_style(p.kind),
            xml_escape(phase_label(p.kind, p.state)), sim::format_seconds(p.begin),
            sim::format_seconds(p.end));
      }
    } else if (!row.band.empty()) {
      const sim::SimTime lo = row.band.front(), hi = row.band.back();
      const sim::SimTime mid = row.band[row.band.size() / 2];
      s += fmt::format(
          R"(<rect x="{:.1f}" y="{:.0f}" width="{:.1f}" height="{}" class="band"><title>running from {}s to {}s, median {}s</title></rect>)"
          R"(<line x1="{:.1f}" y1="{:.0f}" x2="{:.1f}" y2="{:.0f}" stroke="#006d2c" stroke-width="2"/>)",
          x(lo), top + 2, std::max(x(hi) - x(lo), 0.5), kRowHeight - 4, sim::format_seconds(lo),
          sim::format_seconds(hi), sim::format_seconds(mid), x(mid), top + 1, x(mid),
          top + kRowHeight - 1);
    }
    return s + "\n";
  }

  void node_rows(const std::string& node, const std::string& heading) {
    node_row_[node] = rows_.size();
    rows_.push_back(Row{heading, nullptr, node, {}});
    const auto it = by_node_.find(node);
    if (it == by_node_.end()) return;
    for (const Track* t : it->second) {
      row_of_[{node, std::string(t->component)}] = rows_.size();
      rows_.push_back(Row{std::string(t->component), t, node, {}});
    }
  }

  // When a node was last getting up: the first time its last unit ran.
  sim::SimTime ready_time(const std::string& node) const {
    sim::SimTime latest;
    const auto it = by_node_.find(node);
    if (it == by_node_.end()) return end_;
    for (const Track* t : it->second) {
      const auto run = std::find_if(t->phases.begin(), t->phases.end(),
                                    [](const Phase& p) { return p.kind == PhaseKind::kRunning; });
      latest = std::max(latest, run == t->phases.end() ? end_ : run->begin);
    }
    return latest;
  }

  void rows();
  void summarise_agents(const std::vector<std::string>& agents);
  void agent_band(const std::vector<std::string>& agents);
  std::string chain() const;
  std::string marks(double height) const;

  const models::RunResult& r_;
  std::vector<Track> tracks_;
  sim::SimTime end_;
  std::map<std::string, std::vector<const Track*>> by_node_;
  std::vector<Row> rows_;
  std::map<std::pair<std::string, std::string>, std::size_t> row_of_;
  std::map<std::string, std::size_t, std::less<>> node_row_;
};

void SvgWriter::rows() {
  std::vector<std::string> masters, agents;
  std::set<std::string> seen;
  for (const auto& u : r_.units) {
    if (!seen.insert(u.node).second) continue;
    (u.role == models::Role::kMaster ? masters : agents).push_back(u.node);
  }
  node_rows("cluster", "cluster");
  for (const std::string& m : masters) node_rows(m, m);
  if (agents.size() <= kAgentRowsMax) {
    for (const std::string& a : agents) node_rows(a, a);
  } else {
    summarise_agents(agents);
  }
  // Services (Marathon and installed frameworks): a heading row each, for their milestones.
  for (const std::string& n : r_.nodes) {
    if (!seen.count(n)) node_rows(n, n + " (service)");
  }
}

void SvgWriter::summarise_agents(const std::vector<std::string>& agents) {
  std::vector<std::pair<sim::SimTime, std::string>> by_ready;
  for (const std::string& a : agents) by_ready.emplace_back(ready_time(a), a);
  std::sort(by_ready.begin(), by_ready.end());
  const std::size_t mid = by_ready.size() / 2;
  node_rows(by_ready.front().second, by_ready.front().second + " (first agent ready)");
  node_rows(by_ready[mid].second, by_ready[mid].second + " (median agent)");
  node_rows(by_ready.back().second, by_ready.back().second + " (last agent ready)");
  std::vector<std::string> rest;
  for (std::size_t i = 1; i + 1 < by_ready.size(); ++i) {
    if (i != mid) rest.push_back(by_ready[i].second);
  }
  agent_band(rest);
}

// One row per agent unit: when it was first running on each of `agents`, as a band.
void SvgWriter::agent_band(const std::vector<std::string>& agents) {
  rows_.push_back(Row{
      fmt::format("{} other agents: first running, earliest to latest (| median)", agents.size()),
      nullptr,
      {},
      {}});
  std::map<std::string, std::vector<sim::SimTime>> running;
  std::vector<std::string> order;
  for (const std::string& a : agents) {
    for (const Track* t : by_node_[a]) {
      const auto run = std::find_if(t->phases.begin(), t->phases.end(),
                                    [](const Phase& p) { return p.kind == PhaseKind::kRunning; });
      if (run == t->phases.end()) continue;
      auto [it, added] = running.try_emplace(std::string(t->component));
      if (added) order.push_back(it->first);
      it->second.push_back(run->begin);
    }
  }
  for (const std::string& unit : order) {
    auto& v = running[unit];
    std::sort(v.begin(), v.end());
    rows_.push_back(Row{fmt::format("{} ({} agents)", unit, v.size()), nullptr, {}, v});
  }
}

// The critical chain: a red dot on each step's row at its time, joined in order.
std::string SvgWriter::chain() const {
  std::string points;
  std::string dots;
  for (const sim::RecordId id : r_.critical_chain) {
    const sim::TraceRecord& rec = r_.trace.at(id);
    std::optional<std::size_t> row;
    const auto unit = row_of_.find({std::string(rec.node()), std::string(rec.component())});
    if (unit != row_of_.end()) {
      row = unit->second;
    } else if (const auto node = node_row_.find(rec.node()); node != node_row_.end()) {
      row = node->second;
    }
    if (!row) continue;
    const double cx = x(rec.time), cy = y(*row) + kRowHeight / 2;
    points += fmt::format("{:.1f},{:.1f} ", cx, cy);
    dots += fmt::format(
        R"(<circle cx="{:.1f}" cy="{:.1f}" r="3" fill="#d62728"><title>{} {}@{} at {}s</title></circle>)",
        cx, cy, xml_escape(rec.component()), xml_escape(rec.name()), xml_escape(rec.node()),
        sim::format_seconds(rec.time));
  }
  if (points.empty()) return {};
  return fmt::format(R"(<polyline points="{}" class="chain"/>)", points) + dots + "\n";
}

// Faults on their node's heading row (a dashed line down the chart), violations across it all.
std::string SvgWriter::marks(double height) const {
  std::string s;
  for (const sim::TraceRecord& rec : r_.trace.records()) {
    if (rec.type == sim::RecordType::kFault) {
      const auto node = node_row_.find(rec.node());
      const double top = node == node_row_.end() ? kTop : y(node->second);
      s += fmt::format(
          R"(<line x1="{0:.1f}" y1="{1:.0f}" x2="{0:.1f}" y2="{2:.0f}" class="fault"/><text x="{3:.1f}" y="{4:.0f}" fill="#d62728">{5} {6}<title>{7}</title></text>)"
          "\n",
          x(rec.time), top, height - 30, x(rec.time) + 2, top + kRowHeight - 3,
          xml_escape(rec.name()), sim::format_seconds(rec.time) + "s", xml_escape(rec.detail()));
    } else if (rec.type == sim::RecordType::kViolation) {
      s += fmt::format(
          R"(<line x1="{0:.1f}" y1="{1:.0f}" x2="{0:.1f}" y2="{2:.0f}" class="violation"><title>{3}</title></line>)"
          "\n",
          x(rec.time), kTop - 10, height - 30, xml_escape(rec.detail()));
    }
  }
  return s;
}

}  // namespace

std::string format_svg(const models::RunResult& r) {
  return SvgWriter(r).render();
}

}  // namespace bootsim::report
