#include "tools/sweep/formats.hpp"

#include <fmt/format.h>
#include <unistd.h>

#include <array>
#include <ctime>

#include "tools/report/report.hpp"

namespace bootsim::sweep {

namespace {

// The formats that need only the summary, as table rows.
template <std::string (*F)(const SweepSummary&)>
std::string summary_only(const SweepSummary& s, std::span<const RunRecord> /*runs*/) {
  return F(s);
}

constexpr std::array<SweepFormat, 5> kFormats{{{"text", summary_only<format_sweep_text>},
                                               {"csv", summary_only<format_sweep_csv>},
                                               {"json", summary_only<format_sweep_json>},
                                               {"junit", summary_only<format_sweep_junit>},
                                               {"html", format_sweep_html}}};

std::string exact(const std::optional<std::int64_t>& ns) {
  return ns ? report::exact_seconds(sim::SimTime::from_ns(*ns)) : "";
}

std::string budget_kind(const models::BudgetSpec& b) {
  return b.quantile_bp ? models::quantile_name(*b.quantile_bp) + " over the runs" : "every run";
}

void text_point(const SweepSummary& s, const PointSummary& p, std::string& out) {
  out += fmt::format("  {:<30} {:>11} {:>10} {:>10} {:>10} {:>10} {:>10}\n", "milestone", "reached",
                     "min", "p50", "p90", "p99", "max");
  for (const MilestoneStats& m : p.milestones) {
    out += fmt::format("  {:<30} {:>11}", m.name, fmt::format("{}/{}", m.reached, p.runs));
    for (const auto& q : m.quantiles) out += fmt::format(" {:>10}", short_seconds(q));
    out += "\n";
  }
  for (const BudgetOutcome& b : p.budgets) {
    out += fmt::format("  budget {} {} ({}): {} = {}, {}/{} runs within", b.ok ? "ok  " : "MISS",
                       models::budget_text(b.budget), budget_kind(b.budget),
                       b.budget.quantile_bp ? models::quantile_name(*b.budget.quantile_bp) : "max",
                       short_seconds(b.measured_ns), b.passed, p.runs);
    if (!b.missed_seeds.empty()) out += "; missed by seeds " + seed_list(b.missed_seeds);
    if (!b.problem.empty()) out += "; " + b.problem;
    out += "\n";
  }
  std::size_t held = 0;
  for (const RuleOutcome& r : p.rules) {
    if (r.runs_violated == 0) {
      ++held;
      continue;
    }
    out += fmt::format("  rule VIOLATED {} in {} of {} runs ({} violations; seeds {})\n",
                       report::printable(r.rule), r.runs_violated, p.runs, r.violations,
                       seed_list(r.seeds));
  }
  out += fmt::format("  rules: {} of {} held in every run\n", held, p.rules.size());
  if (!p.not_ready_seeds.empty()) {
    out += fmt::format("  cluster.ready never reached in {} of {} runs (seeds {})\n",
                       p.not_ready_seeds.size(), p.runs, seed_list(p.not_ready_seeds));
  }
  (void)s;
}

// A CSV field in double quotes, a quote doubled (RFC 4180).
std::string csv_quote(std::string_view s) {
  std::string out = "\"";
  for (const char c : s) out += c == '"' ? std::string("\"\"") : std::string(1, c);
  return out + "\"";
}

std::string json_seconds(const std::optional<std::int64_t>& ns) {
  return ns ? report::exact_seconds(sim::SimTime::from_ns(*ns)) : "null";
}

std::string json_seeds(const std::vector<std::uint64_t>& seeds) {
  return fmt::format("[{}]", fmt::join(seeds, ", "));
}

std::string json_strings(const std::vector<std::string>& v) {
  std::vector<std::string> q;
  for (const std::string& s : v) q.push_back(report::json_string(s));
  return fmt::format("[{}]", fmt::join(q, ", "));
}

std::string json_point(const PointSummary& p) {
  std::vector<std::string> settings, items;
  for (const models::Setting& st : p.point.settings) {
    settings.push_back(
        fmt::format("{}: {}", report::json_string(st.key), report::json_string(st.value)));
  }
  std::string out =
      fmt::format("    {{\"settings\": {{{}}}, \"runs\": {},\n", fmt::join(settings, ", "), p.runs);
  for (const MilestoneStats& m : p.milestones) {
    items.push_back(
        fmt::format("{{\"name\": {}, \"reached\": {}, \"min_s\": {}, \"p50_s\": {}, \"p90_s\": {}, "
                    "\"p99_s\": {}, \"max_s\": {}}}",
                    report::json_string(m.name), m.reached, json_seconds(m.quantiles[0]),
                    json_seconds(m.quantiles[1]), json_seconds(m.quantiles[2]),
                    json_seconds(m.quantiles[3]), json_seconds(m.quantiles[4])));
  }
  out += fmt::format("     \"milestones\": [\n      {}\n     ],\n", fmt::join(items, ",\n      "));
  items.clear();
  for (const BudgetOutcome& b : p.budgets) {
    items.push_back(fmt::format(
        "{{\"budget\": {}, \"milestone\": {}, \"quantile\": {}, \"within_s\": {}, "
        "\"measured_s\": {}, \"passed\": {}, \"ok\": {}, \"missed_seeds\": {}, \"problem\": {}}}",
        report::json_string(models::budget_text(b.budget)), report::json_string(b.budget.milestone),
        report::json_string(b.budget.quantile_bp ? models::quantile_name(*b.budget.quantile_bp)
                                                 : "every run"),
        report::exact_seconds(b.budget.within), json_seconds(b.measured_ns), b.passed,
        b.ok ? "true" : "false", json_seeds(b.missed_seeds), report::json_string(b.problem)));
  }
  out += fmt::format("     \"budgets\": [{}{}],\n", items.empty() ? "" : "\n      ",
                     fmt::join(items, ",\n      "));
  items.clear();
  for (const RuleOutcome& r : p.rules) {
    items.push_back(fmt::format(
        "{{\"rule\": {}, \"runs_violated\": {}, \"violations\": {}, \"seeds\": {}}}",
        report::json_string(r.rule), r.runs_violated, r.violations, json_seeds(r.seeds)));
  }
  out += fmt::format("     \"rules\": [{}{}],\n", items.empty() ? "" : "\n      ",
                     fmt::join(items, ",\n      "));
  items.clear();
  for (const auto& [why, n] : p.ended_by)
    items.push_back(fmt::format("{}: {}", report::json_string(why), n));
  out += fmt::format("     \"not_ready_seeds\": {},\n     \"ended_by\": {{{}}}}}",
                     json_seeds(p.not_ready_seeds), fmt::join(items, ", "));
  return out;
}

struct JunitCase {
  std::string name, kind, failure, detail;
};

std::vector<JunitCase> junit_cases(const SweepSummary& s, const PointSummary& p) {
  const std::string at = p.point.settings.empty() ? "" : " [" + p.point.label() + "]";
  std::vector<JunitCase> cases;
  for (const BudgetOutcome& b : p.budgets) {
    JunitCase c{"budget " + models::budget_text(b.budget) + at, "budget", "", ""};
    if (!b.ok) {
      c.failure =
          fmt::format("{} is {} (budget {}); {} of {} runs within",
                      b.budget.quantile_bp ? models::quantile_name(*b.budget.quantile_bp) : "max",
                      seconds_or_never(b.measured_ns) + (b.measured_ns ? "s" : ""),
                      sim::format_duration(b.budget.within), b.passed, p.runs);
      if (!b.problem.empty()) c.failure += "; " + b.problem;
      c.detail = fmt::format("seeds that missed it ({}): {}\n", b.missed_seeds.size(),
                             fmt::join(b.missed_seeds, ", "));
    }
    cases.push_back(std::move(c));
  }
  for (const RuleOutcome& r : p.rules) {
    JunitCase c{"rule " + r.rule + at, "rule", "", ""};
    if (r.runs_violated > 0) {
      c.failure = fmt::format("violated in {} of {} runs ({} violations)", r.runs_violated, p.runs,
                              r.violations);
      c.detail = fmt::format("seeds: {}\n", fmt::join(r.seeds, ", "));
    }
    cases.push_back(std::move(c));
  }
  JunitCase ready{"cluster.ready reached in every run" + at, "not-ready", "", ""};
  if (!p.not_ready_seeds.empty()) {
    ready.failure = fmt::format("never reached in {} of {} runs", p.not_ready_seeds.size(), p.runs);
    ready.detail = fmt::format("seeds: {}\n", fmt::join(p.not_ready_seeds, ", "));
  }
  cases.push_back(std::move(ready));
  (void)s;
  return cases;
}

std::string xml_escape(std::string_view s) {
  std::string out;
  for (const char c : s) {
    const auto u = static_cast<unsigned char>(c);
    if (c == '&')
      out += "&amp;";
    else if (c == '<')
      out += "&lt;";
    else if (c == '>')
      out += "&gt;";
    else if (c == '"')
      out += "&quot;";
    else if (u < 0x20 && c != '\n' && c != '\t')
      out += fmt::format("\\x{:02x}", u);
    else
      out += c;
  }
  return out;
}

}  // namespace

std::span<const SweepFormat> sweep_formats() {
  return kFormats;
}

const SweepFormat* find_sweep_format(std::string_view name) {
  for (const SweepFormat& f : kFormats) {
    if (f.name == name) return &f;
  }
  return nullptr;
}

std::string sweep_format_names() {
  return "text, csv, json, junit or html";
}

std::string short_seconds(const std::optional<std::int64_t>& ns) {
  if (!ns) return "never";
  const std::int64_t ms = (*ns + 500'000) / 1'000'000;
  return fmt::format("{}.{:03}s", ms / 1000, ms % 1000);
}

std::string seconds_or_never(const std::optional<std::int64_t>& ns) {
  return ns ? report::exact_seconds(sim::SimTime::from_ns(*ns)) : "never";
}

std::string seed_list(const std::vector<std::uint64_t>& seeds, std::size_t shown) {
  std::string out;
  for (std::size_t i = 0; i < seeds.size() && i < shown; ++i) {
    out += fmt::format("{}{}", i == 0 ? "" : ", ", seeds[i]);
  }
  if (seeds.size() > shown) out += fmt::format(" and {} more", seeds.size() - shown);
  return out;
}

std::string format_sweep_text(const SweepSummary& s) {
  std::string out =
      fmt::format("bootsim sweep: scenario {}, profile {}, {} point{} x {} runs (seeds {}..{})\n",
                  report::printable(s.info.scenario), report::printable(s.info.profile),
                  s.points.size(), s.points.size() == 1 ? "" : "s", s.info.runs, s.info.first_seed,
                  s.info.first_seed + s.info.runs - 1);
  out +=
      "quantiles: nearest rank over every run of a point (a run that never reached a milestone "
      "counts as the latest; 'never': the quantile falls on such a run)\n";
  for (std::size_t i = 0; i < s.points.size(); ++i) {
    const PointSummary& p = s.points[i];
    out += fmt::format("\npoint {} of {}{}{}\n", i + 1, s.points.size(),
                       p.point.settings.empty() ? "" : ": ", report::printable(p.point.label()));
    text_point(s, p, out);
  }
  out += fmt::format("\n{}\n",
                     s.ok() ? "every budget met, no rule violated, cluster.ready in every run"
                            : "FAILED: a budget missed, a rule violated or a run never ready");
  return out;
}

std::string format_sweep_csv(const SweepSummary& s) {
  std::string out = "point";
  for (const std::string& k : s.info.vary_keys) out += "," + k;
  out += ",kind,name,runs,count,min_s,p50_s,p90_s,p99_s,max_s,measured_s,ok\n";
  for (std::size_t i = 0; i < s.points.size(); ++i) {
    const PointSummary& p = s.points[i];
    std::string lead = std::to_string(i + 1);
    // Values are --set values: a distribution has commas, so every value is quoted.
    for (const models::Setting& st : p.point.settings) lead += "," + csv_quote(st.value);
    for (const MilestoneStats& m : p.milestones) {
      out += fmt::format("{},milestone,{},{},{}", lead, m.name, p.runs, m.reached);
      for (const auto& q : m.quantiles) out += "," + exact(q);
      out += ",,\n";
    }
    for (const BudgetOutcome& b : p.budgets) {
      out += fmt::format("{},budget,{},{},{},,,,,,{},{}\n", lead,
                         csv_quote(models::budget_text(b.budget)), p.runs, b.passed,
                         exact(b.measured_ns), b.ok ? "true" : "false");
    }
    for (const RuleOutcome& r : p.rules) {
      out += fmt::format("{},rule,{},{},{},,,,,,,{}\n", lead, csv_quote(r.rule), p.runs,
                         r.runs_violated, r.runs_violated == 0 ? "true" : "false");
    }
  }
  return out;
}

std::string format_sweep_json(const SweepSummary& s) {
  std::string out = "{\n";
  out += fmt::format("  \"schema\": 1,\n  \"kind\": \"sweep\",\n  \"version\": {},\n",
                     report::json_string(s.info.version));
  out +=
      fmt::format("  \"scenario\": {},\n  \"scenario_file\": {},\n  \"profile\": {},\n",
                  report::json_string(s.info.scenario), report::json_string(s.info.scenario_file),
                  report::json_string(s.info.profile));
  out += fmt::format("  \"first_seed\": {},\n  \"runs\": {},\n", s.info.first_seed, s.info.runs);
  out += fmt::format("  \"vary\": {},\n  \"set\": {},\n  \"faults\": {},\n",
                     json_strings(s.info.vary_keys), json_strings(s.info.settings),
                     json_strings(s.info.faults));
  out +=
      "  \"quantiles\": \"nearest-rank; a run that never reached a milestone counts as the "
      "latest\",\n";
  std::vector<std::string> points;
  for (const PointSummary& p : s.points) points.push_back(json_point(p));
  out += fmt::format("  \"points\": [\n{}\n  ],\n", fmt::join(points, ",\n"));
  out += fmt::format("  \"ok\": {}\n}}\n", s.ok() ? "true" : "false");
  return out;
}

std::string format_sweep_junit(const SweepSummary& s) {
  std::vector<JunitCase> cases;
  for (const PointSummary& p : s.points) {
    for (JunitCase& c : junit_cases(s, p)) cases.push_back(std::move(c));
  }
  std::size_t failures = 0;
  for (const JunitCase& c : cases) failures += c.failure.empty() ? 0 : 1;
  char host[256] = "localhost";
  if (::gethostname(host, sizeof host - 1) != 0 || host[0] == '\0')
    std::snprintf(host, sizeof host, "localhost");
  const std::time_t now = std::time(nullptr);
  std::tm utc{};
  gmtime_r(&now, &utc);
  char stamp[32];
  std::strftime(stamp, sizeof stamp, "%Y-%m-%dT%H:%M:%S", &utc);
  const std::string cls = "bootsim.sweep." + xml_escape(s.info.scenario);
  std::string out = "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n";
  out += fmt::format(
      "<testsuite name=\"bootsim sweep {}\" timestamp=\"{}\" hostname=\"{}\" tests=\"{}\" "
      "failures=\"{}\" errors=\"0\" time=\"0\">\n  <properties>\n",
      xml_escape(s.info.scenario), stamp, xml_escape(host), cases.size(), failures);
  const auto property = [&](std::string_view name, const std::string& value) {
    out += fmt::format("    <property name=\"{}\" value=\"{}\"/>\n", name, xml_escape(value));
  };
  property("scenario_file", s.info.scenario_file);
  property("profile", s.info.profile);
  property("version", s.info.version);
  property("runs", std::to_string(s.info.runs));
  property("first_seed", std::to_string(s.info.first_seed));
  out += "  </properties>\n";
  for (const JunitCase& c : cases) {
    out += fmt::format("  <testcase name=\"{}\" classname=\"{}.{}\" time=\"0\"", xml_escape(c.name),
                       cls, c.kind);
    if (c.failure.empty()) {
      out += "/>\n";
      continue;
    }
    out += fmt::format(">\n    <failure message=\"{}\" type=\"{}\">{}</failure>\n  </testcase>\n",
                       xml_escape(c.failure), c.kind, xml_escape(c.failure + "\n" + c.detail));
  }
  out += "  <system-out/>\n  <system-err/>\n</testsuite>\n";
  return out;
}

}  // namespace bootsim::sweep
