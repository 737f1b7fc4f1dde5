#include <fmt/format.h>

#include <algorithm>
#include <map>
#include <vector>

#include "tools/report/report.hpp"
#include "tools/report/why.hpp"

namespace bootsim::report {

namespace {

using models::BudgetResult;
using models::RuleResult;
using models::RunResult;
using models::Violation;

// ANSI styles, or nothing when the output is not a terminal.
struct Style {
  bool on = false;
  std::string operator()(std::string_view code, std::string_view text) const {
    if (!on) return std::string(text);
    return fmt::format("\x1b[{}m{}\x1b[0m", code, text);
  }
  std::string bold(std::string_view t) const { return (*this)("1", t); }
  std::string red(std::string_view t) const { return (*this)("31", t); }
  std::string green(std::string_view t) const { return (*this)("32", t); }
  std::string yellow(std::string_view t) const { return (*this)("33", t); }
  std::string dim(std::string_view t) const { return (*this)("2", t); }
};

std::string pad_time(sim::SimTime t) {
  return fmt::format("{:>10}s", sim::format_seconds(t));
}

std::string header(const RunResult& r) {
  std::string out = fmt::format("bootsim run: scenario {}, profile {}, seed {}\n",
                                printable(r.scenario), printable(r.profile), r.seed);
  if (!r.overrides.empty())
    out +=
        fmt::format("overrides: {}\n", printable(fmt::format("{}", fmt::join(r.overrides, " "))));
  if (r.ready_at) {
    out += fmt::format("cluster.ready at {}s\n", sim::format_seconds(*r.ready_at));
  } else if (r.ended_by == "settled") {
    out +=
        fmt::format("cluster.ready NOT reached: the run settled at {}s (nothing changed for {})\n",
                    sim::format_seconds(r.ended_at), sim::format_duration(r.settle_window));
  } else {
    out +=
        fmt::format("cluster.ready NOT reached by {}s (--until)\n", sim::format_seconds(r.until));
  }
  return out;
}

// One line of a node's timeline: a milestone (with the gap since the node's previous one), or,
// inline where they happened, a fault that hit the node and a unit's process exit.
std::string timeline_line(const sim::Trace& trace, const sim::TraceRecord& m, sim::SimTime& prev,
                          const Style& st) {
  if (m.kind == sim::RecordKind::kMilestone) {
    const std::string line = fmt::format("  {} {:>9}  {:<30} {}", pad_time(m.time),
                                         "+" + sim::format_seconds(m.time - prev),
                                         printable(m.name()), printable(m.detail()));
    prev = m.time;
    return line + "\n";
  }
  if (m.type == sim::RecordType::kFault) {
    return st.red(fmt::format("  {} {:>9}  fault: {:<23} {}", pad_time(m.time), "!",
                              printable(m.name()), printable(m.detail()))) +
           "\n";
  }
  const auto reason = trace.text_arg(m, "reason");
  return st.yellow(fmt::format("  {} {:>9}  exit: {:<24} {}", pad_time(m.time), "x",
                               printable(m.component()), printable(reason.value_or(m.detail())))) +
         "\n";
}

// Milestones per node, in time order, with faults and process exits inline.
std::string timeline(const RunResult& r, const Style& st, bool cluster_only) {
  std::map<std::string, std::vector<const sim::TraceRecord*>, std::less<>> by_node;
  for (const sim::TraceRecord& rec : r.trace.records()) {
    const bool shown = rec.kind == sim::RecordKind::kMilestone ||
                       rec.type == sim::RecordType::kFault ||
                       rec.type == sim::RecordType::kProcessExit;
    if (shown) by_node[std::string(rec.node())].push_back(&rec);
  }
  std::vector<std::string> order = {"cluster"};
  if (!cluster_only) order.insert(order.end(), r.nodes.begin(), r.nodes.end());
  std::string out;
  for (const std::string& node : order) {
    const auto it = by_node.find(node);
    out += "\n" + st.bold(printable(node)) + "\n";
    if (it == by_node.end()) {
      out += "  (no milestone)\n";
      continue;
    }
    sim::SimTime prev;
    for (const sim::TraceRecord* m : it->second) {
      if (cluster_only && m->kind != sim::RecordKind::kMilestone) continue;
      out += timeline_line(r.trace, *m, prev, st);
    }
  }
  return out;
}

// The critical chain, each step with the gap it waited for the one below and what that gap was
// spent on (why.hpp); the gap column as wide as its widest entry.
std::string critical_chain(const RunResult& r, const Style& st) {
  if (r.critical_chain.empty()) return {};
  std::string out = "\n" +
                    st.bold(
                        "critical chain of cluster.ready (each line waited for the one below "
                        "it; why: what the wait was spent on)") +
                    "\n";
  if (!r.trace.holds_every_record()) {
    out += "  (no why lines: --trace none keeps only the records on the chain; use milestones)\n";
  }
  const std::vector<ChainStep> steps = explain_chain(r);
  std::vector<std::string> gaps;
  std::size_t width = 0;
  for (const ChainStep& s : steps) {
    gaps.push_back(s.gap ? "+" + sim::format_seconds(*s.gap) + "s" : "");
    width = std::max(width, gaps.back().size());
  }
  for (std::size_t i = 0; i < steps.size(); ++i) {
    const sim::TraceRecord& rec = r.trace.at(steps[i].record);
    const std::string what = rec.component().empty()
                                 ? std::string(rec.name())
                                 : fmt::format("{} {}", rec.component(), rec.name());
    out += fmt::format("  {} {:>{}}  {}@{}{}\n", pad_time(rec.time), gaps[i], width,
                       printable(what), printable(rec.node()),
                       rec.detail().empty() ? "" : " (" + printable(rec.detail()) + ")");
    // A wait of a unit (restart delay, timer, start, gate) says why; protocol steps are the
    // messages the line itself names.
    if (!steps[i].cause.empty() && steps[i].cause != "protocol") {
      out += fmt::format("  {:>11} {:>{}}    {} {}\n", "", "", width,
                         st.yellow("why: " + steps[i].cause + ":"), printable(steps[i].detail));
    }
  }
  return out;
}

// Units still not running at the end, grouped by the gate that held them back and its last
// error (the same failing condition usually holds back many units on many nodes).
std::string blocked(const RunResult& r, const Style& st) {
  if (!r.trace.holds_every_record()) {
    return "\n  (units blocked at the end are not listed: --trace none does not keep their state "
           "changes; use milestones)\n";
  }
  struct Group {
    std::vector<std::string> units;
    sim::SimTime since = sim::SimTime::infinite();
  };
  std::map<std::pair<std::string, std::string>, Group> groups;
  std::vector<std::pair<std::string, std::string>> order;
  for (const Blocked& b : blocked_units(r)) {
    const auto key =
        std::pair(b.gate ? "gate '" + *b.gate + "'" : "no failed gate (" + b.state + ")", b.reason);
    auto [it, added] = groups.try_emplace(key);
    if (added) order.push_back(key);
    it->second.units.push_back(b.unit + "@" + b.node);
    if (b.gate) it->second.since = std::min(it->second.since, b.since);
  }
  if (order.empty()) return {};
  std::string out =
      "\n" + st.bold("blocked at the end (units not running, by what held them back):") + "\n";
  constexpr std::size_t kNamed = 6;
  for (const auto& key : order) {
    const Group& g = groups[key];
    std::vector<std::string> named(
        g.units.begin(),
        g.units.begin() + static_cast<std::ptrdiff_t>(std::min(kNamed, g.units.size())));
    out += fmt::format(
        "  {} unit(s) held by {}{}: {}{}\n", g.units.size(), printable(key.first),
        g.since.is_infinite() ? "" : " (failing since " + sim::format_seconds(g.since) + "s)",
        printable(fmt::format("{}", fmt::join(named, ", "))),
        g.units.size() > kNamed ? fmt::format(" and {} more", g.units.size() - kNamed) : "");
    if (!key.second.empty()) out += "    last error: " + printable(key.second) + "\n";
  }
  return out;
}

std::string not_reached(const RunResult& r, const Style& st) {
  if (r.not_reached.empty()) return {};
  std::string out = "\n" + st.bold("not reached:") + "\n";
  for (const std::string& n : r.not_reached) out += "  " + printable(n) + "\n";
  return out + blocked(r, st);
}

std::string faults(const RunResult& r, const Style& st) {
  std::string out;
  for (const sim::TraceRecord& rec : r.trace.records()) {
    if (rec.type != sim::RecordType::kFault) continue;
    if (out.empty()) out += "\n" + st.bold("faults:") + "\n";
    out += fmt::format("  {}  {:<13} {}{}\n", pad_time(rec.time), printable(rec.name()),
                       printable(rec.node()),
                       rec.detail().empty() ? "" : " (" + printable(rec.detail()) + ")");
  }
  // Faults whose time never came: no record, no effect (issue 7).
  for (const std::string& text : r.faults_not_fired) {
    if (out.empty()) out += "\n" + st.bold("faults:") + "\n";
    out +=
        fmt::format("  {:>11}  {:<13} {} ({})\n", "never", "not_fired", "cluster", printable(text));
  }
  return out;
}

std::string checks(const RunResult& r, const Style& st) {
  std::string out = "\n" + st.bold("violations:");
  if (r.violations.empty()) out += " none";
  out += "\n";
  for (const Violation& v : r.violations) {
    out += st.red(fmt::format("  {} {}  [{}] {}", pad_time(v.time), printable(v.rule),
                              printable(v.nodes), printable(v.detail))) +
           "\n";
    if (!v.explanation.empty()) out += fmt::format("               {}\n", printable(v.explanation));
    for (const sim::RecordId id : v.evidence) {
      const sim::TraceRecord& rec = r.trace.at(id);
      out += st.dim(fmt::format("    {}  {:<10} {} {}", pad_time(rec.time), printable(rec.node()),
                                printable(rec.name()), printable(rec.detail()))) +
             "\n";
    }
  }
  for (const RunResult::LeaderOverlap& o : r.leader_overlaps) {
    out += fmt::format("  two Mesos masters leading: {} (since before) and {} from {}s to {}\n",
                       printable(o.first), printable(o.second), sim::format_seconds(o.from),
                       o.to ? fmt::format("{}s ({}s)", sim::format_seconds(*o.to),
                                          sim::format_seconds(*o.to - o.from))
                            : std::string("the end of the run"));
  }
  if (!r.budgets.empty()) {
    out += st.bold("budgets:") + "\n";
    for (const BudgetResult& b : r.budgets) {
      out += fmt::format("  {} {} within {}: {}\n", b.ok ? st.green("ok  ") : st.red("MISS"),
                         printable(b.milestone), sim::format_duration(b.within),
                         b.actual ? sim::format_seconds(*b.actual) + "s" : "not reached");
    }
  }
  int checked = 0;
  for (const RuleResult& rr : r.rules) {
    checked += rr.checked;
    // Liveness rules matter to faulted runs only.
    if (!rr.within || rr.not_checked == "no fault fired") continue;
    out += fmt::format("liveness: {}: {}\n", printable(rr.rule),
                       !rr.violations.empty() ? std::string("VIOLATED")
                       : rr.checked > 0       ? std::string("held")
                                              : "not checked (" + printable(rr.not_checked) + ")");
  }
  out += fmt::format("rules: {} checked over {} pairs\n", r.rules.size(), checked);
  return out;
}

}  // namespace

std::string format_text(const RunResult& r, const TextOptions& options) {
  const Style st{options.colour};
  if (options.summary) {
    return header(r) + timeline(r, st, true) + critical_chain(r, st) + not_reached(r, st) +
           checks(r, st);
  }
  return header(r) + timeline(r, st, false) + critical_chain(r, st) + not_reached(r, st) +
         dns_text(r) + faults(r, st) + checks(r, st) +
         fmt::format("ran to {}s{}, {} events, fingerprint {:016x}\n",
                     sim::format_seconds(r.ended_at),
                     r.ended_by == "settled" ? fmt::format(" (settled: nothing changed for {})",
                                                           sim::format_duration(r.settle_window))
                                             : "",
                     r.events, r.fingerprint);
}

std::string format_text(const RunResult& r) {
  return format_text(r, TextOptions{});
}

}  // namespace bootsim::report
