// A sweep's outputs: text (a table per grid point), csv, json, junit and html, each a pure
// function of the SweepSummary and the runs' records (ordered by index; only html reads them:
// its histograms need every run's time), times printed from integer nanoseconds, so
// byte-identical for equal sweeps whatever --jobs was.
//
//   const SweepFormat* f = find_sweep_format("csv");
//   std::string text = f->render(summary, records);
//
// CSV: one row per (point, milestone | budget | rule):
//   point,<vary keys…>,kind,name,runs,count,min_s,p50_s,p90_s,p99_s,max_s,measured_s,ok
// count: runs that reached the milestone, runs within the budget, runs that violated the rule;
// quantile columns for milestones (empty: never), measured_s and ok for budgets, ok for rules.
// JUnit (the Ant schema, JUnit.xsd): one <testsuite> of one test case per budget and per rule
// (per grid point when there are several) and one for cluster.ready being reached; a failure's
// message carries the measured value and the seeds that missed. Its timestamp and hostname are
// the only parts that are not a function of the summary.
#pragma once

#include <span>
#include <string>
#include <string_view>

#include "tools/sweep/record.hpp"
#include "tools/sweep/summary.hpp"

namespace bootsim::sweep {

struct SweepFormat {
  std::string_view name;
  std::string (*render)(const SweepSummary& summary, std::span<const RunRecord> runs);
};

std::span<const SweepFormat> sweep_formats();
const SweepFormat* find_sweep_format(std::string_view name);
std::string sweep_format_names();  // "text, csv, json, junit or html"

std::string format_sweep_text(const SweepSummary& s);
std::string format_sweep_csv(const SweepSummary& s);
std::string format_sweep_json(const SweepSummary& s);
std::string format_sweep_junit(const SweepSummary& s);
// html.cpp: one self-contained page: per grid point, the budgets' pass rates and, per
// milestone, a histogram and a CDF of its time over the point's runs (inline SVG, no script
// library). `runs` holds every run of the sweep, ordered by index (point-major).
std::string format_sweep_html(const SweepSummary& s, std::span<const RunRecord> runs);
// html.cpp: `bootsim sensitivity --format html`: the tornado chart (SVG) and the ranked table
// (text) of a sensitivity study as one self-contained page.
std::string format_sensitivity_html(std::string_view title, std::string_view chart_svg,
                                    std::string_view table);

// Seconds from nanoseconds as the reports print them ("97.3"), "never" for nullopt.
std::string seconds_or_never(const std::optional<std::int64_t>& ns);
// Milliseconds, rounded ("97.312s"), or "never": the quantile columns of tables.
std::string short_seconds(const std::optional<std::int64_t>& ns);
// "42, 57, 90 and 12 more": the first few seeds of a list.
std::string seed_list(const std::vector<std::uint64_t>& seeds, std::size_t shown = 20);

}  // namespace bootsim::sweep
