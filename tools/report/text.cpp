#include <fmt/format.h>

#include <map>
#include <vector>

#include "tools/report/report.hpp"

namespace bootsim::report {

namespace {

using models::BudgetResult;
using models::RuleResult;
using models::RunResult;
using models::Violation;

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

// Milestones per node, in time order, with the gap since the node's previous milestone.
std::string timeline(const RunResult& r) {
  std::map<std::string, std::vector<const sim::TraceRecord*>> by_node;
  for (const sim::TraceRecord& rec : r.trace.records()) {
    if (rec.kind == sim::RecordKind::kMilestone) by_node[rec.node].push_back(&rec);
  }
  std::vector<std::string> order = {"cluster"};
  order.insert(order.end(), r.nodes.begin(), r.nodes.end());
  std::string out;
  for (const std::string& node : order) {
    const auto it = by_node.find(node);
    out += fmt::format("\n{}\n", printable(node));
    if (it == by_node.end()) {
      out += "  (no milestone)\n";
      continue;
    }
    sim::SimTime prev;
    for (const sim::TraceRecord* m : it->second) {
      out += fmt::format("  {} {:>9}  {:<30} {}\n", pad_time(m->time),
                         "+" + sim::format_seconds(m->time - prev), printable(m->name),
                         printable(m->detail));
      prev = m->time;
    }
  }
  return out;
}

std::string critical_chain(const RunResult& r) {
  if (r.critical_chain.empty()) return {};
  std::string out = "\ncritical chain of cluster.ready (each line waited for the one below it):\n";
  for (std::size_t i = 0; i < r.critical_chain.size(); ++i) {
    const sim::TraceRecord& rec = r.trace.at(r.critical_chain[i]);
    std::string gap;
    if (i + 1 < r.critical_chain.size()) {
      gap = "+" + sim::format_seconds(rec.time - r.trace.at(r.critical_chain[i + 1]).time) + "s";
    }
    const std::string what =
        rec.component.empty() ? rec.name : fmt::format("{} {}", rec.component, rec.name);
    out += fmt::format("  {} {:>9}  {}@{}{}\n", pad_time(rec.time), gap, printable(what),
                       printable(rec.node),
                       rec.detail.empty() ? "" : " (" + printable(rec.detail) + ")");
  }
  return out;
}

std::string not_reached(const RunResult& r) {
  if (r.not_reached.empty()) return {};
  std::string out = "\nnot reached:\n";
  for (const std::string& n : r.not_reached) out += "  " + printable(n) + "\n";
  return out;
}

std::string faults(const RunResult& r) {
  std::string out;
  for (const sim::TraceRecord& rec : r.trace.records()) {
    if (rec.type != sim::RecordType::kFault) continue;
    if (out.empty()) out += "\nfaults:\n";
    out += fmt::format("  {}  {:<13} {}{}\n", pad_time(rec.time), printable(rec.name),
                       printable(rec.node),
                       rec.detail.empty() ? "" : " (" + printable(rec.detail) + ")");
  }
  // Faults whose time never came: no record, no effect (issue 7).
  for (const std::string& text : r.faults_not_fired) {
    if (out.empty()) out += "\nfaults:\n";
    out +=
        fmt::format("  {:>11}  {:<13} {} ({})\n", "never", "not_fired", "cluster", printable(text));
  }
  return out;
}

std::string checks(const RunResult& r) {
  std::string out = "\nviolations:";
  if (r.violations.empty()) out += " none";
  out += "\n";
  for (const Violation& v : r.violations) {
    out += fmt::format("  {} {}  [{}] {}\n", pad_time(v.time), printable(v.rule),
                       printable(v.nodes), printable(v.detail));
  }
  if (!r.budgets.empty()) {
    out += "budgets:\n";
    for (const BudgetResult& b : r.budgets) {
      out += fmt::format("  {:<4} {} within {}: {}\n", b.ok ? "ok" : "MISS", printable(b.milestone),
                         sim::format_duration(b.within),
                         b.actual ? sim::format_seconds(*b.actual) + "s" : "not reached");
    }
  }
  int checked = 0;
  for (const RuleResult& rr : r.rules) checked += rr.checked;
  out += fmt::format("rules: {} checked over {} pairs\n", r.rules.size(), checked);
  return out;
}

}  // namespace

std::string format_text(const RunResult& r) {
  return header(r) + timeline(r) + critical_chain(r) + not_reached(r) + faults(r) + checks(r) +
         fmt::format("ran to {}s{}, {} events, fingerprint {:016x}\n",
                     sim::format_seconds(r.ended_at),
                     r.ended_by == "settled" ? fmt::format(" (settled: nothing changed for {})",
                                                           sim::format_duration(r.settle_window))
                                             : "",
                     r.events, r.fingerprint);
}

}  // namespace bootsim::report
