#include <fmt/format.h>
#include <fmt/ranges.h>

#include <vector>

#include "tools/report/report.hpp"
#include "tools/report/why.hpp"

namespace bootsim::report {

using models::BudgetResult;
using models::Violation;

std::string format_json(const models::RunResult& r) {
  std::string out = "{\n";
  out += fmt::format("  \"schema\": {},\n", kJsonSchemaVersion);
  out += fmt::format("  \"scenario\": {},\n", json_string(r.scenario));
  out += fmt::format("  \"version\": {},\n", json_string(BOOTSIM_VERSION));
  // Self-contained (issue 13): the file, its bytes' hash, every override and every parameter's
  // effective value, so that the result alone says how to reproduce it.
  out += fmt::format("  \"scenario_file\": {},\n", json_string(r.scenario_file));
  out += fmt::format("  \"scenario_hash\": {},\n", json_string("fnv1a64:" + r.scenario_hash));
  std::vector<std::string> kv;
  for (const std::string& o : r.overrides) kv.push_back(json_string(o));
  out += fmt::format("  \"overrides\": [{}],\n", fmt::join(kv, ", "));
  kv.clear();
  for (const std::string& o : r.set_options) kv.push_back(json_string(o));
  out += fmt::format("  \"set\": [{}],\n", fmt::join(kv, ", "));
  kv.clear();
  for (const std::string& o : r.fault_options) kv.push_back(json_string(o));
  out += fmt::format("  \"fault_options\": [{}],\n", fmt::join(kv, ", "));
  kv.clear();
  for (const auto& [k, v] : r.parameters) {
    kv.push_back(fmt::format("{}: {}", json_string(k), json_string(v)));
  }
  out += fmt::format("  \"parameters\": {{\n    {}\n  }},\n", fmt::join(kv, ",\n    "));
  out += fmt::format("  \"profile\": {},\n", json_string(r.profile));
  out += fmt::format("  \"seed\": {},\n", r.seed);
  out += fmt::format("  \"until_s\": {},\n", exact_seconds(r.until));
  out += fmt::format("  \"ended_at_s\": {},\n", exact_seconds(r.ended_at));
  // Why the run ended: "cluster.ready", "settled" (nothing could change any more) or "until".
  out += fmt::format("  \"ended_by\": {},\n", json_string(r.ended_by));
  out += fmt::format("  \"ready_s\": {},\n", r.ready_at ? exact_seconds(*r.ready_at) : "null");
  std::vector<std::string> items;
  for (const sim::TraceRecord& rec : r.trace.records()) {
    if (rec.kind != sim::RecordKind::kMilestone) continue;
    items.push_back(fmt::format("{{\"name\": {}, \"node\": {}, \"time_s\": {}, \"detail\": {}}}",
                                json_string(rec.name()), json_string(rec.node()),
                                exact_seconds(rec.time), json_string(rec.detail())));
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
    std::vector<std::string> events;
    for (const sim::RecordId id : v.evidence) {
      const sim::TraceRecord& rec = r.trace.at(id);
      events.push_back(fmt::format("{{\"name\": {}, \"node\": {}, \"time_s\": {}, \"detail\": {}}}",
                                   json_string(rec.name()), json_string(rec.node()),
                                   exact_seconds(rec.time), json_string(rec.detail())));
    }
    items.push_back(fmt::format(
        "{{\"rule\": {}, \"time_s\": {}, \"nodes\": {}, \"detail\": {}, \"explanation\": {}, "
        "\"events\": [{}]}}",
        json_string(v.rule), exact_seconds(v.time), json_string(v.nodes), json_string(v.detail),
        json_string(v.explanation), fmt::join(events, ", ")));
  }
  list("violations", items);
  items.clear();
  for (const models::RunResult::LeaderOverlap& o : r.leader_overlaps) {
    items.push_back(fmt::format("{{\"first\": {}, \"second\": {}, \"from_s\": {}, \"to_s\": {}}}",
                                json_string(o.first), json_string(o.second), exact_seconds(o.from),
                                o.to ? exact_seconds(*o.to) : "null"));
  }
  list("leader_overlaps", items);
  items.clear();
  for (const BudgetResult& b : r.budgets) {
    items.push_back(
        fmt::format("{{\"milestone\": {}, \"within_s\": {}, \"actual_s\": {}, \"ok\": {}}}",
                    json_string(b.milestone), exact_seconds(b.within),
                    b.actual ? exact_seconds(*b.actual) : "null", b.ok ? "true" : "false"));
  }
  list("budgets", items);
  items.clear();
  for (const ChainStep& step : explain_chain(r)) {
    const sim::TraceRecord& rec = r.trace.at(step.record);
    items.push_back(fmt::format(
        "{{\"name\": {}, \"node\": {}, \"component\": {}, \"time_s\": {}, \"gap_s\": {}, "
        "\"cause\": {}, \"detail\": {}}}",
        json_string(rec.name()), json_string(rec.node()), json_string(rec.component()),
        exact_seconds(rec.time), step.gap ? exact_seconds(*step.gap) : "null",
        step.cause.empty() ? "null" : json_string(step.cause), json_string(step.detail)));
  }

  list("critical_chain", items);
  items.clear();
  for (const sim::TraceRecord& rec : r.trace.records()) {
    if (rec.type != sim::RecordType::kFault) continue;
    items.push_back(fmt::format("{{\"event\": {}, \"node\": {}, \"time_s\": {}, \"detail\": {}}}",
                                json_string(rec.name()), json_string(rec.node()),
                                exact_seconds(rec.time), json_string(rec.detail())));
  }
  for (const std::string& text : r.faults_not_fired) {
    items.push_back(fmt::format(
        "{{\"event\": \"not_fired\", \"node\": \"cluster\", \"time_s\": null, \"detail\": {}}}",
        json_string(text)));
  }
  list("faults", items);
  items.clear();
  for (const std::string& n : r.not_reached) items.push_back(json_string(n));
  list("not_reached", items);
  out += fmt::format("  \"dns\": [{}{}],\n", dns_json_items(r), r.dns.empty() ? "" : "\n  ");
  out += fmt::format("  \"events\": {},\n", r.events);
  out += fmt::format("  \"fingerprint\": \"{:016x}\"\n", r.fingerprint);
  out += "}\n";
  return out;
}

}  // namespace bootsim::report
