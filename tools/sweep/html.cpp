// --format html of a sweep (and of a sensitivity study): one self-contained page, readable
// offline. Per grid point: the budgets with their pass rates, the rules violated, and per
// milestone its quantiles, a histogram and a CDF of its time over the point's runs. A
// milestone's charts share one time axis across every point, so points compare at a glance.
#include <fmt/format.h>

#include <algorithm>
#include <cassert>
#include <limits>
#include <optional>

#include "models/core/milestones.hpp"
#include "tools/report/charts.hpp"
#include "tools/report/report.hpp"
#include "tools/sweep/formats.hpp"

namespace bootsim::sweep {

namespace {

std::size_t milestone_index(std::string_view name) {
  const auto names = models::milestone_names();
  return static_cast<std::size_t>(std::find(names.begin(), names.end(), name) - names.begin());
}

// One milestone's times over some runs: those that reached it, ascending, and how many never.
struct Times {
  std::vector<std::int64_t> reached;
  std::size_t never = 0;
};

Times times_of(std::span<const RunRecord> runs, std::size_t milestone) {
  Times t;
  for (const RunRecord& r : runs) {
    if (const auto& ns = r.times_ns.at(milestone)) {
      t.reached.push_back(*ns);
    } else {
      ++t.never;
    }
  }
  std::sort(t.reached.begin(), t.reached.end());
  return t;
}

// The runs of point `i` (records are point-major: index = point * runs + run).
std::span<const RunRecord> point_runs(const SweepSummary& s, std::span<const RunRecord> runs,
                                      std::size_t i) {
  return runs.subspan(i * s.info.runs, s.info.runs);
}

// Per milestone (by index): one axis over every point's runs, so the charts line up; none for
// a milestone no run reached.
std::vector<std::optional<report::TimeAxis>> axes(std::span<const RunRecord> runs) {
  const std::size_t n = models::milestone_names().size();
  std::vector<std::int64_t> lo(n, std::numeric_limits<std::int64_t>::max());
  std::vector<std::int64_t> hi(n, std::numeric_limits<std::int64_t>::min());
  for (const RunRecord& r : runs) {
    for (std::size_t m = 0; m < n; ++m) {
      if (!r.times_ns.at(m)) continue;
      lo[m] = std::min(lo[m], *r.times_ns[m]);
      hi[m] = std::max(hi[m], *r.times_ns[m]);
    }
  }
  std::vector<std::optional<report::TimeAxis>> out(n);
  for (std::size_t m = 0; m < n; ++m) {
    if (lo[m] <= hi[m]) out[m] = report::time_axis(lo[m], hi[m]);
  }
  return out;
}

// "99.5%": a share in tenths of a percent, rounded down (100% only when every run passed).
std::string percent(std::size_t n, std::size_t of) {
  const std::size_t permille = of == 0 ? 0 : n * 1000 / of;
  return fmt::format("{}.{}%", permille / 10, permille % 10);
}

std::string budget_rows(const PointSummary& p) {
  if (p.budgets.empty()) return "<p>No budget.</p>\n";
  std::string s =
      "<table><tr><th>budget</th><th>over</th><th>measured</th><th>runs within</th>"
      "<th>pass rate</th><th></th></tr>\n";
  for (const BudgetOutcome& b : p.budgets) {
    const double w =
        p.runs == 0 ? 0 : 120.0 * static_cast<double>(b.passed) / static_cast<double>(p.runs);
    s += fmt::format(
        "<tr><td>{}</td><td>{}</td><td class=n>{} {}</td><td class=n>{}/{}</td><td><span "
        "class=rate style=\"width:{:.1f}px\"></span><span class=miss style=\"width:{:.1f}px\">"
        "</span> {}</td><td class={}>{}{}</td></tr>\n",
        report::xml_escape(models::budget_text(b.budget)),
        b.budget.quantile_bp ? models::quantile_name(*b.budget.quantile_bp) + " of the runs"
                             : "every run",
        b.budget.quantile_bp ? models::quantile_name(*b.budget.quantile_bp) : "max",
        short_seconds(b.measured_ns), b.passed, p.runs, w, 120.0 - w, percent(b.passed, p.runs),
        b.ok ? "ok" : "bad", b.ok ? "ok" : "MISS",
        b.problem.empty() ? "" : ": " + report::xml_escape(b.problem));
  }
  return s + "</table>\n";
}

std::string rule_lines(const PointSummary& p) {
  std::string s;
  std::size_t held = 0;
  for (const RuleOutcome& r : p.rules) {
    if (r.runs_violated == 0) {
      ++held;
      continue;
    }
    s += fmt::format("<p class=bad>rule {} violated in {} of {} runs (seeds {})</p>\n",
                     report::xml_escape(r.rule), r.runs_violated, p.runs, seed_list(r.seeds));
  }
  s += fmt::format("<p>{} of {} rules held in every run.", held, p.rules.size());
  if (!p.not_ready_seeds.empty()) {
    s += fmt::format(
        " <span class=bad>cluster.ready never reached in {} of {} runs (seeds {})"
        "</span>",
        p.not_ready_seeds.size(), p.runs, seed_list(p.not_ready_seeds));
  }
  return s + "</p>\n";
}

std::string milestone_rows(const PointSummary& p, std::span<const RunRecord> runs,
                           const std::vector<std::optional<report::TimeAxis>>& axis) {
  std::string s =
      "<table><tr><th>milestone</th><th>reached</th><th>p50</th><th>p90</th><th>p99</th>"
      "<th>histogram (runs per bin)</th><th>CDF (share of runs)</th></tr>\n";
  for (const MilestoneStats& m : p.milestones) {
    const std::size_t i = milestone_index(m.name);
    const Times t = times_of(runs, i);
    s += fmt::format(
        "<tr><td>{}</td><td class=n>{}/{}</td><td class=n>{}</td><td class=n>{}</td><td "
        "class=n>{}</td>",
        report::xml_escape(m.name), m.reached, p.runs, short_seconds(m.quantiles[1]),
        short_seconds(m.quantiles[2]), short_seconds(m.quantiles[3]));
    s += axis[i] ? fmt::format("<td>\n{}</td><td>\n{}</td></tr>\n",
                               report::histogram_svg(t.reached, t.never, *axis[i]),
                               report::cdf_svg(t.reached, t.never, *axis[i]))
                 : std::string("<td colspan=2>reached by no run of the sweep</td></tr>\n");
  }
  return s + "</table>\n";
}

// "3 of 4 met" for a point's budgets, "none" without one.
std::string budgets_met(const PointSummary& p) {
  if (p.budgets.empty()) return "none";
  std::size_t met = 0;
  for (const BudgetOutcome& b : p.budgets) met += b.ok ? 1 : 0;
  return fmt::format("<span class={}>{} of {} met</span>", met == p.budgets.size() ? "ok" : "bad",
                     met, p.budgets.size());
}

// Several points: one row each (cluster.ready's quantiles, budgets, rules), and the CDFs of
// cluster.ready overlaid, one colour per point.
std::string overview(const SweepSummary& s, std::span<const RunRecord> runs,
                     const std::optional<report::TimeAxis>& ready_axis) {
  const std::size_t ready = milestone_index("cluster.ready");
  std::string out =
      "<h2>Every point: cluster.ready</h2>\n<table><tr><th>point</th><th>settings</th>"
      "<th>reached</th><th>p50</th><th>p90</th><th>p99</th><th>budgets</th><th>rules "
      "violated</th></tr>\n";
  std::vector<Times> times;
  std::vector<report::CdfSeries> series;
  times.reserve(s.points.size());
  for (std::size_t i = 0; i < s.points.size(); ++i) {
    const PointSummary& p = s.points[i];
    times.push_back(times_of(point_runs(s, runs, i), ready));
    std::size_t violated = 0;
    for (const RuleOutcome& r : p.rules) violated += r.runs_violated > 0 ? 1 : 0;
    std::vector<std::optional<std::int64_t>> sorted(times.back().reached.begin(),
                                                    times.back().reached.end());
    sorted.resize(sorted.size() + times.back().never);
    out += fmt::format(
        "<tr><td class=n>{}</td><td>{}</td><td class=n>{}/{}</td><td class=n>{}</td><td "
        "class=n>{}</td><td class=n>{}</td><td>{}</td><td class=n>{}</td></tr>\n",
        i + 1, report::xml_escape(p.point.label()), times.back().reached.size(), p.runs,
        short_seconds(nearest_rank(sorted, 5'000)), short_seconds(nearest_rank(sorted, 9'000)),
        short_seconds(nearest_rank(sorted, 9'900)), budgets_met(p), violated);
    series.push_back(report::CdfSeries{fmt::format("point {}", i + 1), times.back().reached,
                                       times.back().never});
  }
  out += "</table>\n";
  if (ready_axis)
    out += "<p>CDF of cluster.ready, one line per point:</p>\n" +
           report::cdf_overlay_svg(series, *ready_axis);
  return out;
}

// Text as HTML, line by line (xml_escape shows a line break as \x0a).
std::string preformatted(std::string_view text) {
  std::string out;
  for (std::size_t at = 0; at < text.size();) {
    const std::size_t end = std::min(text.find('\n', at), text.size());
    out += report::xml_escape(text.substr(at, end - at)) + "\n";
    at = end + 1;
  }
  return out;
}

std::string header(const SweepSummary& s) {
  std::string out = fmt::format(
      "<h1>bootsim sweep: {}</h1>\n<p>profile {}, {} point{} &times; {} runs (seeds {} to {}), "
      "bootsim {}</p>\n",
      report::xml_escape(s.info.scenario), report::xml_escape(s.info.profile), s.points.size(),
      s.points.size() == 1 ? "" : "s", s.info.runs, s.info.first_seed,
      s.info.first_seed + s.info.runs - 1, report::xml_escape(s.info.version));
  for (const std::string& v : s.info.settings)
    out += "<p>--set " + report::xml_escape(v) + "</p>\n";
  for (const std::string& f : s.info.faults)
    out += "<p>--fault " + report::xml_escape(f) + "</p>\n";
  out += fmt::format(
      "<p class={}><b>{}</b></p>\n<p>Quantiles are nearest-rank over every run of a point; a run "
      "that never reached a milestone counts as the latest ('never' when a quantile falls on "
      "one). A milestone's charts share one time axis across the points.</p>\n",
      s.ok() ? "ok" : "bad",
      s.ok() ? "Every budget met, no rule violated, cluster.ready in every run."
             : "FAILED: a budget missed, a rule violated or a run never ready.");
  return out;
}

}  // namespace

std::string format_sweep_html(const SweepSummary& s, std::span<const RunRecord> runs) {
  assert(runs.size() == s.points.size() * s.info.runs);
  const auto axis = axes(runs);
  std::string body = header(s);
  if (s.points.size() > 1) body += overview(s, runs, axis[milestone_index("cluster.ready")]);
  for (std::size_t i = 0; i < s.points.size(); ++i) {
    const PointSummary& p = s.points[i];
    body += fmt::format("<h2>Point {} of {}{}{}</h2>\n<h3>Budgets</h3>\n", i + 1, s.points.size(),
                        p.point.settings.empty() ? "" : ": ", report::xml_escape(p.point.label()));
    body += budget_rows(p) + "<h3>Rules</h3>\n" + rule_lines(p);
    body += "<h3>Milestones</h3>\n" + milestone_rows(p, point_runs(s, runs, i), axis);
  }
  return report::chart_page("bootsim sweep: " + s.info.scenario, body);
}

std::string format_sensitivity_html(std::string_view title, std::string_view chart_svg,
                                    std::string_view table) {
  // The tornado chart is the page's one chart: the browser test's check applies to it too.
  std::string svg(chart_svg);
  if (svg.starts_with("<svg ")) svg.insert(5, "class=\"chart\" ");
  return report::chart_page(title,
                            fmt::format("<h1>{}</h1>\n{}<h2>Ranked</h2>\n<pre>{}</pre>\n",
                                        report::xml_escape(title), svg, preformatted(table)));
}

}  // namespace bootsim::sweep
