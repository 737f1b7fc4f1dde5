// --format html: one self-contained page (no link, font or script from anywhere else, so it
// opens offline and can be mailed): the SVG timeline, the critical chain with what each gap was
// spent on, the milestones (each with the first, median and last node to reach it), faults,
// violations and budgets. A few lines of inline script mark the page once the timeline has been
// laid out (data-timeline="visible"), which the headless-browser test reads.
#include <fmt/format.h>

#include <algorithm>
#include <map>
#include <vector>

#include "tools/report/report.hpp"
#include "tools/report/why.hpp"

namespace bootsim::report {

namespace {

std::string secs(sim::SimTime t) {
  return sim::format_seconds(t) + "s";
}

std::string chain_table(const models::RunResult& r) {
  if (r.critical_chain.empty()) return "<p>cluster.ready was not reached: no critical chain.</p>\n";
  std::string s =
      "<table><tr><th>time</th><th>gap</th><th>step</th><th>node</th><th>why</th></tr>\n";
  for (const ChainStep& step : explain_chain(r)) {
    const sim::TraceRecord& rec = r.trace.at(step.record);
    s += fmt::format(
        "<tr><td class=n>{}</td><td class=n>{}</td><td>{}</td><td>{}</td><td>{}</td></tr>\n",
        secs(rec.time), step.gap ? "+" + secs(*step.gap) : "",
        xml_escape(rec.component().empty() ? std::string(rec.name())
                                           : fmt::format("{} {}", rec.component(), rec.name())),
        xml_escape(rec.node()),
        step.cause.empty() ? ""
                           : "<b>" + xml_escape(step.cause) + "</b> " + xml_escape(step.detail));
  }
  return s + "</table>\n";
}

// Per milestone: how many nodes reached it, and the first, median and last first reach.
std::string milestone_table(const models::RunResult& r) {
  std::map<std::string_view, std::map<std::string_view, sim::SimTime>> first;  // name -> node
  std::vector<std::string_view> order;
  for (const sim::TraceRecord& rec : r.trace.records()) {
    if (rec.kind != sim::RecordKind::kMilestone) continue;
    auto [it, added] = first.try_emplace(rec.name());
    if (added) order.push_back(rec.name());
    it->second.try_emplace(rec.node(), rec.time);
  }
  std::string s =
      "<table><tr><th>milestone</th><th>nodes</th><th>first</th><th>median</th><th>last</th>"
      "<th>last node</th></tr>\n";
  for (const std::string_view name : order) {
    std::vector<std::pair<sim::SimTime, std::string_view>> v;
    for (const auto& [node, t] : first[name]) v.emplace_back(t, node);
    std::sort(v.begin(), v.end());
    s += fmt::format(
        "<tr><td>{}</td><td class=n>{}</td><td class=n>{}</td><td class=n>{}</td><td "
        "class=n>{}</td><td>{}</td></tr>\n",
        xml_escape(name), v.size(), secs(v.front().first), secs(v[v.size() / 2].first),
        secs(v.back().first), xml_escape(v.back().second));
  }
  return s + "</table>\n";
}

std::string checks(const models::RunResult& r) {
  std::string s = "<h2>Faults</h2>\n";
  bool any = false;
  for (const sim::TraceRecord& rec : r.trace.records()) {
    if (rec.type != sim::RecordType::kFault) continue;
    s += fmt::format("<p class=fault>{} {} on {}: {}</p>\n", secs(rec.time), xml_escape(rec.name()),
                     xml_escape(rec.node()), xml_escape(rec.detail()));
    any = true;
  }
  for (const std::string& f : r.faults_not_fired) {
    s += fmt::format("<p class=fault>never fired: {}</p>\n", xml_escape(f));
    any = true;
  }
  if (!any) s += "<p>none</p>\n";
  s += "<h2>Violations</h2>\n";
  if (r.violations.empty()) s += "<p>none</p>\n";
  for (const models::Violation& v : r.violations) {
    s += fmt::format("<p class=bad>{} {} [{}] {}</p>\n", secs(v.time), xml_escape(v.rule),
                     xml_escape(v.nodes), xml_escape(v.detail));
  }
  s += "<h2>Budgets</h2>\n";
  if (r.budgets.empty()) s += "<p>none</p>\n";
  for (const models::BudgetResult& b : r.budgets) {
    s += fmt::format("<p class={}>{} {} within {}: {}</p>\n", b.ok ? "ok" : "bad",
                     b.ok ? "ok" : "MISS", xml_escape(b.milestone), sim::format_duration(b.within),
                     b.actual ? secs(*b.actual) : "not reached");
  }
  return s;
}

constexpr const char* kStyle =
    "body{font-family:sans-serif;margin:1em 2em;color:#222}table{border-collapse:collapse;"
    "font-size:13px}td,th{border:1px solid #ddd;padding:2px 6px;text-align:left}"
    "td.n{text-align:right;font-variant-numeric:tabular-nums}.bad{color:#b00}.ok{color:#070}"
    ".fault{color:#d62728}#timeline{overflow-x:auto;border:1px solid #eee}";

// Marks the page once the timeline has a laid-out size; says so on the console otherwise.
constexpr const char* kScript =
    "window.addEventListener('load',function(){var s=document.querySelector('#timeline svg');"
    "var b=s&&s.getBoundingClientRect();if(b&&b.width>0&&b.height>0){document.body.dataset."
    "timeline='visible';}else{console.error('bootsim: the timeline has no size');}});";

}  // namespace

std::string format_html(const models::RunResult& r) {
  std::string s = "<!DOCTYPE html>\n<html lang=en><head><meta charset=utf-8>\n";
  s += fmt::format("<title>bootsim: {} (seed {})</title>\n<style>{}</style>\n",
                   xml_escape(r.scenario), r.seed, kStyle);
  s += fmt::format("<script>{}</script>\n</head><body>\n", kScript);
  s +=
      fmt::format("<h1>bootsim run: {}</h1>\n<p>profile {}, seed {}{}; {}</p>\n",
                  xml_escape(r.scenario), xml_escape(r.profile), r.seed,
                  r.overrides.empty()
                      ? ""
                      : ", overrides " + xml_escape(fmt::format("{}", fmt::join(r.overrides, " "))),
                  r.ready_at ? "<b>cluster.ready at " + secs(*r.ready_at) + "</b>"
                             : "<b class=bad>cluster.ready not reached</b> (ended by " +
                                   xml_escape(r.ended_by) + " at " + secs(r.ended_at) + ")");
  s += "<h2>Timeline</h2>\n<div id=timeline>\n" + format_svg(r) + "</div>\n";
  s += "<h2>Critical chain of cluster.ready</h2>\n" + chain_table(r);
  if (!r.not_reached.empty()) {
    s += "<h2>Not reached</h2>\n<ul>\n";
    for (const std::string& n : r.not_reached) s += "<li>" + xml_escape(n) + "</li>\n";
    s += "</ul>\n";
  }
  s += "<h2>Milestones</h2>\n" + milestone_table(r);
  s += checks(r);
  s += fmt::format("<p>{} events, fingerprint {:016x}</p>\n</body></html>\n", r.events,
                   r.fingerprint);
  return s;
}

}  // namespace bootsim::report
