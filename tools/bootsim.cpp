// bootsim: the command line. A thin front end over models/: parse arguments, load the scenario,
// run, print. Exit codes: 0 every check holds, 1 a violation or a missed budget, 2 bad input or
// usage (scenario errors as FILE:LINE:COL: error: …).
#include <fmt/format.h>
#include <unistd.h>
#include <boost/program_options.hpp>

#include <charconv>
#include <cstdlib>
#include <fstream>
#include <iostream>
#include <string>
#include <vector>

#include "models/dcos/profiles.hpp"
#include "models/run/cluster.hpp"
#include "models/scenario/scenario.hpp"
#include "models/zookeeper/calibration.hpp"
#include "tools/bench_boot.hpp"
#include "tools/bench_phold.hpp"
#include "tools/output.hpp"
#include "tools/report/report.hpp"
#include "tools/sweep/command.hpp"

namespace po = boost::program_options;
using namespace bootsim;

namespace {

constexpr int kExitOk = 0;
constexpr int kExitChecksFailed = 1;
constexpr int kExitBadInput = 2;

const char* const kUsage =
    "usage: bootsim <command> [options]\n"
    "\n"
    "commands:\n"
    "  run SCENARIO     simulate one boot: timeline, critical chain, violations, budgets\n"
    "  sweep SCENARIO --runs N\n"
    "                   Monte Carlo over seeds and a --vary grid: quantiles, budgets, rules\n"
    "  diff BASE.json NEW.json\n"
    "                   per-milestone deltas of two runs or two sweeps (regression gate)\n"
    "  check SCENARIO   validate the scenario and its unit graph only\n"
    "  blame SCENARIO   simulate one boot; units by time from boot to running\n"
    "  graph SCENARIO   print the unit dependency graph (--format dot)\n"
    "  bench phold      kernel benchmark (PHOLD) against a std::priority_queue loop\n"
    "  bench boot       whole boots of the default set-up at a given size, in-process\n"
    "  sensitivity SCENARIO --runs N\n"
    "                   which parameter moves a milestone most: tornado table, SVG or HTML\n"
    "  params [--profile P]\n"
    "                   every parameter with its default, type and source\n"
    "  rules [--profile P]\n"
    "                   the ordering rules and safety properties runs are checked against\n"
    "  calibrate zookeeper\n"
    "                   the ZooKeeper model against a real ensemble's measured figures\n"
    "\n"
    "run 'bootsim <command> --help' for its options; 'bootsim --version' prints the version.\n";

int usage_error(const std::string& message) {
  std::cerr << "bootsim: error: " << message << "\n";
  return kExitBadInput;
}

std::variant<models::Scenario, models::InputError> load(const std::string& path) {
  return models::load_scenario_file(path);
}

struct Parsed {
  po::variables_map vm;
  bool help = false;
};

// Parses one subcommand's options; SCENARIO is positional.
std::optional<int> parse(const std::vector<std::string>& args, po::options_description& desc,
                         bool takes_scenario, Parsed& out) {
  po::positional_options_description pos;
  if (takes_scenario) pos.add("scenario", 1);
  try {
    po::store(po::command_line_parser(args).options(desc).positional(pos).run(), out.vm);
    po::notify(out.vm);
  } catch (const po::error& e) {
    return usage_error(e.what());
  }
  if (out.vm.count("help")) {
    std::cout << desc;
    return kExitOk;
  }
  if (takes_scenario && !out.vm.count("scenario")) return usage_error("missing SCENARIO");
  return std::nullopt;
}

int input_error(const models::InputError& e) {
  std::cerr << e.format() << "\n";
  return kExitBadInput;
}

// "text: the timeline, …; json: …": every format of tools/report with what it gives.
std::string format_help() {
  std::string out;
  for (const report::ReportFormat& f : report::report_formats()) {
    out += fmt::format("{}{}: {}", out.empty() ? "" : "; ", f.name, f.description);
  }
  return out;
}

po::options_description run_description(bool with_format) {
  po::options_description desc(with_format ? "bootsim run SCENARIO [options]"
                                           : "bootsim blame SCENARIO [options]");
  desc.add_options()("help,h", "this help")("scenario", po::value<std::string>(), "scenario file")(
      "seed", po::value<std::string>(), "random seed (default: the scenario's)")(
      "until", po::value<std::string>(),
      "simulated time limit, e.g. 30m (default: the scenario's)")(
      "set", po::value<std::vector<std::string>>()->composing(), "key=value parameter override")(
      "fault", po::value<std::vector<std::string>>()->composing(),
      "a fault, e.g. \"kind=crash target=master-2 at=zookeeper.quorum+4s\"")(

      "out", po::value<std::string>()->default_value("-"), "output file (default: stdout)")(
      "max-events", po::value<std::string>(),
      "stop a run that takes more events than this (default 50000000; 0: no limit)")(
      "strict", "a fault that never fired or hit nothing is an error (exit 1)")(
      "summary", "text: only the cluster milestones, critical chain, violations and budgets");
  if (with_format) {
    desc.add_options()("format", po::value<std::string>()->default_value("text"),
                       format_help().c_str());
  }
  return desc;
}

// --seed and --until; an exit code when one is malformed.
std::optional<int> read_seed_and_until(const po::variables_map& vm, models::RunOptions& options) {
  if (vm.count("seed")) {
    // Not po::value<std::uint64_t>: its lexical_cast takes "-1" as 2^64-1.
    const std::string& text = vm["seed"].as<std::string>();
    std::uint64_t seed = 0;
    const auto [ptr, ec] = std::from_chars(text.data(), text.data() + text.size(), seed);
    if (text.empty() || ec != std::errc() || ptr != text.data() + text.size()) {
      return usage_error("--seed: expected an integer from 0 to 18446744073709551615, got '" +
                         text + "'");
    }
    options.seed = seed;
  }
  if (vm.count("until")) {
    const std::string& text = vm["until"].as<std::string>();
    const auto until = sim::parse_duration(text);
    if (!until) {
      return usage_error("--until: malformed duration '" + text +
                         "' (expected e.g. 250ms, 2s, 1m30s)");
    }
    if (*until == sim::SimTime::zero() || until->is_infinite()) {
      // As the scenario's until: with a fault or an unreachable milestone, inf never ends.
      return usage_error("--until must be positive and finite, got '" + text + "'");
    }
    if (*until > models::kMaxUntil) {
      return usage_error("--until must be at most " + sim::format_duration(models::kMaxUntil) +
                         " (a run settles long before), got '" + text + "'");
    }
    options.until = *until;
  }
  if (vm.count("max-events")) {
    const std::string& text = vm["max-events"].as<std::string>();
    std::uint64_t n = 0;
    const auto [ptr, ec] = std::from_chars(text.data(), text.data() + text.size(), n);
    if (text.empty() || ec != std::errc() || ptr != text.data() + text.size()) {
      return usage_error("--max-events: expected an integer from 0 to 18446744073709551615, got '" +
                         text + "'");
    }
    options.max_events = n;
  }
  return std::nullopt;
}

// --set and --fault; an exit code when one is malformed.
std::optional<int> read_settings_and_faults(const po::variables_map& vm,
                                            models::RunOptions& options) {
  if (vm.count("set")) {
    for (const std::string& kv : vm["set"].as<std::vector<std::string>>()) {
      const auto eq = kv.find('=');
      if (eq == std::string::npos || eq == 0) {
        return usage_error("--set expects key=value, got '" + kv + "'");
      }
      options.settings.push_back(models::Setting{kv.substr(0, eq), kv.substr(eq + 1), {}});
    }
  }
  if (vm.count("fault")) {
    for (const std::string& line : vm["fault"].as<std::vector<std::string>>()) {
      auto f = models::parse_fault_line(line, models::SourceLocation{});
      if (auto* e = std::get_if<models::InputError>(&f)) return input_error(*e);
      options.faults.push_back(std::get<models::FaultSpec>(f));
    }
  }
  return std::nullopt;
}

// The memory this machine has available now (Linux: MemAvailable in /proc/meminfo), for the
// run's up-front estimate; nullopt where it cannot be read.
std::optional<std::uint64_t> available_memory_bytes() {
  std::ifstream in("/proc/meminfo");
  std::string key;
  std::uint64_t kb = 0;
  std::string unit;
  while (in >> key >> kb >> unit) {
    if (key == "MemAvailable:") return kb * 1024;
  }
  return std::nullopt;
}

// `bootsim blame`: a run whose report is the blame table (tools/report/blame.cpp).
constexpr report::ReportFormat kBlame{"blame", "units by time from boot to running",
                                      report::format_blame};

// run, and blame (`fixed`: its one report, no --format).
int cmd_run(const std::vector<std::string>& args, const report::ReportFormat* fixed = nullptr) {
  po::options_description desc = run_description(fixed == nullptr);
  Parsed p;
  if (auto rc = parse(args, desc, true, p)) return *rc;
  const std::string format = fixed ? std::string(fixed->name) : p.vm["format"].as<std::string>();
  const report::ReportFormat* renderer = fixed ? fixed : report::find_report_format(format);
  if (renderer == nullptr) {
    return usage_error("--format must be " + report::report_format_names() + ", got '" + format +
                       "'");
  }
  // --out is checked before anything is simulated (tools/output.hpp).
  auto out = tools::OutputTarget::prepare(p.vm["out"].as<std::string>());
  if (auto* e = std::get_if<std::string>(&out)) return usage_error(*e);
  auto loaded = load(p.vm["scenario"].as<std::string>());
  if (auto* e = std::get_if<models::InputError>(&loaded)) return input_error(*e);
  models::RunOptions options;
  if (auto rc = read_seed_and_until(p.vm, options)) return *rc;
  if (auto rc = read_settings_and_faults(p.vm, options)) return *rc;
  options.memory_limit_bytes = available_memory_bytes();
  auto result = models::run_scenario(std::get<models::Scenario>(loaded), options);
  if (auto* e = std::get_if<models::InputError>(&result)) return input_error(*e);
  const auto& r = std::get<models::RunResult>(result);
  // Not a result: the run was cut short by a limit. Nothing is written.
  if (r.ended_by == "max-trace") {
    return usage_error(fmt::format(
        "the run kept more than {} trace records (about {} MB) by simulated time {}s of {} "
        "without settling (something keeps changing, e.g. a unit restarting); shorten --until",
        r.max_trace_records, r.max_trace_records * 300 / 1'000'000, sim::format_seconds(r.ended_at),
        sim::format_duration(r.until)));
  }
  if (r.ended_by == "max-events") {
    return usage_error(fmt::format(
        "the run took more than --max-events {} events (simulated time {}s of {}); raise "
        "--max-events (0: no limit) or shorten --until",
        options.max_events, sim::format_seconds(r.ended_at), sim::format_duration(r.until)));
  }
  // Colour only on a terminal (plain when piped or written to a file), for the text report.
  report::TextOptions text_options;
  text_options.summary = p.vm.count("summary") > 0;
  text_options.colour = p.vm["out"].as<std::string>() == "-" && isatty(STDOUT_FILENO) == 1 &&
                        std::getenv("NO_COLOR") == nullptr;
  const std::string text =
      renderer->name == "text" ? report::format_text(r, text_options) : renderer->render(r);
  if (auto e = std::get<tools::OutputTarget>(out).write(text)) return usage_error(*e);
  if (p.vm.count("strict")) {
    // A fault that did nothing fails the run (after the report is written).
    const auto ineffective = r.ineffective_faults();
    for (const std::string& what : ineffective) {
      std::cerr << "bootsim: error: --strict: " << report::printable(what) << "\n";
    }
    if (!ineffective.empty()) return kExitChecksFailed;
  }
  return r.ok() ? kExitOk : kExitChecksFailed;
}

int cmd_check(const std::vector<std::string>& args, bool graph) {
  po::options_description desc(graph ? "bootsim graph SCENARIO [--format dot]"
                                     : "bootsim check SCENARIO");
  desc.add_options()("help,h", "this help")("scenario", po::value<std::string>(), "scenario file");
  if (graph) desc.add_options()("format", po::value<std::string>()->default_value("dot"), "dot");
  Parsed p;
  if (auto rc = parse(args, desc, true, p)) return *rc;
  if (graph && p.vm["format"].as<std::string>() != "dot") {
    return usage_error("--format must be dot");
  }
  auto loaded = load(p.vm["scenario"].as<std::string>());
  if (auto* e = std::get_if<models::InputError>(&loaded)) return input_error(*e);
  const auto& scenario = std::get<models::Scenario>(loaded);
  models::Parameters params;
  if (auto e = models::apply_settings(scenario.settings, params)) return input_error(*e);
  if (auto e = models::check_node_names(scenario, params)) return input_error(*e);
  auto profile = models::resolve_profile(scenario, params);
  if (auto* e = std::get_if<models::InputError>(&profile)) return input_error(*e);
  const auto& prof = std::get<models::Profile>(profile);
  if (graph) {
    std::cout << models::to_dot(prof);
    return kExitOk;
  }
  std::cout << scenario.file << ": ok: scenario '" << scenario.name << "', profile " << prof.name
            << ", " << params.integer("cluster.masters") << " masters, "
            << params.integer("cluster.agents.private") << " private and "
            << params.integer("cluster.agents.public") << " public agents, " << prof.units.size()
            << " units in the graph, no problems\n";
  return kExitOk;
}

int cmd_bench(const std::vector<std::string>& args) {
  if (!args.empty() && args.front() == "boot") {
    return tools::bench_boot_command({args.begin() + 1, args.end()}, std::cout);
  }
  if (args.empty() || args.front() != "phold") {
    return usage_error("bench: expected 'phold' or 'boot'");
  }
  po::options_description desc("bootsim bench phold [options]");
  tools::PholdOptions o;
  desc.add_options()("help,h", "this help")(
      "lps", po::value<std::uint64_t>(&o.lps)->default_value(o.lps), "logical processes N")(
      "events-per-lp", po::value<std::uint64_t>(&o.events_per_lp)->default_value(o.events_per_lp),
      "events in flight per LP")("end", po::value<double>(&o.end_s)->default_value(o.end_s),
                                 "simulated end time, in seconds")(
      "seed", po::value<std::uint64_t>(&o.seed)->default_value(o.seed), "random seed");
  Parsed p;
  if (auto rc = parse({args.begin() + 1, args.end()}, desc, false, p)) return *rc;
  if (o.lps == 0 || o.events_per_lp == 0 || !(o.end_s > 0)) {
    return usage_error("bench phold: --lps, --events-per-lp and --end must be positive");
  }
  return tools::run_phold(o, std::cout);
}

int cmd_rules(const std::vector<std::string>& args) {
  po::options_description desc("bootsim rules [--profile P]");
  std::string profile = "dcos-1.9";
  const std::string help = fmt::format("a built-in profile ({}) or a profile file",
                                       fmt::join(models::builtin_profile_names(), ", "));
  desc.add_options()("help,h", "this help")(
      "profile", po::value<std::string>(&profile)->default_value(profile), help.c_str());
  Parsed p;
  if (auto rc = parse(args, desc, false, p)) return *rc;
  auto loaded = models::load_checked_profile(profile, "", models::SourceLocation{});
  if (auto* e = std::get_if<models::InputError>(&loaded)) return input_error(*e);
  std::cout << "ordering rules (the seed's order; 'node': on the same node, 'cluster': anywhere)\n";
  for (const models::RuleSpec& r : models::builtin_rules(std::get<models::Profile>(loaded))) {
    std::cout << fmt::format("  {:<8} {} before {}\n", r.same_node ? "node" : "cluster", r.before,
                             r.after);
  }
  std::cout << "safety properties\n"
               "  single-zookeeper-leader  at most one ZooKeeper leader serving per epoch\n"
               "  single-mesos-leader      at most one Mesos master leading at any instant\n";
  return kExitOk;
}

int cmd_calibrate(const std::vector<std::string>& args) {
  if (args.empty() || args.front() != "zookeeper") {
    return usage_error("calibrate: expected 'zookeeper'");
  }
  po::options_description desc("bootsim calibrate zookeeper [options]");
  int runs = 50;
  std::uint64_t seed = 1;
  desc.add_options()("help,h", "this help")("runs", po::value<int>(&runs)->default_value(runs),
                                            "simulated runs per row")(
      "seed", po::value<std::uint64_t>(&seed)->default_value(seed), "first seed");
  Parsed p;
  if (auto rc = parse({args.begin() + 1, args.end()}, desc, false, p)) return *rc;
  if (runs <= 0) return usage_error("calibrate: --runs must be positive");
  // Real ZooKeeper 3.8 on loopback (3 servers, initLimit 10, syncLimit 5): medians measured
  // over 5-13 trials per row, against the simulator's medians over --runs seeds.
  std::cout << fmt::format("{:<62} {:>10} {:>10} {:>6}\n", "row", "simulated", "measured", "ratio");
  bool within = true;
  for (const models::CalibrationRow& row : models::calibrate_zookeeper(runs, seed)) {
    const bool ok = row.ratio() >= 0.7 && row.ratio() <= 1.3;
    within = within && ok;
    std::cout << fmt::format("{:<62} {:>9.3f}s {:>9.3f}s {:>6.2f}{}\n", row.name,
                             row.simulated_median_s, row.measured_median_s, row.ratio(),
                             ok ? "" : "  (outside 30%)");
  }
  return within ? kExitOk : kExitChecksFailed;
}

}  // namespace

int main(int argc, char** argv) {
  std::vector<std::string> args(argv + 1, argv + argc);
  if (args.empty() || args.front() == "--help" || args.front() == "-h" || args.front() == "help") {
    std::cout << kUsage;
    return args.empty() ? kExitBadInput : kExitOk;
  }
  const std::string command = args.front();
  args.erase(args.begin());
  if (command == "--version" || command == "version") {
    std::cout << "bootsim " << BOOTSIM_VERSION << "\n";
    return kExitOk;
  }
  if (command == "run") return cmd_run(args);
  if (command == "sweep") return sweep::sweep_command(args);
  if (command == "diff") return sweep::diff_command(args);
  if (command == "params") return sweep::params_command(args);
  if (command == "sensitivity") return sweep::sensitivity_command(args);
  if (command == "blame") return cmd_run(args, &kBlame);
  if (command == "check") return cmd_check(args, false);
  if (command == "graph") return cmd_check(args, true);
  if (command == "bench") return cmd_bench(args);
  if (command == "calibrate") return cmd_calibrate(args);
  if (command == "rules") return cmd_rules(args);
  std::cerr << kUsage;
  return usage_error("unknown command '" + command + "'");
}
