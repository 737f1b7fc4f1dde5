#include "tools/bench_boot.hpp"

#include <sys/resource.h>

#include <algorithm>
#include <chrono>
#include <cstdint>
#include <iostream>
#include <stdexcept>
#include <string>
#include <variant>
#include <vector>

#include <fmt/format.h>
#include <boost/program_options.hpp>

#include "models/run/cluster.hpp"
#include "models/scenario/scenario.hpp"

namespace bootsim::tools {
namespace {

// Beyond these the run is not a benchmark any more but a memory test (about 50 kB an agent at
// --trace none, 110 kB at full: BENCHMARKS.md); the cap on runs keeps a typo from running for
// days.
constexpr std::uint64_t kMaxAgents = 1'000'000;
constexpr std::uint64_t kMaxRuns = 100'000;
constexpr std::uint64_t kMaxServices = 10'000;
// One installed service per this many private agents (issue 12's set-up).
constexpr std::uint64_t kAgentsPerService = 100;

void require_valid(const BootBenchOptions& options) {
  if (std::string error = boot_bench_options_error(options); !error.empty()) {
    throw std::invalid_argument(error);
  }
}

models::Scenario load_bench_scenario(const BootBenchOptions& options) {
  auto loaded = models::load_scenario_text(boot_bench_scenario(options), "<bench boot>");
  if (auto* e = std::get_if<models::InputError>(&loaded)) {
    throw std::runtime_error("bench boot: the generated scenario is refused: " + e->format());
  }
  return std::get<models::Scenario>(std::move(loaded));
}

models::PreparedRun prepare(const models::Scenario& scenario, sim::TraceLevel trace) {
  models::RunOptions options;
  options.trace_level = trace;
  auto prepared = models::prepare_run(scenario, options);
  if (auto* e = std::get_if<models::InputError>(&prepared)) {
    throw std::runtime_error("bench boot: the run refused the scenario: " + e->format());
  }
  return std::get<models::PreparedRun>(std::move(prepared));
}

// User + system time of the calling thread, in seconds.
double thread_cpu_s() {
  rusage usage{};
  if (getrusage(RUSAGE_THREAD, &usage) != 0) return 0;
  auto seconds = [](const timeval& t) {
    return static_cast<double>(t.tv_sec) + static_cast<double>(t.tv_usec) / 1e6;
  };
  return seconds(usage.ru_utime) + seconds(usage.ru_stime);
}

double rate(double count, double seconds) {
  return seconds > 0 ? count / seconds : 0.0;
}

double median(std::vector<double> values) {
  std::sort(values.begin(), values.end());
  const std::size_t n = values.size();
  if (n == 0) return 0;
  return n % 2 == 1 ? values[n / 2] : (values[n / 2 - 1] + values[n / 2]) / 2;
}

}  // namespace

std::string boot_bench_options_error(const BootBenchOptions& options) {
  if (options.agents == 0 || options.agents > kMaxAgents) {
    return fmt::format("--agents must be between 1 and {}", kMaxAgents);
  }
  const std::uint64_t m = options.masters;
  if (m != 1 && m != 3 && m != 5 && m != 7 && m != 9) {
    return fmt::format("--masters: DC/OS accepts 1, 3, 5, 7 or 9 masters, got {}", m);
  }
  if (options.services && (*options.services == 0 || *options.services > kMaxServices)) {
    return fmt::format("--services must be between 1 and {}", kMaxServices);
  }
  if (options.runs == 0 || options.runs > kMaxRuns) {
    return fmt::format("--runs must be between 1 and {}", kMaxRuns);
  }
  if (options.seed > UINT64_MAX - options.runs) {
    return "--seed: seed + runs must stay below 2^64";
  }
  return {};
}

std::string boot_bench_scenario(const BootBenchOptions& options) {
  // As scenarios/default.yaml, but for the counts and the services.
  std::string yaml = fmt::format(
      "name: bench-boot\n"
      "description: \"default.yaml's set-up with {} masters and {} private agents\"\n"
      "profile: dcos-1.9\n"
      "seed: {}\n"
      "until: 30m\n"
      "cluster:\n"
      "  masters: {}\n"
      "  agents: {{private: {}, public: 1}}\n"
      "budgets:\n"
      "  - {{milestone: cluster.ready, within: 10m}}\n"
      "services:\n",
      options.masters, options.agents, options.seed, options.masters, options.agents);
  const std::uint64_t services = options.services.value_or(
      std::max<std::uint64_t>(1, (options.agents + kAgentsPerService - 1) / kAgentsPerService));
  for (std::uint64_t i = 1; i <= services; ++i) {
    const std::string name = i == 1 ? std::string("kafka") : fmt::format("service-{}", i);
    yaml += fmt::format(
        "  - {{name: {}, start: \"lognormal(median=20s, p99=60s)\", instances: 1}}\n", name);
  }
  return yaml;
}

PreparedBoot::PreparedBoot(const BootBenchOptions& options)
    : scenario_((require_valid(options), load_bench_scenario(options))),
      prepared_(prepare(scenario_, options.trace)) {}

BootRun PreparedBoot::run(std::uint64_t seed) const {
  BootRun figures;
  figures.seed = seed;
  const double cpu_start = thread_cpu_s();
  const auto start = std::chrono::steady_clock::now();
  {
    auto result = models::execute(prepared_, seed);
    if (auto* e = std::get_if<models::InputError>(&result)) {
      throw std::runtime_error("bench boot: the run refused the scenario: " + e->format());
    }
    const models::RunResult& r = std::get<models::RunResult>(result);
    figures.events = r.events;
    figures.fingerprint = r.fingerprint;
    if (r.ready_at) figures.ready_s = r.ready_at->to_seconds();
  }  // the result (trace and all) is freed inside the timed span: part of a boot's cost
  figures.wall_s = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
  figures.cpu_s = thread_cpu_s() - cpu_start;
  return figures;
}

BootRun run_boot(const BootBenchOptions& options, std::uint64_t run) {
  return PreparedBoot(options).run(options.seed + run);
}

double peak_rss_mb() {
  rusage usage{};
  if (getrusage(RUSAGE_SELF, &usage) != 0) return 0;
  return static_cast<double>(usage.ru_maxrss) / 1024.0;  // Linux reports KiB
}

int run_boot_bench(const BootBenchOptions& options, std::ostream& out) {
  if (std::string error = boot_bench_options_error(options); !error.empty()) {
    std::cerr << "bootsim: error: bench boot: " << error << '\n';
    return 2;
  }
  std::vector<double> walls;
  double total_wall = 0, total_events = 0;
  std::uint64_t not_ready = 0;
  const PreparedBoot boot(options);
  for (std::uint64_t r = 0; r < options.runs; ++r) {
    const BootRun run = boot.run(options.seed + r);
    walls.push_back(run.wall_s);
    total_wall += run.wall_s;
    total_events += static_cast<double>(run.events);
    if (!run.ready_s) ++not_ready;
    out << fmt::format(
               "run={} seed={} events={} wall_s={:.3f} cpu_s={:.3f} events_per_s={:.0f} ready_s={} "
               "fingerprint={:016x}\n",
               r + 1, run.seed, run.events, run.wall_s, run.cpu_s,
               rate(static_cast<double>(run.events), run.wall_s),
               run.ready_s ? fmt::format("{:.3f}", *run.ready_s) : "none", run.fingerprint)
        << std::flush;
  }
  const auto runs = static_cast<double>(options.runs);
  if (not_ready > 0) {
    out << fmt::format(
        "warning: {} of {} runs did not reach cluster.ready: their figures are not whole boots\n",
        not_ready, options.runs);
  }
  out << fmt::format(
      "agents={} events={:.0f} wall_s={:.3f} events_per_s={:.0f} peak_rss_mb={:.1f} "
      "runs_per_s={:.2f}\n",
      options.agents, total_events / runs, median(walls), rate(total_events, total_wall),
      peak_rss_mb(), rate(runs, total_wall));
  return not_ready > 0 ? 1 : 0;
}

int bench_boot_command(const std::vector<std::string>& args, std::ostream& out) {
  namespace po = boost::program_options;
  BootBenchOptions o;
  po::options_description desc("bootsim bench boot [options]");
  desc.add_options()("help,h", "this help")(
      "agents", po::value<std::uint64_t>(&o.agents)->default_value(o.agents),
      "private agents (plus one public agent)")(
      "masters", po::value<std::uint64_t>(&o.masters)->default_value(o.masters),
      "masters: 1, 3, 5, 7 or 9")(
      "services", po::value<std::uint64_t>(),
      "installed services (default: one per 100 private agents, at least one)")(
      "runs", po::value<std::uint64_t>(&o.runs)->default_value(o.runs),
      "boots, one after the other")("seed",
                                    po::value<std::uint64_t>(&o.seed)->default_value(o.seed),
                                    "seed of the first run (run r uses seed + r)")(
      "trace", po::value<std::string>()->default_value("full"),
      "what each run keeps of its trace: full (as bootsim run), milestones, or none (as "
      "bootsim sweep)");
  po::variables_map vm;
  try {
    po::store(po::command_line_parser(args).options(desc).run(), vm);
    po::notify(vm);
  } catch (const po::error& e) {
    std::cerr << "bootsim: error: bench boot: " << e.what() << '\n';
    return 2;
  }
  if (vm.count("help")) {  // whatever else the line says, as `bootsim run --help` does
    out << desc;
    return 0;
  }
  if (vm.count("services")) o.services = vm["services"].as<std::uint64_t>();
  const std::string& trace = vm["trace"].as<std::string>();
  if (const auto level = sim::trace_level_named(trace)) {
    o.trace = *level;
  } else {
    std::cerr << "bootsim: error: bench boot: --trace must be " << sim::trace_level_choices()
              << ", got '" << trace << "'\n";
    return 2;
  }
  return run_boot_bench(o, out);
}

}  // namespace bootsim::tools
