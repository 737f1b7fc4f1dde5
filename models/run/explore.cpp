#include "models/run/explore.hpp"

#include <fmt/format.h>
#include <fmt/ranges.h>

#include <algorithm>
#include <cassert>
#include <map>
#include <optional>
#include <set>
#include <thread>

namespace bootsim::models {

namespace {

std::vector<std::string_view> split(std::string_view s, char sep) {
  std::vector<std::string_view> out;
  std::size_t start = 0;
  while (true) {
    const std::size_t at = s.find(sep, start);
    out.push_back(
        s.substr(start, at == std::string_view::npos ? std::string_view::npos : at - start));
    if (at == std::string_view::npos) return out;
    start = at + 1;
  }
}

std::optional<std::string> budget_word(FaultBudget& b, std::string_view key,
                                       std::string_view value) {
  if (key == "max") {
    if (value.size() != 1 || value[0] < '1' || value[0] > '9') {
      return fmt::format("max: expected 1 to 9 faults, got '{}'", value);
    }
    b.max_faults = value[0] - '0';
  } else if (key == "kinds") {
    b.kinds.clear();
    for (const std::string_view k : split(value, ',')) {
      const auto names = fault_kind_names();
      const auto it = std::find(names.begin(), names.end(), k);
      const bool drawable =
          k == "crash" || k == "pause" || k == "partition" || k == "zk-session-expiry";
      if (it == names.end() || !drawable) {
        return fmt::format(
            "kinds: '{}' cannot be drawn (crash, pause, partition or zk-session-expiry)", k);
      }
      b.kinds.push_back(static_cast<FaultKind>(it - names.begin()));
    }
  } else if (key == "targets") {
    b.targets.clear();
    for (const std::string_view t : split(value, ',')) {
      if (!is_fault_target_role(t) && !parse_node_name(t)) {
        return fmt::format("targets: '{}' is not a node or role", t);
      }
      b.targets.emplace_back(t);
    }
  } else if (key == "window" || key == "max_duration") {
    const auto d = sim::parse_duration(value);
    if (!d || *d < sim::seconds(1) || *d > sim::hours(24)) {
      return fmt::format("{}: expected a duration from 1s to 24h, got '{}'", key, value);
    }
    (key == "window" ? b.window : b.max_duration) = *d;
  } else if (key == "undo") {
    if (value != "yes" && value != "no") return fmt::format("undo: expected yes or no");
    b.undo = value == "yes";
  } else {
    return fmt::format("unknown word '{}' (max, kinds, targets, window, max_duration, undo)", key);
  }
  return std::nullopt;
}

FaultSpec parsed(const std::string& line) {
  auto f = parse_fault_line(line, SourceLocation{});
  assert(std::holds_alternative<FaultSpec>(f) && "explore builds only valid faults");
  return std::get<FaultSpec>(std::move(f));
}

// One random fault of the budget.
FaultSpec draw_fault(sim::RandomStream& rng, const FaultBudget& b) {
  const FaultKind kind = b.kinds[rng.uniform_index(b.kinds.size())];
  const std::string& target = b.targets[rng.uniform_index(b.targets.size())];
  const auto window_s = static_cast<std::uint64_t>(b.window.ns() / 1'000'000'000);
  const auto at =
      static_cast<std::int64_t>(rng.uniform_index(std::max<std::uint64_t>(window_s, 1)));
  const auto max_s = static_cast<std::uint64_t>(b.max_duration.ns() / 1'000'000'000);
  const auto undo_s =
      1 + static_cast<std::int64_t>(rng.uniform_index(std::max<std::uint64_t>(max_s, 1)));
  const std::string undo = fmt::format("{}s", undo_s);
  std::string line;
  if (kind == FaultKind::kPartition) {
    line = fmt::format("kind=partition groups={}|rest at={}s", target, at);
    if (b.undo) line += " heal_after=" + undo;
  } else if (kind == FaultKind::kPause) {
    const char* unit = rng.uniform_index(2) == 0 ? "mesos-master" : "zookeeper";
    line = fmt::format("kind=pause target={}/{} at={}s", target, unit, at);
    if (b.undo) line += " resume_after=" + undo;
  } else if (kind == FaultKind::kZkSessionExpiry) {
    // The Mesos master's sessions (contender and detector); nothing to undo.
    line = fmt::format("kind=zk-session-expiry target={}/mesos-master at={}s", target, at);
  } else {
    line = fmt::format("kind=crash target={} at={}s", target, at);
    if (b.undo) line += " restart_after=" + undo;
  }
  return parsed(line);
}

// The rules a run violated, each with its first violation's detail.
std::map<std::string, std::string> violated(const RunResult& r) {
  std::map<std::string, std::string> out;
  for (const Violation& v : r.violations) out.emplace(v.rule, v.detail);
  return out;
}

struct Runner {
  const Scenario& scenario;
  const RunOptions& base;
  // The rules `schedule` violates (an input error, which explore's faults cannot cause, counts
  // as none).
  std::map<std::string, std::string> rules(const std::vector<FaultSpec>& schedule) const {
    RunOptions o = base;
    o.trace_level = sim::TraceLevel::kNone;  // only the violations are read
    o.faults.insert(o.faults.end(), schedule.begin(), schedule.end());
    auto r = run_scenario(scenario, o);
    if (!std::holds_alternative<RunResult>(r)) return {};
    return violated(std::get<RunResult>(r));
  }
};

// Simpler variants of one fault: rounder, earlier times and undo delays; fewer group members.
std::vector<FaultSpec> simpler(const FaultSpec& f) {
  std::vector<FaultSpec> out;
  const auto with = [&](auto change) {
    FaultSpec g = f;
    change(g);
    g = parsed(format_fault(g));
    if (g.text != f.text) out.push_back(g);
  };
  for (std::size_t gi = 0; gi < f.groups.size(); ++gi) {
    for (std::size_t m = 0; f.groups[gi].size() > 1 && m < f.groups[gi].size(); ++m) {
      with([&](FaultSpec& g) { g.groups[gi].erase(g.groups[gi].begin() + static_cast<long>(m)); });
    }
  }
  const auto rounder = [](sim::SimTime t) {
    std::vector<sim::SimTime> c{sim::SimTime::zero(), sim::seconds(t.ns() / 10'000'000'000 * 10),
                                sim::seconds(t.ns() / 1'000'000'000)};
    std::erase_if(c, [&](sim::SimTime x) { return x >= t; });
    return c;
  };
  if (f.at.absolute) {
    for (const sim::SimTime t : rounder(*f.at.absolute))
      with([&](FaultSpec& g) { g.at.absolute = t; });
  }
  for (auto slot : {&FaultSpec::restart_after, &FaultSpec::resume_after, &FaultSpec::heal_after}) {
    if (!(f.*slot)) continue;
    for (const sim::SimTime t : rounder(*(f.*slot))) {
      if (t > sim::SimTime::zero()) with([&](FaultSpec& g) { g.*slot = t; });
    }
  }
  return out;
}

// Shrinks `schedule` while it still violates `rule`; counts the runs in `runs`.
std::vector<FaultSpec> shrink(const Runner& runner, std::vector<FaultSpec> schedule,
                              const std::string& rule, int max_runs, int& runs) {
  const auto still = [&](const std::vector<FaultSpec>& s) {
    ++runs;
    return runner.rules(s).count(rule) != 0;
  };
  bool changed = true;
  while (changed && runs < max_runs) {
    changed = false;
    for (std::size_t i = 0; i < schedule.size() && schedule.size() > 1 && runs < max_runs; ++i) {
      auto fewer = schedule;
      fewer.erase(fewer.begin() + static_cast<long>(i));
      if (still(fewer)) {
        schedule = std::move(fewer);
        changed = true;
        --i;
      }
    }
    for (std::size_t i = 0; i < schedule.size() && runs < max_runs; ++i) {
      for (const FaultSpec& g : simpler(schedule[i])) {
        if (runs >= max_runs) break;
        auto s = schedule;
        s[i] = g;
        if (still(s)) {
          schedule = std::move(s);
          changed = true;
          break;
        }
      }
    }
  }
  return schedule;
}

// Runs every schedule, `jobs` at a time; the rules each violated, by run index.
std::vector<std::map<std::string, std::string>> run_all(
    const Runner& runner, const std::vector<std::vector<FaultSpec>>& schedules, int jobs) {
  std::vector<std::map<std::string, std::string>> out(schedules.size());
  const auto worker = [&](std::size_t first) {
    for (std::size_t i = first; i < schedules.size(); i += static_cast<std::size_t>(jobs)) {
      out[i] = runner.rules(schedules[i]);
    }
  };
  std::vector<std::thread> threads;
  for (int j = 1; j < jobs; ++j) threads.emplace_back(worker, static_cast<std::size_t>(j));
  worker(0);
  for (std::thread& t : threads) t.join();
  return out;
}

}  // namespace

std::variant<FaultBudget, std::string> parse_fault_budget(std::string_view text) {
  FaultBudget b;
  for (const std::string_view word : split(text, ' ')) {
    if (word.empty()) continue;
    const auto eq = word.find('=');
    if (eq == std::string_view::npos) return fmt::format("'{}': expected key=value", word);
    if (auto e = budget_word(b, word.substr(0, eq), word.substr(eq + 1))) return *e;
  }
  return b;
}

std::string format_fault_budget(const FaultBudget& b) {
  std::vector<std::string_view> kinds;
  for (const FaultKind k : b.kinds) kinds.push_back(fault_kind_name(k));
  return fmt::format("max={} kinds={} targets={} window={} max_duration={} undo={}", b.max_faults,
                     fmt::join(kinds, ","), fmt::join(b.targets, ","),
                     sim::format_duration(b.window), sim::format_duration(b.max_duration),
                     b.undo ? "yes" : "no");
}

std::vector<FaultSpec> draw_schedule(std::uint64_t seed, std::size_t index,
                                     const FaultBudget& budget) {
  sim::RandomStream rng(seed, fmt::format("explore/{}", index));
  const auto n = 1 + rng.uniform_index(static_cast<std::uint64_t>(budget.max_faults));
  std::vector<FaultSpec> out;
  for (std::uint64_t i = 0; i < n; ++i) out.push_back(draw_fault(rng, budget));
  return out;
}

ExploreResult explore(const Scenario& scenario, const ExploreOptions& options) {
  const Runner runner{scenario, options.base};
  std::vector<std::vector<FaultSpec>> schedules;
  for (int i = 0; i < options.runs; ++i) {
    schedules.push_back(draw_schedule(options.seed, static_cast<std::size_t>(i), options.budget));
  }
  const auto results = run_all(runner, schedules, std::max(1, options.jobs));
  ExploreResult out;
  out.runs = options.runs;
  std::map<std::string, Finding> by_rule;
  for (std::size_t i = 0; i < results.size(); ++i) {
    if (!results[i].empty()) ++out.runs_failed;
    for (const auto& [rule, detail] : results[i]) {
      auto [it, added] = by_rule.try_emplace(rule);
      ++it->second.runs_violating;
      if (!added) continue;
      it->second.rule = rule;
      it->second.first_run = i;
      it->second.schedule = schedules[i];
    }
  }
  for (auto& [rule, f] : by_rule) {
    f.shrunk = shrink(runner, f.schedule, rule, options.max_shrink_runs, f.shrink_runs);
    f.detail = runner.rules(f.shrunk)[rule];
    out.findings.push_back(f);
  }
  return out;
}

}  // namespace bootsim::models
