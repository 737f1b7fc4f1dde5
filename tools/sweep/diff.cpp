// bootsim diff BASE.json NEW.json [--threshold T]: per-milestone deltas of two results, for
// regression gates. Two single runs (`bootsim run --format json`): per milestone, the time by
// which every node that reached it had (its latest first reach) and how many nodes did. Two
// sweeps (`bootsim sweep --format json`): per grid point present in both (matched by its
// settings) and milestone, p50, p90 and p99. A move beyond the threshold is flagged; exit 1
// when one is a slowdown or a milestone no longer reached (a regression), 0 otherwise, 2 on
// bad input.
#include <fmt/format.h>
#include <nlohmann/json.hpp>

#include <boost/program_options.hpp>
#include <cmath>
#include <fstream>
#include <iostream>
#include <map>
#include <optional>
#include <variant>

#include "sim/time.hpp"

#include "tools/sweep/command.hpp"

namespace bootsim::sweep {

namespace {

using nlohmann::json;
namespace po = boost::program_options;

struct Threshold {
  double relative = 0;  // a fraction of the base value
  double absolute_s = 0;
  std::string text = "0";
};

// One compared value: a quantity of a milestone in base and new (nullopt: never reached).
struct Row {
  std::string where;  // the grid point, or "" for single runs
  std::string milestone, quantity;
  std::optional<double> base, now;
};

std::optional<Threshold> parse_threshold(const std::string& text) {
  Threshold t;
  t.text = text;
  if (!text.empty() && text.back() == '%') {
    try {
      std::size_t used = 0;
      t.relative = std::stod(text.substr(0, text.size() - 1), &used) / 100;
      if (used != text.size() - 1 || !(t.relative >= 0)) return std::nullopt;
    } catch (const std::exception&) {
      return std::nullopt;
    }
    return t;
  }
  const auto d = sim::parse_duration(text);
  if (!d || d->is_infinite()) return std::nullopt;
  t.absolute_s = static_cast<double>(d->ns()) / 1e9;
  return t;
}

std::variant<json, std::string> read_json(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) return fmt::format("{}: error: cannot open the file", path);
  json j = json::parse(in, nullptr, false);
  if (j.is_discarded() || !j.is_object()) {
    return fmt::format("{}: error: not a bootsim JSON result", path);
  }
  return j;
}

// j[key] when j is an object holding it as an array (or object), else an empty one: no
// temporaries to iterate over.
const json& items_of(const json& j, const char* key, bool object = false) {
  static const json empty_array = json::array(), empty_object = json::object();
  const json& empty = object ? empty_object : empty_array;
  if (!j.is_object()) return empty;
  const auto it = j.find(key);
  if (it == j.end() || (object ? !it->is_object() : !it->is_array())) return empty;
  return *it;
}

std::string text_of(const json& j, const char* key) {
  if (!j.is_object()) return "";
  const auto it = j.find(key);
  return it != j.end() && it->is_string() ? it->get<std::string>() : "";
}

std::optional<double> number_of(const json& j, const char* key) {
  if (!j.is_object()) return std::nullopt;
  const auto it = j.find(key);
  return it != j.end() && it->is_number() ? std::optional<double>(it->get<double>()) : std::nullopt;
}

// milestone -> (latest first reach over nodes, nodes) of a single run's JSON.
std::map<std::string, std::pair<double, int>> run_milestones(const json& run) {
  std::map<std::string, std::map<std::string, double>> first;
  for (const json& m : items_of(run, "milestones")) {
    const auto t = number_of(m, "time_s");
    if (t) first[text_of(m, "name")].try_emplace(text_of(m, "node"), *t);
  }
  std::map<std::string, std::pair<double, int>> out;
  for (const auto& [name, nodes] : first) {
    double latest = 0;
    for (const auto& [node, t] : nodes) latest = std::max(latest, t);
    out[name] = {latest, static_cast<int>(nodes.size())};
  }
  return out;
}

std::vector<Row> run_rows(const json& base, const json& now) {
  const auto a = run_milestones(base), b = run_milestones(now);
  std::map<std::string, int> names;
  for (const auto& [n, v] : a) names[n];
  for (const auto& [n, v] : b) names[n];
  std::vector<Row> rows;
  for (const auto& [name, unused] : names) {
    const auto ia = a.find(name), ib = b.find(name);
    const auto t = [](const auto& it, const auto& m) {
      return it == m.end() ? std::nullopt : std::optional<double>(it->second.first);
    };
    const int na = ia == a.end() ? 0 : ia->second.second,
              nb = ib == b.end() ? 0 : ib->second.second;
    rows.push_back(Row{"", name, fmt::format("last of {}/{} nodes", na, nb), t(ia, a), t(ib, b)});
  }
  return rows;
}

std::string point_key(const json& p) {
  std::string key;
  for (const auto& [k, v] : items_of(p, "settings", true).items()) {
    key += fmt::format("{}{}={}", key.empty() ? "" : " ", k,
                       v.is_string() ? v.get<std::string>() : v.dump());
  }
  return key;
}

std::vector<Row> sweep_rows(const json& base, const json& now) {
  std::map<std::string, const json*> now_points;
  for (const json& p : items_of(now, "points")) now_points[point_key(p)] = &p;
  std::vector<Row> rows;
  for (const json& p : items_of(base, "points")) {
    const auto it = now_points.find(point_key(p));
    if (it == now_points.end()) continue;
    std::map<std::string, const json*> now_ms;
    for (const json& m : items_of(*it->second, "milestones")) now_ms[text_of(m, "name")] = &m;
    for (const json& m : items_of(p, "milestones")) {
      const auto jt = now_ms.find(text_of(m, "name"));
      for (const char* q : {"p50_s", "p90_s", "p99_s"}) {
        const std::optional<double> b = number_of(m, q);
        const std::optional<double> n =
            jt == now_ms.end() ? std::nullopt : number_of(*jt->second, q);
        rows.push_back(Row{point_key(p), text_of(m, "name"), std::string(q, 3), b, n});
      }
    }
  }
  return rows;
}

std::string show(const std::optional<double>& s) {
  return s ? fmt::format("{:.3f}s", *s) : "never";
}

// "SLOWER", "faster", or "" when within the threshold.
std::string judge(const Row& r, const Threshold& t) {
  if (!r.base && !r.now) return "";
  if (!r.now) return "SLOWER";  // no longer reached
  if (!r.base) return "faster";
  const double delta = *r.now - *r.base;
  const double allowed = std::max(t.absolute_s, t.relative * std::fabs(*r.base));
  if (std::fabs(delta) <= allowed) return "";
  return delta > 0 ? "SLOWER" : "faster";
}

int compare(const std::vector<Row>& rows, const Threshold& t, std::ostream& out) {
  out << fmt::format("  {:<30} {:<22} {:>12} {:>12} {:>12}  {}\n", "milestone", "quantity", "base",
                     "new", "delta", "beyond threshold");
  std::string where = "-";
  int slower = 0, moved = 0;
  for (const Row& r : rows) {
    const bool same = r.base == r.now;
    if (same) continue;
    if (r.where != where && !r.where.empty()) out << "point " << r.where << "\n";
    where = r.where;
    const std::string verdict = judge(r, t);
    const std::string delta = r.base && r.now ? fmt::format("{:+.3f}s", *r.now - *r.base) : "";
    out << fmt::format("  {:<30} {:<22} {:>12} {:>12} {:>12}  {}\n", r.milestone, r.quantity,
                       show(r.base), show(r.now), delta, verdict);
    moved += verdict.empty() ? 0 : 1;
    slower += verdict == "SLOWER" ? 1 : 0;
  }
  out << fmt::format("{} moved beyond the threshold ({}), {} of them slower or no longer reached\n",
                     moved, t.text, slower);
  return slower > 0 ? 1 : 0;
}

}  // namespace

int diff_command(const std::vector<std::string>& args) {
  po::options_description desc("bootsim diff BASE.json NEW.json [--threshold T]");
  std::string threshold_text = "0";
  desc.add_options()("help,h", "this help")("files", po::value<std::vector<std::string>>(), "")(
      "threshold", po::value<std::string>(&threshold_text)->default_value("0"),
      "a move that counts: a duration (2s) or a percentage of the base value (5%)");
  po::positional_options_description pos;
  pos.add("files", 2);
  po::variables_map vm;
  try {
    po::store(po::command_line_parser(args).options(desc).positional(pos).run(), vm);
    po::notify(vm);
  } catch (const po::error& e) {
    std::cerr << "bootsim: error: " << e.what() << "\n";
    return 2;
  }
  if (vm.count("help")) {
    std::cout << desc;
    return 0;
  }
  const auto files =
      vm.count("files") ? vm["files"].as<std::vector<std::string>>() : std::vector<std::string>{};
  if (files.size() != 2) {
    std::cerr << "bootsim: error: diff needs BASE.json and NEW.json\n";
    return 2;
  }
  const auto threshold = parse_threshold(threshold_text);
  if (!threshold) {
    std::cerr << "bootsim: error: --threshold: expected a duration (2s) or a percentage (5%), got '"
              << threshold_text << "'\n";
    return 2;
  }
  auto base = read_json(files[0]), now = read_json(files[1]);
  for (const auto* j : {&base, &now}) {
    if (auto* e = std::get_if<std::string>(j)) {
      std::cerr << *e << "\n";
      return 2;
    }
  }
  const json& a = std::get<json>(base);
  const json& b = std::get<json>(now);
  const bool sweep_a = text_of(a, "kind") == "sweep", sweep_b = text_of(b, "kind") == "sweep";
  if (sweep_a != sweep_b) {
    std::cerr << "bootsim: error: diff compares two single runs or two sweeps, not one of each\n";
    return 2;
  }
  std::cout << fmt::format("bootsim diff: {} against {} ({}); threshold {}\n", files[1], files[0],
                           sweep_a ? "sweeps: p50, p90, p99 per grid point" : "single runs",
                           threshold->text);
  return compare(sweep_a ? sweep_rows(a, b) : run_rows(a, b), *threshold, std::cout);
}

}  // namespace bootsim::sweep
