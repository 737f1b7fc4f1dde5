// --format csv: one row per milestone occurrence (run, seed, node, milestone, time_s), RFC 4180,
// for spreadsheets and pandas (read_csv). A milestone reached again after a fault is a row again.
#include <fmt/format.h>

#include "tools/report/report.hpp"

namespace bootsim::report {

std::string csv_field(std::string_view s) {
  if (s.find_first_of(",\"\r\n") == std::string_view::npos) return std::string(s);
  std::string out = "\"";
  for (const char c : s) {
    if (c == '"') out += '"';
    out += c;
  }
  return out + "\"";
}

std::string format_csv(const models::RunResult& r) {
  std::string out = "run,seed,node,milestone,time_s\r\n";
  for (const sim::TraceRecord& rec : r.trace.records()) {
    if (rec.kind != sim::RecordKind::kMilestone) continue;
    // One run: its index is 0 (a sweep numbers its runs from 0).
    out += fmt::format("0,{},{},{},{}\r\n", r.seed, csv_field(rec.node()), csv_field(rec.name()),
                       exact_seconds(rec.time));
  }
  return out;
}

}  // namespace bootsim::report
