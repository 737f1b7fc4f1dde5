// bootsim sensitivity SCENARIO --runs N [--milestone M] [--delta P%] [--format text|html]
// [--out FILE]: which knob moves a milestone most. Each numeric parameter (durations, integers,
// probabilities above 0, distributions scaled as a whole) and each unit's start distribution and
// RestartSec is set to its scenario value x (1 - P) and x (1 + P), N runs each on the same seeds
// as the baseline; parameters are ranked by the swing of M's p50 between the two (then p99's): a
// tornado table on standard output and, with --out, the chart as SVG; with --format html, one
// page holding the chart and the table goes to --out (the table still on standard output) or,
// without --out, to standard output alone. cluster.masters is left out: DC/OS accepts only 1,
// 3, 5, 7 or 9 masters (sweep it with --vary). A side the parameter table refuses (an integer
// that would round to 0 where 0 is not allowed) is left out and shown as "-".
#include <fmt/format.h>
#include <unistd.h>

#include <algorithm>
#include <array>
#include <boost/program_options.hpp>
#include <charconv>
#include <cmath>
#include <iostream>
#include <limits>
#include <memory>
#include <thread>

#include "models/core/milestones.hpp"
#include "models/core/zone_keys.hpp"
#include "tools/output.hpp"
#include "tools/report/report.hpp"
#include "tools/sweep/command.hpp"
#include "tools/sweep/formats.hpp"
#include "tools/sweep/runner.hpp"
#include "tools/sweep/summary.hpp"

namespace bootsim::sweep {

namespace {

namespace po = boost::program_options;

struct Candidate {
  std::string key;
  std::string base, low, high;  // values as --set takes them; empty: that side left out
};

struct Row {
  Candidate c;
  std::optional<std::int64_t> p50[2], p99[2];  // low, high
  double swing50 = 0, swing99 = 0;             // seconds; infinity when one side never reached
};

sim::SimTime scaled(sim::SimTime t, int percent) {
  return sim::SimTime::from_ns(t.ns() / 100 * (100 + percent) +
                               t.ns() % 100 * (100 + percent) / 100);
}

std::string scale_distribution(const sim::Distribution& d, int pct) {
  using D = sim::Distribution;
  const auto s = [&](sim::SimTime t) { return scaled(t, pct); };
  return std::visit(
      [&](const auto& f) -> std::string {
        using F = std::decay_t<decltype(f)>;
        if constexpr (std::is_same_v<F, D::Constant>) return D::constant(s(f.value)).to_string();
        if constexpr (std::is_same_v<F, D::Uniform>)
          return D::uniform(s(f.lo), s(f.hi)).to_string();
        if constexpr (std::is_same_v<F, D::Normal>)
          return D::normal(s(f.mean), s(f.sd)).to_string();
        if constexpr (std::is_same_v<F, D::LogNormal>) {
          return D::lognormal(s(f.median), s(f.p99)).to_string();
        }
        if constexpr (std::is_same_v<F, D::Exponential>)
          return D::exponential(s(f.mean)).to_string();
        if constexpr (std::is_same_v<F, D::Empirical>) {
          std::vector<sim::SimTime> v;
          for (const sim::SimTime x : f.samples) v.push_back(s(x));
          return D::empirical(std::move(v)).to_string();
        }
      },
      d.form());
}

// The value of `key` scaled by (100 + pct) %, or "" when it cannot move (zero, or refused).
std::string scaled_value(const models::Parameters& params, const models::ParamSpec& p, int pct) {
  const std::string text = params.text(p.key).value_or("");
  std::string out;
  switch (p.type) {
    case models::ParamType::kDuration:
      out = sim::format_duration(scaled(params.duration(p.key), pct));
      break;
    case models::ParamType::kInteger: {
      const std::int64_t v = params.integer(p.key);
      std::int64_t w = (v * (100 + pct) + (pct < 0 ? 0 : 99)) / 100;  // away from v
      if (w == v) w += pct < 0 ? -1 : 1;
      out = std::to_string(w);
      break;
    }
    case models::ParamType::kProbability:
      out = fmt::format("{}", std::min(1.0, params.probability(p.key) * (100 + pct) / 100.0));
      break;
    case models::ParamType::kDistribution:
      out = scale_distribution(params.distribution(p.key), pct);
      break;
  }
  models::Parameters check = params;
  std::string error;
  if (out == text || !check.set(p.key, out, error)) return "";
  return out;
}

std::vector<Candidate> candidates(const models::PreparedRun& base, int pct) {
  std::vector<Candidate> out;
  for (const models::ParamSpec& p : models::parameter_table()) {
    if (p.key == "cluster.masters") continue;
    Candidate c{std::string(p.key), base.params.text(p.key).value_or(""),
                scaled_value(base.params, p, -pct), scaled_value(base.params, p, pct)};
    if (!c.low.empty() || !c.high.empty()) out.push_back(std::move(c));
  }
  // A zoned scenario's zone sizes and latencies, as far as it sets them.
  for (const auto& entry : base.params.overrides()) {
    // Named references, not structured bindings: lambdas cannot capture those before Clang 16.
    const std::string& key = entry.first;
    const std::string& text = entry.second;
    const auto zone_key = models::parse_zone_key(key);
    if (!zone_key) continue;
    const auto valid = [&](const std::string& value) {
      models::Parameters check = base.params;
      std::string error;
      return check.set(key, value, error) ? value : std::string();
    };
    const auto scale = [&](int by) {
      if (!zone_key->is_count()) {
        return valid(scale_distribution(*base.params.zone_latency(key), by));
      }
      const std::int64_t v = *base.params.zone_count(key);
      const std::int64_t w = (v * (100 + by) + (by < 0 ? 0 : 99)) / 100;
      return w == v || w < 0 ? std::string() : valid(std::to_string(w));
    };
    out.push_back(Candidate{key, text, scale(-pct), scale(pct)});
  }
  for (const models::UnitDef& u : base.profile.units) {
    if (u.type != models::UnitType::kService) continue;
    const auto valid = [&](const std::string& key, std::string value) {
      models::Parameters check = base.params;
      std::string error;
      return check.set(key, value, error) ? value : std::string();
    };
    const std::string start = "units." + u.name + ".start";
    const std::string restart = "units." + u.name + ".restart_sec";
    out.push_back(Candidate{start, u.start.to_string(),
                            valid(start, scale_distribution(u.start, -pct)),
                            valid(start, scale_distribution(u.start, pct))});
    out.push_back(Candidate{restart, sim::format_duration(u.restart_sec),
                            valid(restart, sim::format_duration(scaled(u.restart_sec, -pct))),
                            valid(restart, sim::format_duration(scaled(u.restart_sec, pct)))});
  }
  return out;
}

struct Request {
  std::string scenario, milestone = "cluster.ready", out = "-", format = "text";
  std::size_t runs = 0, jobs = 1, top = 15;
  int pct = 20;
  std::optional<std::uint64_t> seed;
  std::vector<std::string> set;
};

template <typename T>
std::optional<T> number(const std::string& s) {
  T v{};
  const auto [p, ec] = std::from_chars(s.data(), s.data() + s.size(), v);
  if (s.empty() || ec != std::errc() || p != s.data() + s.size()) return std::nullopt;
  return v;
}

int usage(const std::string& message) {
  std::cerr << "bootsim: error: " << message << "\n";
  return 2;
}

std::variant<Request, int> read_request(const std::vector<std::string>& args) {
  po::options_description d("bootsim sensitivity SCENARIO --runs N [options]");
  d.add_options()("help,h", "this help")("scenario", po::value<std::string>(), "scenario file")(
      "runs", po::value<std::string>(), "runs (seeds) per parameter value")(
      "milestone", po::value<std::string>()->default_value("cluster.ready"), "the milestone")(
      "delta", po::value<std::string>()->default_value("20%"), "the change, e.g. 20%")(
      "jobs", po::value<std::string>(), "threads (default: the machine's processors)")(
      "seed", po::value<std::string>(), "the first seed (default: the scenario's)")(
      "set", po::value<std::vector<std::string>>()->composing(), "key=value for every run")(
      "top", po::value<std::string>()->default_value("15"), "parameters in the chart")(
      "format", po::value<std::string>()->default_value("text"),
      "text (the table; --out gets the chart as SVG) or html (one page: chart and table)")(
      "out", po::value<std::string>()->default_value("-"), "the chart (SVG) or the html page");
  po::positional_options_description pos;
  pos.add("scenario", 1);
  po::variables_map vm;
  try {
    po::store(po::command_line_parser(args).options(d).positional(pos).run(), vm);
    po::notify(vm);
  } catch (const po::error& e) {
    return usage(e.what());
  }
  if (vm.count("help")) {
    std::cout << d;
    return 0;
  }
  if (!vm.count("scenario")) return usage("missing SCENARIO");
  if (!vm.count("runs")) return usage("missing --runs");
  Request r;
  r.scenario = vm["scenario"].as<std::string>();
  const auto runs = number<std::size_t>(vm["runs"].as<std::string>());
  if (!runs || *runs == 0 || *runs > 1'000'000) return usage("--runs: expected 1 to 1000000");
  r.runs = *runs;
  r.milestone = vm["milestone"].as<std::string>();
  if (!models::is_milestone(r.milestone))
    return usage("--milestone: no milestone '" + r.milestone + "'");
  std::string delta = vm["delta"].as<std::string>();
  if (!delta.empty() && delta.back() == '%') delta.pop_back();
  const auto pct = number<int>(delta);
  if (!pct || *pct <= 0 || *pct >= 100)
    return usage("--delta: expected a percentage from 1% to 99%");
  r.pct = *pct;
  r.jobs = std::max(1u, std::thread::hardware_concurrency());
  if (vm.count("jobs")) {
    const auto j = number<std::size_t>(vm["jobs"].as<std::string>());
    if (!j || *j == 0 || *j > 1024) return usage("--jobs: expected 1 to 1024");
    r.jobs = *j;
  }
  if (vm.count("seed")) {
    r.seed = number<std::uint64_t>(vm["seed"].as<std::string>());
    if (!r.seed) return usage("--seed: expected an integer from 0 to 18446744073709551615");
  }
  const auto top = number<std::size_t>(vm["top"].as<std::string>());
  if (!top || *top == 0) return usage("--top: expected a positive integer");
  r.top = *top;
  if (vm.count("set")) r.set = vm["set"].as<std::vector<std::string>>();
  r.out = vm["out"].as<std::string>();
  r.format = vm["format"].as<std::string>();
  if (r.format != "text" && r.format != "html")
    return usage("--format must be text or html, got '" + r.format + "'");
  return r;
}

double seconds(const std::optional<std::int64_t>& ns) {
  return ns ? static_cast<double>(*ns) / 1e9 : std::numeric_limits<double>::infinity();
}

// |a - b| in seconds, infinity when exactly one is never; 0 when both are.
double swing(const std::optional<std::int64_t>& a, const std::optional<std::int64_t>& b) {
  if (!a && !b) return 0;
  return std::fabs(seconds(a) - seconds(b));
}

std::string table(const Request& r, const std::string& scenario, const std::vector<Row>& rows,
                  const std::optional<std::int64_t> base[2], std::uint64_t first_seed) {
  std::string out = fmt::format(
      "bootsim sensitivity: scenario {}, milestone {}, each parameter -{}% and +{}%, {} runs per "
      "value (seeds {}..{}); nearest-rank quantiles\nbaseline: p50 {}s, p99 {}s\n\n",
      scenario, r.milestone, r.pct, r.pct, r.runs, first_seed, first_seed + r.runs - 1,
      seconds_or_never(base[0]), seconds_or_never(base[1]));
  out +=
      fmt::format("{:>4}  {:<44} {:>9} {:>9} {:>9}  {:>9} {:>9} {:>9}  {}\n", "rank", "parameter",
                  "p50 -", "p50 +", "swing", "p99 -", "p99 +", "swing", "values (-, base, +)");
  const auto sec = [](const std::optional<std::int64_t>& ns) {
    return ns ? fmt::format("{:.3f}", static_cast<double>(*ns) / 1e9) : std::string("never");
  };
  for (std::size_t i = 0; i < rows.size(); ++i) {
    const Row& w = rows[i];
    out += fmt::format(
        "{:>4}  {:<44} {:>9} {:>9} {:>9.3f}  {:>9} {:>9} {:>9.3f}  {}, {}, {}\n", i + 1, w.c.key,
        w.c.low.empty() ? "-" : sec(w.p50[0]), w.c.high.empty() ? "-" : sec(w.p50[1]), w.swing50,
        w.c.low.empty() ? "-" : sec(w.p99[0]), w.c.high.empty() ? "-" : sec(w.p99[1]), w.swing99,
        w.c.low.empty() ? "-" : w.c.low, w.c.base, w.c.high.empty() ? "-" : w.c.high);
  }
  return out;
}

// The tornado chart: for the `top` first rows, a bar from the baseline p50 to the p50 at -P%
// (blue) and to the p50 at +P% (orange); a side never reached runs to the right edge.
std::string svg(const Request& r, const std::string& scenario, const std::vector<Row>& rows,
                std::optional<std::int64_t> base) {
  const std::size_t n = std::min(r.top, rows.size());
  const double left = 330, width = 460, row_h = 22, top = 58;
  double lo = seconds(base), hi = seconds(base);
  for (std::size_t i = 0; i < n; ++i) {
    for (int side = 0; side < 2; ++side) {
      if (rows[i].p50[side]) {
        lo = std::min(lo, seconds(rows[i].p50[side]));
        hi = std::max(hi, seconds(rows[i].p50[side]));
      }
    }
  }
  const double pad = std::max(1.0, (hi - lo) * 0.05);
  lo -= pad;
  hi += pad;
  const auto x = [&](const std::optional<std::int64_t>& ns) {
    return ns ? left + (seconds(ns) - lo) / (hi - lo) * width : left + width;
  };
  const double height = top + static_cast<double>(n) * row_h + 40;
  std::string out = fmt::format(
      "<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"820\" height=\"{:.0f}\" "
      "font-family=\"sans-serif\" font-size=\"12\">\n<rect width=\"820\" height=\"{:.0f}\" "
      "fill=\"white\"/>\n<text x=\"10\" y=\"20\" font-size=\"14\" font-weight=\"bold\">{}: p50 of "
      "{} "
      "with each parameter -{}% (blue) and +{}% (orange)</text>\n<text x=\"10\" y=\"38\">{} runs "
      "per "
      "value; baseline p50 {}s (line)</text>\n",
      height, height, report::xml_escape(scenario), r.milestone, r.pct, r.pct, r.runs,
      seconds_or_never(base));
  for (std::size_t i = 0; i < n; ++i) {
    const double y = top + static_cast<double>(i) * row_h;
    out += fmt::format("<text x=\"{:.0f}\" y=\"{:.1f}\" text-anchor=\"end\">{}</text>\n", left - 6,
                       y + 15, report::xml_escape(rows[i].c.key));
    const char* colors[2] = {"#4878d0", "#ee854a"};
    for (int side = 0; side < 2; ++side) {
      if ((side == 0 ? rows[i].c.low : rows[i].c.high).empty()) continue;
      const double a = x(base), b = x(rows[i].p50[side]);
      out += fmt::format(
          "<rect x=\"{:.1f}\" y=\"{:.1f}\" width=\"{:.1f}\" height=\"{:.1f}\" fill=\"{}\"/>\n",
          std::min(a, b), y + 4 + side * 7.0, std::max(1.0, std::fabs(b - a)), 7.0, colors[side]);
    }
  }
  const double bottom = top + static_cast<double>(n) * row_h;
  out += fmt::format(
      "<line x1=\"{0:.1f}\" y1=\"{1:.0f}\" x2=\"{0:.1f}\" y2=\"{2:.0f}\" stroke=\"black\"/>\n",
      x(base), top - 4, bottom + 4);
  out += fmt::format(
      "<line x1=\"{:.0f}\" y1=\"{:.0f}\" x2=\"{:.0f}\" y2=\"{:.0f}\" stroke=\"#888\"/>\n", left,
      bottom + 6, left + width, bottom + 6);
  for (int t = 0; t <= 4; ++t) {
    const double v = lo + (hi - lo) * t / 4;
    out += fmt::format("<text x=\"{:.1f}\" y=\"{:.0f}\" text-anchor=\"middle\">{:.1f}s</text>\n",
                       left + width * t / 4, bottom + 22, v);
  }
  return out + "</svg>\n";
}

struct Study {
  std::unique_ptr<models::Scenario> scenario;
  std::vector<Candidate> candidates;
  std::vector<models::PreparedRun> points;  // baseline, then each candidate's low and high
  std::vector<std::array<std::optional<std::size_t>, 2>> point_of;  // candidate -> low, high
};

std::variant<Study, int> build_study(const Request& r) {
  Study st;
  auto loaded = models::load_scenario_file(r.scenario);
  if (auto* e = std::get_if<models::InputError>(&loaded)) {
    std::cerr << e->format() << "\n";
    return 2;
  }
  st.scenario = std::make_unique<models::Scenario>(std::get<models::Scenario>(std::move(loaded)));
  models::RunOptions common;
  common.trace_level = sim::TraceLevel::kNone;  // only milestone times are compared
  for (const std::string& kv : r.set) {
    const auto eq = kv.find('=');
    if (eq == std::string::npos || eq == 0)
      return usage("--set expects key=value, got '" + kv + "'");
    common.settings.push_back(models::Setting{kv.substr(0, eq), kv.substr(eq + 1), {}});
  }
  const auto prepare =
      [&](const std::vector<models::Setting>& extra) -> std::optional<models::PreparedRun> {
    models::RunOptions o = common;
    o.settings.insert(o.settings.end(), extra.begin(), extra.end());
    auto p = models::prepare_run(*st.scenario, o);
    if (auto* e = std::get_if<models::InputError>(&p)) {
      if (extra.empty()) std::cerr << e->format() << "\n";
      return std::nullopt;
    }
    return std::get<models::PreparedRun>(std::move(p));
  };
  auto base = prepare({});
  if (!base) return 2;
  st.points.push_back(std::move(*base));
  st.candidates = candidates(st.points.front(), r.pct);
  for (const Candidate& c : st.candidates) {
    std::array<std::optional<std::size_t>, 2> at;
    for (int side = 0; side < 2; ++side) {
      const std::string& v = side == 0 ? c.low : c.high;
      if (v.empty()) continue;
      if (auto p = prepare({models::Setting{c.key, v, {}}})) {
        at[static_cast<std::size_t>(side)] = st.points.size();
        st.points.push_back(std::move(*p));
      }
    }
    st.point_of.push_back(at);
  }
  return st;
}

// The table on standard output and the chart to --out; or, --format html, the page to --out
// (the table alone on standard output when the page goes to a file).
int write_outputs(const Request& r, const tools::OutputTarget& out, const std::string& table,
                  const std::string& chart, const std::string& scenario) {
  std::string written = chart;
  if (r.format == "html") {
    written = format_sensitivity_html(
        fmt::format("bootsim sensitivity: {}, {}", scenario, r.milestone), chart, table);
    if (r.out == "-") {
      std::cout << written;
      return 0;
    }
  }
  std::cout << table;
  if (r.out == "-") return 0;
  if (auto e = out.write(written)) return usage(*e);
  return 0;
}

}  // namespace

int sensitivity_command(const std::vector<std::string>& args) {
  auto req = read_request(args);
  if (auto* rc = std::get_if<int>(&req)) return *rc;
  const Request& r = std::get<Request>(req);
  auto out = tools::OutputTarget::prepare(r.out);
  if (auto* e = std::get_if<std::string>(&out)) return usage(*e);
  auto built = build_study(r);
  if (auto* rc = std::get_if<int>(&built)) return *rc;
  Study& st = std::get<Study>(built);
  const std::uint64_t first_seed = r.seed.value_or(st.scenario->seed);
  const Runner runner(st.points, r.runs, first_seed);
  std::vector<std::optional<RunRecord>> records(runner.total());
  std::vector<std::uint64_t> all(runner.total());
  for (std::uint64_t i = 0; i < all.size(); ++i) all[i] = i;
  const RunnerStatus status =
      runner.run(all, RunnerOptions{r.jobs, nullptr, ::isatty(STDERR_FILENO) == 1}, records);
  if (!status.error.empty()) return usage(status.error);
  if (status.signal != 0) return 128 + status.signal;
  const auto names = models::milestone_names();
  const auto m =
      static_cast<std::size_t>(std::find(names.begin(), names.end(), r.milestone) - names.begin());
  const auto quantiles = [&](std::size_t point) {
    std::vector<std::optional<std::int64_t>> t;
    for (std::size_t k = 0; k < r.runs; ++k) t.push_back(records[point * r.runs + k]->times_ns[m]);
    std::sort(t.begin(), t.end(), [](const auto& a, const auto& b) {
      return a && b ? *a < *b : a.has_value() && !b.has_value();
    });
    return std::array<std::optional<std::int64_t>, 2>{nearest_rank(t, 5'000),
                                                      nearest_rank(t, 9'900)};
  };
  const auto base = quantiles(0);
  std::vector<Row> rows;
  for (std::size_t i = 0; i < st.candidates.size(); ++i) {
    Row w{st.candidates[i], {base[0], base[0]}, {base[1], base[1]}, 0, 0};
    for (std::size_t side = 0; side < 2; ++side) {
      if (!st.point_of[i][side]) {
        (side == 0 ? w.c.low : w.c.high).clear();
        continue;
      }
      const auto q = quantiles(*st.point_of[i][side]);
      w.p50[side] = q[0];
      w.p99[side] = q[1];
    }
    w.swing50 = swing(w.p50[0], w.p50[1]);
    w.swing99 = swing(w.p99[0], w.p99[1]);
    rows.push_back(std::move(w));
  }
  // Largest p50 swing first, then p99's, then by name: a total order, the same on every run.
  std::stable_sort(rows.begin(), rows.end(), [](const Row& a, const Row& b) {
    if (a.swing50 != b.swing50) return a.swing50 > b.swing50;
    if (a.swing99 != b.swing99) return a.swing99 > b.swing99;
    return a.c.key < b.c.key;
  });
  return write_outputs(r, std::get<tools::OutputTarget>(out),
                       table(r, st.scenario->name, rows, base.data(), first_seed),
                       svg(r, st.scenario->name, rows, base[0]), st.scenario->name);
}

}  // namespace bootsim::sweep
