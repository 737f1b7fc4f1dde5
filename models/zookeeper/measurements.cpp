#include "models/zookeeper/measurements.hpp"

#include <array>
#include <charconv>
#include <cmath>
#include <fstream>
#include <set>
#include <sstream>
#include <tuple>

#include <fmt/format.h>

namespace bootsim::models {

namespace {

using U = MeasurementUse;

// The scenarios of the reference measurements (their README lists them) and the SIGSTOP
// set-up, which the reference did not measure but a user's file may hold.
constexpr std::array kScenarios{
    MeasurementScenario{"single_jvm_port_open", U::kCompared,
                        "one server alone: launch -> client port accepts"},
    MeasurementScenario{"java_version_exit", U::kNotModelled,
                        "`java -version` launch -> exit: the bare JVM, no ZooKeeper"},
    MeasurementScenario{"cold_launch_spread", U::kSetUpInput,
                        "all launched together: time the script took to fork every JVM"},
    MeasurementScenario{"cold_port_open_first", U::kCompared,
                        "all launched together: launch -> first client port open"},
    MeasurementScenario{"cold_port_open_last", U::kCompared,
                        "all launched together: launch -> last client port open"},
    MeasurementScenario{"cold_leader", U::kCompared,
                        "all launched together: launch -> the leader serving"},
    MeasurementScenario{"cold_quorum", U::kCompared,
                        "all launched together: launch -> leader + quorum serving"},
    MeasurementScenario{"cold_all", U::kCompared,
                        "all launched together: launch -> every server serving"},
    MeasurementScenario{"cold_quorum_after_majority_port_open", U::kCompared,
                        "all launched together: the majority-th client port open -> quorum"},
    MeasurementScenario{"cold_fle_log_max", U::kCompared,
                        "all launched together: largest 'LEADER ELECTION TOOK' of the servers"},
    MeasurementScenario{"stagger_quorum_from_first_launch", U::kCompared,
                        "launched 5 s apart: launch of the 1st -> quorum serving"},
    MeasurementScenario{"stagger_quorum_after_majority_launch", U::kCompared,
                        "launched 5 s apart: launch of the majority-th -> quorum serving"},
    MeasurementScenario{"stagger_last_serving_after_last_launch", U::kCompared,
                        "launched 5 s apart: launch of the last -> it serves"},
    MeasurementScenario{"failover_leader", U::kCompared,
                        "leader kill -9 (host alive) -> a new leader serving"},
    MeasurementScenario{"failover_quorum", U::kCompared,
                        "leader kill -9 (host alive) -> new leader + quorum serving"},
    MeasurementScenario{"failover_all_survivors", U::kCompared,
                        "leader kill -9 (host alive) -> every survivor serving again"},
    MeasurementScenario{"failover_fle_log_max", U::kCompared,
                        "leader kill -9: largest 'LEADER ELECTION TOOK' of the survivors"},
    MeasurementScenario{"pause_leader", U::kCompared, "leader SIGSTOP -> a new leader serving"},
    MeasurementScenario{"pause_quorum", U::kCompared,
                        "leader SIGSTOP -> new leader + quorum serving"},
    MeasurementScenario{"pause_all_survivors", U::kCompared,
                        "leader SIGSTOP -> every other server serving again"},
};

constexpr std::string_view kHeader = "ensemble_size,tick_ms,scenario,trial,seconds";

struct Field {
  std::string_view text;
  int column = 0;  // 1-based
};

std::vector<Field> split(std::string_view line) {
  std::vector<Field> fields;
  std::size_t start = 0;
  while (true) {
    const std::size_t comma = line.find(',', start);
    const std::size_t end = comma == std::string_view::npos ? line.size() : comma;
    fields.push_back({line.substr(start, end - start), static_cast<int>(start) + 1});
    if (comma == std::string_view::npos) return fields;
    start = comma + 1;
  }
}

std::optional<std::string> parse_int(const Field& f, std::string_view what, int min, int max,
                                     int& out) {
  long long v = 0;
  const auto [ptr, ec] = std::from_chars(f.text.data(), f.text.data() + f.text.size(), v);
  if (f.text.empty() || ec != std::errc() || ptr != f.text.data() + f.text.size()) {
    return fmt::format("{}: expected an integer, got {}", what, in_quotes(f.text));
  }
  if (v < min || v > max) {
    return fmt::format("{} must be between {} and {}, got {}", what, min, max, v);
  }
  out = static_cast<int>(v);
  return std::nullopt;
}

std::optional<std::string> parse_seconds(const Field& f, double& out) {
  double v = 0;
  const auto [ptr, ec] =
      std::from_chars(f.text.data(), f.text.data() + f.text.size(), v, std::chars_format::fixed);
  if (f.text.empty() || ec != std::errc() || ptr != f.text.data() + f.text.size()) {
    return fmt::format("seconds: expected a decimal number such as 1.234, got {}",
                       in_quotes(f.text));
  }
  if (!std::isfinite(v) || v < 0 || v > 1e6) {
    return fmt::format("seconds must be between 0 and 1000000, got {}", in_quotes(f.text));
  }
  out = v;
  return std::nullopt;
}

std::optional<std::string> parse_scenario(const Field& f, std::string& out) {
  if (find_measurement_scenario(f.text) == nullptr) {
    std::vector<std::string_view> names;
    for (const auto& s : kScenarios) names.push_back(s.name);
    return fmt::format("unknown scenario {}{}", in_quotes(f.text), did_you_mean(f.text, names));
  }
  out = std::string(f.text);
  return std::nullopt;
}

// Parses one data line into `m`; on error returns the message and sets `column`.
std::optional<std::string> parse_row(std::string_view line, Measurement& m, int& column) {
  const std::vector<Field> f = split(line);
  if (f.size() != 5) {
    column = f.size() > 5 ? f[5].column : static_cast<int>(line.size()) + 1;
    return fmt::format("expected 5 fields ({}), got {}", kHeader, f.size());
  }
  std::optional<std::string> e;
  const auto at = [&](int i) {
    column = f[static_cast<std::size_t>(i)].column;
    return true;
  };
  if (at(0) && (e = parse_int(f[0], "ensemble_size", 1, kMaxEnsembleSize, m.ensemble_size))) {
    return e;
  }
  if (at(1) && (e = parse_int(f[1], "tick_ms", 0, 3'600'000, m.tick_ms))) return e;
  if (m.tick_ms == 0 && m.ensemble_size > 1) {
    return "tick_ms must be positive for an ensemble of more than one server (0 means not "
           "applicable: one server alone)";
  }
  if (at(2) && (e = parse_scenario(f[2], m.scenario))) return e;
  if (at(3) && (e = parse_int(f[3], "trial", 1, 1'000'000, m.trial))) return e;
  if (at(4) && (e = parse_seconds(f[4], m.seconds))) return e;
  return std::nullopt;
}

}  // namespace

std::span<const MeasurementScenario> measurement_scenarios() {
  return kScenarios;
}

const MeasurementScenario* find_measurement_scenario(std::string_view name) {
  for (const auto& s : kScenarios) {
    if (s.name == name) return &s;
  }
  return nullptr;
}

std::variant<std::vector<Measurement>, InputError> parse_measurements(std::string_view text,
                                                                      const std::string& file) {
  std::vector<Measurement> rows;
  std::set<std::tuple<int, int, std::string, int>> seen;
  bool header = false;
  int line_no = 0;
  std::size_t pos = 0;
  while (pos < text.size()) {
    const std::size_t nl = text.find('\n', pos);
    std::string_view line = text.substr(pos, nl == std::string_view::npos ? text.npos : nl - pos);
    pos = nl == std::string_view::npos ? text.size() : nl + 1;
    ++line_no;
    if (!line.empty() && line.back() == '\r') line.remove_suffix(1);
    if (line.empty() || line.front() == '#') continue;
    if (!header) {
      if (line != kHeader) {
        return InputError{
            {file, line_no, 1},
            fmt::format("expected the header line '{}', got {}", kHeader, in_quotes(line))};
      }
      header = true;
      continue;
    }
    Measurement m;
    int column = 1;
    if (auto e = parse_row(line, m, column)) return InputError{{file, line_no, column}, *e};
    m.where = {file, line_no, 1};
    if (!seen.emplace(m.ensemble_size, m.tick_ms, m.scenario, m.trial).second) {
      return InputError{{file, line_no, split(line)[3].column},
                        fmt::format("trial {} of {} (ensemble {}, tick {} ms) is given twice",
                                    m.trial, m.scenario, m.ensemble_size, m.tick_ms)};
    }
    rows.push_back(std::move(m));
  }
  if (!header) return InputError{{file, 0, 0}, fmt::format("no header line '{}'", kHeader)};
  if (rows.empty()) return InputError{{file, 0, 0}, "no measurements after the header"};
  return rows;
}

std::variant<std::vector<Measurement>, InputError> read_measurements(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) return InputError{{path, 0, 0}, "cannot open the file"};
  std::ostringstream text;
  text << in.rdbuf();
  if (in.bad()) return InputError{{path, 0, 0}, "cannot read the file"};
  return parse_measurements(text.str(), path);
}

}  // namespace bootsim::models
