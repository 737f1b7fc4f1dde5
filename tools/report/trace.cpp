#include <fmt/format.h>

#include "tools/report/report.hpp"

namespace bootsim::report {

std::string format_trace(const models::RunResult& r) {
  std::string out;
  for (std::size_t i = 0; i < r.trace.records().size(); ++i) {
    const sim::TraceRecord& rec = r.trace.records()[i];
    const char* kind = rec.kind == sim::RecordKind::kMilestone ? "milestone"
                       : rec.kind == sim::RecordKind::kSpan    ? "span"
                                                               : "event";
    std::string when = sim::format_seconds(rec.time);
    if (rec.kind == sim::RecordKind::kSpan) when += ".." + sim::format_seconds(rec.end);
    out += fmt::format("#{} {} {} {} {} {}{}{}\n", i, when, kind, printable(rec.node),
                       rec.component.empty() ? "-" : printable(rec.component), printable(rec.name),
                       rec.detail.empty() ? "" : " \"" + printable(rec.detail) + "\"",
                       rec.cause ? fmt::format(" <- #{}", *rec.cause) : "");
  }
  return out;
}

}  // namespace bootsim::report
