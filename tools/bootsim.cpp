// bootsim: the command line. A thin front end over models/: parse arguments, load the scenario,
// run, print. Exit codes: 0 every check holds, 1 a violation or a missed budget, 2 bad input or
// usage (scenario errors as FILE:LINE:COL: error: …).
#include <fmt/format.h>
#include <unistd.h>
#include <algorithm>
#include <boost/program_options.hpp>

#include <charconv>
#include <cmath>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <iostream>
#include <optional>
#include <sstream>
#include <string>
#include <vector>

#include "models/dcos/profiles.hpp"
#include "models/run/cluster.hpp"
#include "models/run/explore.hpp"
#include "models/scenario/scenario.hpp"
#include "models/zookeeper/calibration.hpp"
#include "models/zookeeper/measurements.hpp"
#include "tools/bench_boot.hpp"
#include "tools/bench_phold.hpp"
#include "tools/output.hpp"
#include "tools/record.hpp"
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
    "  replay FILE      re-run a run recorded with run --record and verify it is identical\n"
    "  explore SCENARIO random fault schedules; each violated rule shrunk to a minimal scenario\n"
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
    "  calibrate zookeeper --measured FILE.csv\n"
    "                   the ZooKeeper model against a real ensemble's measured figures\n"
    "\n"
    "run 'bootsim <command> --help' for its options; 'bootsim --version' prints the version.\n";

int usage_error(const std::string& message) {
  std::cerr << "bootsim: error: " << message << "\n";
  return kExitBadInput;
}

// The version a run record names; a replay needs the same one.
constexpr const char* kVersion = BOOTSIM_VERSION;

std::optional<std::string> read_text(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) return std::nullopt;
  std::ostringstream s;
  s << in.rdbuf();
  return s.str();
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
      "stop a run that takes more events than this (default 50000000 or 10000 a host, "
      "whichever is more; 0: no limit)")(
      "strict", "a fault that never fired or hit nothing is an error (exit 1)")(
      "stop-at-ready",
      "with faults, end the run at cluster.ready once every fault has fired and been undone")(
      "record", po::value<std::string>(),
      "write a record of the run (scenario, seed, faults, trace) for bootsim replay")(
      "summary", "text: only the cluster milestones, critical chain, violations and budgets")(
      "trace", po::value<std::string>()->default_value("full"),
      "what the run keeps: full (every record and its text), milestones (every record; text "
      "of milestones, faults and violations only), none (only the records read back: no why "
      "lines, and no trace, svg, html or chrome format); less is lighter for a large cluster, "
      "and the fingerprint is the same");
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
  options.stop_at_ready = p.vm.count("stop-at-ready") != 0;
  const std::string& trace = p.vm["trace"].as<std::string>();
  const auto level = sim::trace_level_named(trace);
  if (!level) {
    return usage_error("--trace must be " + sim::trace_level_choices() + ", got '" + trace + "'");
  }
  options.trace_level = *level;
  if (renderer->needs_every_record && *level == sim::TraceLevel::kNone) {
    return usage_error(fmt::format(
        "--format {} draws every trace record; --trace none keeps only those the run reads "
        "back (milestones, faults, violations, the critical chain): use --trace milestones or "
        "full",
        renderer->name));
  }
  if (p.vm.count("record") && *level != sim::TraceLevel::kFull) {
    return usage_error("--record keeps the whole trace for bootsim replay: it needs --trace full");
  }
  std::optional<tools::OutputTarget> record_out;
  if (p.vm.count("record")) {
    auto target = tools::OutputTarget::prepare(p.vm["record"].as<std::string>());
    if (auto* e = std::get_if<std::string>(&target)) return usage_error("--record: " + *e);
    record_out = std::get<tools::OutputTarget>(std::move(target));
  }
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
        r.max_events, sim::format_seconds(r.ended_at), sim::format_duration(r.until)));
  }
  // Colour only on a terminal (plain when piped or written to a file), for the text report.
  report::TextOptions text_options;
  text_options.summary = p.vm.count("summary") > 0;
  text_options.colour = p.vm["out"].as<std::string>() == "-" && isatty(STDOUT_FILENO) == 1 &&
                        std::getenv("NO_COLOR") == nullptr;
  const std::string text =
      renderer->name == "text" ? report::format_text(r, text_options) : renderer->render(r);
  if (auto e = std::get<tools::OutputTarget>(out).write(text)) return usage_error(*e);
  if (record_out) {
    const std::string& path = p.vm["scenario"].as<std::string>();
    const auto rec = tools::make_record(read_text(path).value_or(""), path, options, r, kVersion);
    if (auto e = record_out->write(tools::write_record(rec))) return usage_error(*e);
  }
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

// The first trace record where a replay differs from its record; nullopt if none does.
std::optional<std::string> first_divergence(const tools::RunRecord& rec,
                                            const models::RunResult& r) {
  const auto& records = r.trace.records();
  for (std::size_t i = 0; i < std::max(records.size(), rec.records.size()); ++i) {
    const std::string now = i < records.size() ? tools::trace_line(records[i]) : "(none)";
    const std::string then = i < rec.records.size() ? rec.records[i] : "(none)";
    if (now != then) {
      return fmt::format("first divergent record #{}:\n  recorded: {}\n  replayed: {}", i,
                         report::printable(then), report::printable(now));
    }
  }
  if (r.fingerprint != rec.fingerprint) {
    return fmt::format("the fingerprint differs: recorded {:016x}, replayed {:016x}",
                       rec.fingerprint, r.fingerprint);
  }
  return std::nullopt;
}

// The options a recorded run ran with; an input error if its --set or --fault lines no longer
// parse (they cannot, from a record of this version, unless it was forged).
std::variant<models::RunOptions, models::InputError> recorded_options(const tools::RunRecord& rec) {
  models::RunOptions o;
  o.seed = rec.seed;
  o.until = rec.until;
  o.stop_at_ready = rec.stop_at_ready;
  o.max_events = rec.max_events;
  for (const std::string& kv : rec.settings) {
    const auto eq = kv.find('=');
    o.settings.push_back(
        models::Setting{kv.substr(0, eq), eq == std::string::npos ? "" : kv.substr(eq + 1), {}});
  }
  for (const std::string& line : rec.faults) {
    auto f = models::parse_fault_line(line, models::SourceLocation{});
    if (auto* e = std::get_if<models::InputError>(&f)) return *e;
    o.faults.push_back(std::get<models::FaultSpec>(f));
  }
  return o;
}

int cmd_replay(const std::vector<std::string>& args) {
  po::options_description desc("bootsim replay FILE");
  desc.add_options()("help,h", "this help")("scenario", po::value<std::string>(), "record file");
  Parsed p;
  if (auto rc = parse(args, desc, true, p)) return *rc;
  const std::string& file = p.vm["scenario"].as<std::string>();
  const auto text = read_text(file);
  if (!text) return usage_error("replay: cannot read '" + file + "'");
  auto read = tools::read_record(*text, kVersion);
  if (auto* e = std::get_if<std::string>(&read)) return usage_error("replay: " + file + ": " + *e);
  const auto& rec = std::get<tools::RunRecord>(read);
  if (const auto now = read_text(rec.scenario_file); now && *now != rec.scenario_text) {
    return usage_error(
        fmt::format("replay: {}: the scenario file '{}' has changed since the run "
                    "was recorded; a replay runs the scenario as recorded, so "
                    "restore the file or record the run again",
                    file, rec.scenario_file));
  }
  auto loaded = models::load_scenario_text(rec.scenario_text, rec.scenario_file);
  if (auto* e = std::get_if<models::InputError>(&loaded)) return input_error(*e);
  auto options = recorded_options(rec);
  if (auto* e = std::get_if<models::InputError>(&options)) return input_error(*e);
  auto result = models::run_scenario(std::get<models::Scenario>(loaded),
                                     std::get<models::RunOptions>(options));
  if (auto* e = std::get_if<models::InputError>(&result)) return input_error(*e);
  const auto& r = std::get<models::RunResult>(result);
  if (const auto diverged = first_divergence(rec, r)) {
    std::cout << "replay: " << file << ": the run differs from its record\n" << *diverged << "\n";
    return kExitChecksFailed;
  }
  std::cout << fmt::format("replay: {}: identical ({} trace records, fingerprint {:016x})\n", file,
                           r.trace.size(), r.fingerprint);
  return kExitOk;
}

// What explore found, and the scenario file of each finding written under `dir`.
std::optional<int> report_findings(const models::ExploreResult& r, const models::Scenario& s,
                                   const std::string& text, const models::ExploreOptions& o,
                                   const std::string& dir) {
  std::cout << fmt::format("explore: scenario '{}', {} runs (seed {}, budget {})\n", s.name, r.runs,
                           o.seed, models::format_fault_budget(o.budget));
  std::cout << fmt::format("  {} run(s) violated a rule\n", r.runs_failed);
  for (const models::Finding& f : r.findings) {
    std::vector<std::string> lines;
    for (const models::FaultSpec& fs : s.faults) lines.push_back(fs.text);
    for (const models::FaultSpec& fs : f.shrunk) lines.push_back(fs.text);
    const std::string name = s.name + "-" + f.rule;
    const std::string path = dir + "/" + name + ".yaml";
    const std::string header = fmt::format(
        "Found by bootsim explore (seed {}, run {} of {}): this schedule violates {}.\n{}\n"
        "Shrunk from {} fault(s) to {} in {} runs; run it with: bootsim run {}",
        o.seed, f.first_run + 1, r.runs, f.rule, f.detail, f.schedule.size(), f.shrunk.size(),
        f.shrink_runs, path);
    auto out = tools::OutputTarget::prepare(path);
    if (auto* e = std::get_if<std::string>(&out)) return usage_error(*e);
    if (auto e = std::get<tools::OutputTarget>(out).write(
            models::scenario_with_faults(text, name, lines, header))) {
      return usage_error(*e);
    }
    std::cout << fmt::format(
        "  {}: {} run(s), first run {}; shrunk from {} fault(s) to {} in {} "
        "runs\n",
        f.rule, f.runs_violating, f.first_run + 1, f.schedule.size(), f.shrunk.size(),
        f.shrink_runs);
    for (const models::FaultSpec& fs : f.shrunk) std::cout << "    " << fs.text << "\n";
    std::cout << "    wrote " << path << "\n";
  }
  return std::nullopt;
}

int cmd_explore(const std::vector<std::string>& args) {
  po::options_description desc("bootsim explore SCENARIO --runs N [options]");
  models::ExploreOptions o;
  std::string budget, dir = ".";
  desc.add_options()("help,h", "this help")("scenario", po::value<std::string>(), "scenario file")(
      "runs", po::value<int>(&o.runs)->default_value(o.runs), "schedules to run")(
      "jobs", po::value<int>(&o.jobs)->default_value(o.jobs), "runs in parallel")(
      "seed", po::value<std::string>(),
      "draws the schedules (default 1; each run keeps the scenario's seed)")(
      "budget-of-faults", po::value<std::string>(&budget),
      "what schedules may hold, e.g. \"max=2 kinds=crash,partition targets=mesos-leader,any-master "
      "window=3m max_duration=2m undo=yes\"")("until", po::value<std::string>(),
                                              "simulated time limit of each run")(
      "set", po::value<std::vector<std::string>>()->composing(), "key=value parameter override")(
      "out-dir", po::value<std::string>(&dir)->default_value(dir),
      "where each finding's scenario is written");
  Parsed p;
  if (auto rc = parse(args, desc, true, p)) return *rc;
  if (o.runs < 1 || o.runs > 1'000'000) return usage_error("--runs must be from 1 to 1000000");
  if (o.jobs < 1 || o.jobs > 256) return usage_error("--jobs must be from 1 to 256");
  auto b = models::parse_fault_budget(budget);
  if (auto* e = std::get_if<std::string>(&b)) return usage_error("--budget-of-faults: " + *e);
  o.budget = std::get<models::FaultBudget>(b);
  const std::string& file = p.vm["scenario"].as<std::string>();
  auto loaded = load(file);
  if (auto* e = std::get_if<models::InputError>(&loaded)) return input_error(*e);
  if (auto rc = read_seed_and_until(p.vm, o.base)) return *rc;
  if (auto rc = read_settings_and_faults(p.vm, o.base)) return *rc;
  o.seed = o.base.seed.value_or(1);  // --seed draws the schedules here
  o.base.seed.reset();
  o.base.stop_at_ready = true;
  const auto& s = std::get<models::Scenario>(loaded);
  // Checked once up front, so that a bad --set is an input error and not a silent no-finding.
  models::RunOptions probe = o.base;
  probe.until = sim::seconds(1);
  auto checked = models::run_scenario(s, probe);
  if (auto* e = std::get_if<models::InputError>(&checked)) return input_error(*e);
  // Made (as mkdir -p) before any run: a bad --out-dir fails now, not after the whole search.
  std::error_code ec;
  std::filesystem::create_directories(dir, ec);
  if (ec || !std::filesystem::is_directory(dir)) {
    return usage_error(
        fmt::format("--out-dir {}: {}", dir, ec ? ec.message() : std::string("not a directory")));
  }
  const models::ExploreResult r = models::explore(s, o);
  if (auto rc = report_findings(r, s, read_text(file).value_or(""), o, dir)) return *rc;
  return r.findings.empty() ? kExitOk : kExitChecksFailed;
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
               "  single-mesos-leader      at most one Mesos master leading at any instant\n"
               "  agent-registers-with-leader  an agent is admitted only by the master leading "
               "then\n"
               "  offer-for-registered-agent   no offer for an agent that is not registered\n"
               "  task-within-offer            no task launched beyond its offer's resources\n"
               "  framework-id-confirmed       a framework id is stored only after a master "
               "confirmed it\n"
               "  first-task-after-install     a scheduler's first task runs only after Admin "
               "Router and Cosmos serve\n";
  std::cout << "liveness rules (runs with faults that all heal; a scenario adds its own with "
               "rules: [{liveness: M, within: D}])\n";
  for (const models::LivenessSpec& l : models::builtin_liveness_rules()) {
    std::cout << fmt::format("  {} within {} after the last fault heals\n", l.milestone,
                             sim::format_duration(l.within));
  }
  return kExitOk;
}

// "15%" -> 0.15; nullopt unless a percentage in (0, 1000].
std::optional<double> parse_percentage(std::string_view text) {
  if (text.size() < 2 || text.back() != '%') return std::nullopt;
  double v = 0;
  const auto [ptr, ec] =
      std::from_chars(text.data(), text.data() + text.size() - 1, v, std::chars_format::fixed);
  if (ec != std::errc() || ptr != text.data() + text.size() - 1 || !(v > 0 && v <= 1000)) {
    return std::nullopt;
  }
  return v / 100;
}

std::string percent(double fraction) {
  return std::isfinite(fraction) ? fmt::format("{:.0f}%", fraction * 100) : "inf";
}

void print_calibration_rows(const models::CalibrationReport& r) {
  std::cout << fmt::format("{:<6} {:>4} {:>5}  {:<40} {:>5} {:>9} {:>9} {:>5}\n", "line", "size",
                           "tick", "scenario", "trial", "measured", "nearest", "off");
  for (const models::CalibrationRow& row : r.rows) {
    const models::Measurement& m = row.measured;
    std::string tail = "(not compared)";
    if (row.compared) {
      tail = fmt::format("{:>8.3f}s {:>5}{}", row.simulated_s, percent(row.off),
                         row.outside ? "  (outside the simulated range)" : "");
    }
    std::cout << fmt::format("{:<6} {:>4} {:>5}  {:<40} {:>5} {:>8.3f}s {}\n", m.where.line,
                             m.ensemble_size, m.tick_ms, m.scenario, m.trial, m.seconds, tail);
  }
}

void print_calibration_groups(const models::CalibrationReport& r, double tolerance) {
  std::cout << fmt::format("\n{:>4} {:>5}  {:<40} {:>6} {:>9} {:>5} {:>9} {:>5}  {}\n", "size",
                           "tick", "scenario (means)", "trials", "measured", "runs", "simulated",
                           "off", "simulated range");
  for (const models::CalibrationGroup& g : r.groups) {
    std::string tail = "(" + g.note + ")";
    if (g.compared && g.runs > 0) {
      tail = fmt::format("{:>5} {:>8.3f}s {:>5}  [{:.3f}s, {:.3f}s]{}", g.runs, g.simulated_mean_s,
                         percent(g.off), g.simulated_min_s, g.simulated_max_s,
                         g.ok ? "" : fmt::format("  (more than {} off)", percent(tolerance)));
    } else if (g.compared) {
      tail = fmt::format("{:>5} {}", 0, tail);
    }
    std::cout << fmt::format("{:>4} {:>5}  {:<40} {:>6} {:>8.3f}s {}\n", g.ensemble_size, g.tick_ms,
                             g.scenario, g.trials, g.measured_mean_s, tail);
  }
}

int cmd_calibrate(const std::vector<std::string>& args) {
  if (args.empty() || args.front() != "zookeeper") {
    return usage_error("calibrate: expected 'zookeeper'");
  }
  po::options_description desc("bootsim calibrate zookeeper --measured FILE.csv [options]");
  std::string measured_path;
  std::string tolerance_text = "15%";
  models::CalibrationSetUp setup;
  int cores = 2;
  desc.add_options()("help,h", "this help")(
      "measured", po::value<std::string>(&measured_path),
      "measurements, CSV: ensemble_size,tick_ms,scenario,trial,seconds")(
      "tolerance", po::value<std::string>(&tolerance_text)->default_value(tolerance_text),
      "how far (percent) simulated may be from measured")(
      "runs", po::value<int>(&setup.runs)->default_value(setup.runs),
      "simulated runs per measured group")(
      "seed", po::value<std::uint64_t>(&setup.seed)->default_value(setup.seed), "first seed")(
      "cores", po::value<int>(&cores)->default_value(cores),
      "cores of the host the measured servers shared");
  Parsed p;
  if (auto rc = parse({args.begin() + 1, args.end()}, desc, false, p)) return *rc;
  if (measured_path.empty()) return usage_error("calibrate: --measured FILE.csv is required");
  if (setup.runs <= 0 || setup.runs > 10000) {
    return usage_error("calibrate: --runs must be between 1 and 10000");
  }
  if (cores <= 0 || cores > 1024)
    return usage_error("calibrate: --cores must be between 1 and 1024");
  setup.cores_milli = std::int64_t{cores} * 1000;
  const auto tolerance = parse_percentage(tolerance_text);
  if (!tolerance) {
    return usage_error("calibrate: --tolerance must be a percentage such as 15%, got '" +
                       tolerance_text + "'");
  }
  setup.tolerance = *tolerance;
  auto measured = models::read_measurements(measured_path);
  if (auto* e = std::get_if<models::InputError>(&measured)) return input_error(*e);
  const auto& rows = std::get<std::vector<models::Measurement>>(measured);
  const models::CalibrationReport report = models::calibrate_zookeeper(rows, setup);
  std::cout << fmt::format("{}: {} rows; {} simulated runs per group from seed {}; {} cores\n\n",
                           measured_path, rows.size(), setup.runs, setup.seed, cores);
  print_calibration_rows(report);
  print_calibration_groups(report, setup.tolerance);
  const auto outside = std::count_if(report.rows.begin(), report.rows.end(),
                                     [](const auto& r) { return r.outside; });
  const auto bad_groups = std::count_if(report.groups.begin(), report.groups.end(),
                                        [](const auto& g) { return !g.ok; });
  std::cout << fmt::format("\n{} of {} trials more than {} outside the simulated range\n", outside,
                           rows.size(), percent(setup.tolerance));
  if (report.ok()) {
    std::cout << fmt::format("result: every mean within {}\n", percent(setup.tolerance));
    return kExitOk;
  }
  std::cout << fmt::format("result: {} means more than {} off\n", bad_groups,
                           percent(setup.tolerance));
  return kExitChecksFailed;
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
  if (command == "replay") return cmd_replay(args);
  if (command == "explore") return cmd_explore(args);
  if (command == "check") return cmd_check(args, false);
  if (command == "graph") return cmd_check(args, true);
  if (command == "bench") return cmd_bench(args);
  if (command == "calibrate") return cmd_calibrate(args);
  if (command == "rules") return cmd_rules(args);
  std::cerr << kUsage;
  return usage_error("unknown command '" + command + "'");
}
