#include "tools/report/report.hpp"

#include <fmt/format.h>
#include <map>

namespace bootsim::models {

std::string exact_seconds(sim::SimTime t) {
  if (t.is_infinite()) return "inf";
  const std::int64_t ns = t.ns();
  std::string s = fmt::format("{}{}.{:09d}", ns < 0 ? "-" : "", std::abs(ns / 1'000'000'000),
                              std::abs(ns % 1'000'000'000));
  while (s.back() == '0') s.pop_back();
  if (s.back() == '.') s.pop_back();
  return s;
}

namespace {

std::string json_string(std::string_view s) {
  std::string out = "\"";
  for (const char c : s) {
    switch (c) {
      case '"':
        out += "\\\"";
        break;
      case '\\':
        out += "\\\\";
        break;
      case '\n':
        out += "\\n";
        break;
      case '\t':
        out += "\\t";
        break;
      default:
        if (static_cast<unsigned char>(c) < 0x20) {
          out += fmt::format("\\u{:04x}", static_cast<int>(c));
        } else {
          out += c;
        }
    }
  }
  return out + "\"";
}

std::string pad_time(sim::SimTime t) {
  return fmt::format("{:>10}s", sim::format_seconds(t));
}

}  // namespace

std::string format_text(const RunResult& r) {
  std::string out;
  out +=
      fmt::format("bootsim run: scenario {}, profile {}, seed {}\n", r.scenario, r.profile, r.seed);
  if (!r.overrides.empty()) out += fmt::format("overrides: {}\n", fmt::join(r.overrides, " "));
  if (r.ready_at) {
    out += fmt::format("cluster.ready at {}s\n", sim::format_seconds(*r.ready_at));
  } else {
    out +=
        fmt::format("cluster.ready NOT reached by {}s (--until)\n", sim::format_seconds(r.until));
  }

  // Milestones per node, in time order, with the gap since the node's previous milestone.
  std::map<std::string, std::vector<const sim::TraceRecord*>> by_node;
  for (const sim::TraceRecord& rec : r.trace.records()) {
    if (rec.kind == sim::RecordKind::kMilestone) by_node[rec.node].push_back(&rec);
  }
  std::vector<std::string> order = {"cluster"};
  order.insert(order.end(), r.nodes.begin(), r.nodes.end());
  for (const std::string& node : order) {
    const auto it = by_node.find(node);
    out += fmt::format("\n{}\n", node);
    if (it == by_node.end()) {
      out += "  (no milestone)\n";
      continue;
    }
    sim::SimTime prev;
    for (const sim::TraceRecord* m : it->second) {
      out += fmt::format("  {} {:>9}  {:<30} {}\n", pad_time(m->time),
                         "+" + sim::format_seconds(m->time - prev), m->name, m->detail);
      prev = m->time;
    }
  }

  if (!r.critical_chain.empty()) {
    out += "\ncritical chain of cluster.ready (each line waited for the one below it):\n";
    for (std::size_t i = 0; i < r.critical_chain.size(); ++i) {
      const sim::TraceRecord& rec = r.trace.at(r.critical_chain[i]);
      std::string gap;
      if (i + 1 < r.critical_chain.size()) {
        gap = "+" + sim::format_seconds(rec.time - r.trace.at(r.critical_chain[i + 1]).time) + "s";
      }
      const std::string what =
          rec.component.empty() ? rec.name : fmt::format("{} {}", rec.component, rec.name);
      out += fmt::format("  {} {:>9}  {}@{}{}\n", pad_time(rec.time), gap, what, rec.node,
                         rec.detail.empty() ? "" : " (" + rec.detail + ")");
    }
  }
  if (!r.not_reached.empty()) {
    out += "\nnot reached:\n";
    for (const std::string& n : r.not_reached) out += "  " + n + "\n";
  }

  bool any_fault = false;
  for (const sim::TraceRecord& rec : r.trace.records()) {
    if (rec.component != "fault") continue;
    if (!any_fault) out += "\nfaults:\n";
    any_fault = true;
    out += fmt::format("  {}  {:<13} {}{}\n", pad_time(rec.time), rec.name, rec.node,
                       rec.detail.empty() ? "" : " (" + rec.detail + ")");
  }

  out += "\nviolations:";
  if (r.violations.empty()) out += " none";
  out += "\n";
  for (const Violation& v : r.violations) {
    out += fmt::format("  {} {}  [{}] {}\n", pad_time(v.time), v.rule, v.nodes, v.detail);
  }
  if (!r.budgets.empty()) {
    out += "budgets:\n";
    for (const BudgetResult& b : r.budgets) {
      out += fmt::format("  {:<4} {} within {}: {}\n", b.ok ? "ok" : "MISS", b.milestone,
                         sim::format_duration(b.within),
                         b.actual ? sim::format_seconds(*b.actual) + "s" : "not reached");
    }
  }
  int checked = 0;
  for (const RuleResult& rr : r.rules) checked += rr.checked;
  out += fmt::format("rules: {} checked over {} pairs\n", r.rules.size(), checked);
  out += fmt::format("ran to {}s, {} events, fingerprint {:016x}\n",
                     sim::format_seconds(r.ended_at), r.events, r.fingerprint);
  return out;
}

std::string format_trace(const RunResult& r) {
  std::string out;
  for (std::size_t i = 0; i < r.trace.records().size(); ++i) {
    const sim::TraceRecord& rec = r.trace.records()[i];
    const char* kind = rec.kind == sim::RecordKind::kMilestone ? "milestone"
                       : rec.kind == sim::RecordKind::kSpan    ? "span"
                                                               : "event";
    std::string when = sim::format_seconds(rec.time);
    if (rec.kind == sim::RecordKind::kSpan) when += ".." + sim::format_seconds(rec.end);
    out += fmt::format("#{} {} {} {} {} {}{}{}\n", i, when, kind, rec.node,
                       rec.component.empty() ? "-" : rec.component, rec.name,
                       rec.detail.empty() ? "" : " \"" + rec.detail + "\"",
                       rec.cause ? fmt::format(" <- #{}", *rec.cause) : "");
  }
  return out;
}

std::string format_json(const RunResult& r) {
  std::string out = "{\n";
  out += fmt::format("  \"schema\": {},\n", kJsonSchemaVersion);
  out += fmt::format("  \"scenario\": {},\n", json_string(r.scenario));
  out += fmt::format("  \"profile\": {},\n", json_string(r.profile));
  out += fmt::format("  \"seed\": {},\n", r.seed);
  out += fmt::format("  \"until_s\": {},\n", exact_seconds(r.until));
  out += fmt::format("  \"ended_at_s\": {},\n", exact_seconds(r.ended_at));
  out += fmt::format("  \"ready_s\": {},\n", r.ready_at ? exact_seconds(*r.ready_at) : "null");
  std::vector<std::string> items;
  for (const sim::TraceRecord& rec : r.trace.records()) {
    if (rec.kind != sim::RecordKind::kMilestone) continue;
    items.push_back(fmt::format("{{\"name\": {}, \"node\": {}, \"time_s\": {}, \"detail\": {}}}",
                                json_string(rec.name), json_string(rec.node),
                                exact_seconds(rec.time), json_string(rec.detail)));
  }
  auto list = [&](std::string_view key, const std::vector<std::string>& v, bool last = false) {
    out += fmt::format("  \"{}\": [", key);
    for (std::size_t i = 0; i < v.size(); ++i) {
      out += fmt::format("{}\n    {}", i == 0 ? "" : ",", v[i]);
    }
    out += v.empty() ? "]" : "\n  ]";
    out += last ? "\n" : ",\n";
  };
  list("milestones", items);
  items.clear();
  for (const Violation& v : r.violations) {
    items.push_back(fmt::format("{{\"rule\": {}, \"time_s\": {}, \"nodes\": {}, \"detail\": {}}}",
                                json_string(v.rule), exact_seconds(v.time), json_string(v.nodes),
                                json_string(v.detail)));
  }
  list("violations", items);
  items.clear();
  for (const BudgetResult& b : r.budgets) {
    items.push_back(
        fmt::format("{{\"milestone\": {}, \"within_s\": {}, \"actual_s\": {}, \"ok\": {}}}",
                    json_string(b.milestone), exact_seconds(b.within),
                    b.actual ? exact_seconds(*b.actual) : "null", b.ok ? "true" : "false"));
  }
  list("budgets", items);
  items.clear();
  for (const sim::RecordId id : r.critical_chain) {
    const sim::TraceRecord& rec = r.trace.at(id);
    items.push_back(fmt::format("{{\"name\": {}, \"node\": {}, \"component\": {}, \"time_s\": {}}}",
                                json_string(rec.name), json_string(rec.node),
                                json_string(rec.component), exact_seconds(rec.time)));
  }
  list("critical_chain", items);
  items.clear();
  for (const sim::TraceRecord& rec : r.trace.records()) {
    if (rec.component != "fault") continue;
    items.push_back(fmt::format("{{\"event\": {}, \"node\": {}, \"time_s\": {}, \"detail\": {}}}",
                                json_string(rec.name), json_string(rec.node),
                                exact_seconds(rec.time), json_string(rec.detail)));
  }
  list("faults", items);
  items.clear();
  for (const std::string& n : r.not_reached) items.push_back(json_string(n));
  list("not_reached", items);
  out += fmt::format("  \"events\": {},\n", r.events);
  out += fmt::format("  \"fingerprint\": \"{:016x}\"\n", r.fingerprint);
  out += "}\n";
  return out;
}

}  // namespace bootsim::models
