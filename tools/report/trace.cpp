// --format trace: every trace record as JSON Lines (one JSON object a line, in record order),
// typed fields included, for jq, pandas (read_json(lines=True)) or a replay diff.
#include <fmt/format.h>

#include "tools/report/report.hpp"

namespace bootsim::report {

namespace {

std::string_view kind_name(sim::RecordKind k) {
  switch (k) {
    case sim::RecordKind::kMilestone:
      return "milestone";
    case sim::RecordKind::kSpan:
      return "span";
    case sim::RecordKind::kEvent:
      return "event";
  }
  return "?";
}

// The record's typed arguments as a JSON object: integers as numbers, durations in seconds,
// texts as strings, records by id.
std::string args_json(const sim::Trace& trace, const sim::TraceRecord& rec) {
  std::string out = "{";
  for (const sim::TraceArg& a : rec.args()) {
    std::string value;
    switch (a.type) {
      case sim::ArgType::kInt:
      case sim::ArgType::kRecord:
        value = fmt::format("{}", a.value);
        break;
      case sim::ArgType::kDuration:
        value = exact_seconds(sim::SimTime::from_ns(a.value));
        break;
      case sim::ArgType::kText:
        value = json_string(trace.text(static_cast<sim::Symbol>(a.value)));
        break;
    }
    out +=
        fmt::format("{}{}: {}", out.size() > 1 ? ", " : "", json_string(trace.text(a.key)), value);
  }
  return out + "}";
}

std::string record_json(const sim::Trace& trace, std::size_t index) {
  const sim::TraceRecord& rec = trace.records()[index];
  const sim::RecordId id = trace.id_of(index);
  std::string out = fmt::format(R"({{"id": {}, "time_s": {}, )", id, exact_seconds(rec.time));
  if (rec.kind == sim::RecordKind::kSpan)
    out += fmt::format(R"("end_s": {}, )", exact_seconds(rec.end));
  out += fmt::format(R"("kind": "{}", "type": "{}", "node": {}, "component": {}, "name": {})",
                     kind_name(rec.kind), sim::to_string(rec.type), json_string(rec.node()),
                     json_string(rec.component()), json_string(rec.name()));
  if (!rec.detail().empty()) out += fmt::format(R"(, "detail": {})", json_string(rec.detail()));
  if (rec.type == sim::RecordType::kStateChange) {
    out += fmt::format(R"(, "from": {}, "to": {})", json_string(trace.text(rec.from)),
                       json_string(trace.text(rec.to)));
  }
  if (!rec.args().empty()) out += fmt::format(R"(, "args": {})", args_json(trace, rec));
  if (rec.cause()) out += fmt::format(R"(, "cause": {})", *rec.cause());
  return out + "}\n";
}

}  // namespace

std::string format_trace(const models::RunResult& r) {
  std::string out;
  for (std::size_t i = 0; i < r.trace.records().size(); ++i) out += record_json(r.trace, i);
  return out;
}

}  // namespace bootsim::report
