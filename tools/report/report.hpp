// Reports of one run, behind one small interface: each output format is a name and a pure
// function of the RunResult.
//
//   const ReportFormat* f = find_report_format("json");   // nullptr: no such format
//   std::cout << f->render(result);                        // {"schema": 1, "scenario": …}
//
// Contract: renderers are pure functions of the RunResult; byte-identical for identical results
// (times are printed from integer nanoseconds, never through a double). Adding a format is a
// file of its own and one row of report_formats().
#pragma once

#include <span>
#include <string>
#include <string_view>

#include "models/run/cluster.hpp"

namespace bootsim::report {

inline constexpr int kJsonSchemaVersion = 1;

struct ReportFormat {
  std::string_view name;
  std::string_view description;  // for --help
  std::string (*render)(const models::RunResult& result);
  // It draws records of every kind (spans, state changes): a run at --trace none holds too few.
  bool needs_every_record = false;
};

// Every format `bootsim run --format` accepts, the default (text) first.
std::span<const ReportFormat> report_formats();
const ReportFormat* find_report_format(std::string_view name);
// "text, json or trace": for usage messages.
std::string report_format_names();

// text.cpp: the timeline a person reads at a glance, then the critical chain and the checks.
std::string format_text(const models::RunResult& result);
struct TextOptions {
  bool colour = false;   // ANSI colours (the front end sets it on a terminal only)
  bool summary = false;  // --summary: cluster milestones, critical chain, violations, budgets
};
std::string format_text(const models::RunResult& result, const TextOptions& options);
// json.cpp: the machine-readable result (schema kJsonSchemaVersion).
std::string format_json(const models::RunResult& result);
// trace.cpp: every trace record as JSON Lines, in record order, typed fields included.
std::string format_trace(const models::RunResult& result);

// dns.cpp: leader.mesos per host (first resolution, windows after each leader change): the
// items of the JSON "dns" list, and the text section (empty when there is nothing to say).
std::string dns_json_items(const models::RunResult& result);
std::string dns_text(const models::RunResult& result);

// chrome.cpp: the Trace Event Format (chrome://tracing, ui.perfetto.dev): a process per node, a
// track per unit, phases as B/E pairs, milestones, faults and violations as instants, cause
// links as flows; timestamps in µs.
std::string format_chrome(const models::RunResult& result);

// csv.cpp: one row per milestone occurrence: run, seed, node, milestone, time_s (RFC 4180).
std::string format_csv(const models::RunResult& result);
// `s` as one CSV field: quoted (quotes doubled) when it holds a comma, a quote or a line break.
std::string csv_field(std::string_view s);

// blame.cpp: `bootsim blame`: units by time from boot to running (gate wait, restart delay,
// start), longest first.
std::string format_blame(const models::RunResult& result);

// svg.cpp: a Gantt chart of the boot (a row per unit per node, phases, the critical chain,
// faults and violations); agents summarised beyond 20.
std::string format_svg(const models::RunResult& result);

// html.cpp: one self-contained page: the SVG timeline, the critical chain with causes, the
// milestones, faults, violations and budgets.
std::string format_html(const models::RunResult& result);

// Exact decimal seconds from integer nanoseconds, trailing zeros trimmed: "97.3", "0.00025".
std::string exact_seconds(sim::SimTime t);
// `s` as a JSON string literal, control characters escaped.
std::string json_string(std::string_view s);
// `s` for a text report: control characters (and DEL) as \xNN and a backslash doubled, so that
// a name from a scenario cannot move the cursor, clear the screen or fake a line of the report.
std::string printable(std::string_view s);
// `s` printable, then escaped for XML text and attribute values (the SVG and HTML reports).
std::string xml_escape(std::string_view s);

}  // namespace bootsim::report
