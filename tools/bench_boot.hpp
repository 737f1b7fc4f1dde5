// Boot benchmark: whole simulated DC/OS boots of the default scenario's set-up at a chosen cluster
// size, run in-process through models::run_scenario (`bootsim bench boot`); the scale figure that
// issue 12's work measures against (BENCHMARKS.md).
//
//   bootsim::tools::BootBenchOptions options;  // 1,000 private agents, 3 masters, 1 run, seed 42
//   options.agents = 5000;
//   return bootsim::tools::run_boot_bench(options, std::cout);
//
// The scenario is scenarios/default.yaml's set-up — profile dcos-1.9, one public agent, Kafka's
// start distribution, `cluster.ready within 10m`, until 30m, every parameter at its default —
// with `agents` private agents, `masters` masters and `services` installed services, by default
// one per 100 private agents (at least one: the first is `kafka` as in default.yaml, then
// service-2, service-3, …; all with Kafka's start distribution).
// So `--agents 10 --seed 42` is exactly `bootsim run scenarios/default.yaml` (same events, same
// fingerprint). Run r (counted from 0) uses seed `seed + r`.
//
// Contract: every figure except wall time and memory is a pure function of the options. The
// scenario is loaded and prepared (parameters resolved, profile parsed) once, as `bootsim sweep`
// prepares each grid point once; a run's wall time covers models::execute (building the world,
// the boot, the checks) and freeing its result. Peak RSS is the process's (getrusage), so it also
// counts whatever ran before in the same process. Runs are sequential, one at a time in memory.
#pragma once

#include <cstdint>
#include <iosfwd>
#include <optional>
#include <string>
#include <vector>

#include "models/run/cluster.hpp"
#include "models/scenario/scenario.hpp"

namespace bootsim::tools {

struct BootBenchOptions {
  std::uint64_t agents = 1000;  // private agents (the public agent of default.yaml is added)
  std::uint64_t masters = 3;    // 1, 3, 5, 7 or 9, as DC/OS accepts
  std::uint64_t runs = 1;
  std::uint64_t seed = 42;  // default.yaml's
  // Installed services; absent: one per 100 private agents, at least one (issue 12's set-up).
  std::optional<std::uint64_t> services;
  // --trace: full keeps every record's text, as `bootsim run` does; none keeps what a sweep does.
  sim::TraceLevel trace = sim::TraceLevel::kFull;
};

// One boot's figures.
struct BootRun {
  std::uint64_t seed = 0;
  std::uint64_t events = 0;       // events the kernel processed
  std::uint64_t fingerprint = 0;  // the run's trace fingerprint
  double wall_s = 0;              // steady clock, see the contract above
  double cpu_s = 0;  // this thread's user + system time over the same span: on a shared
                     // machine, the figure that waiting for a processor does not inflate
  std::optional<double> ready_s;  // simulated time of cluster.ready; absent: not reached
};

// Returns an empty string if the options can be run, else a one-line message naming the option.
std::string boot_bench_options_error(const BootBenchOptions& options);

// The scenario the benchmark runs, as YAML (scenarios/README.md's format).
std::string boot_bench_scenario(const BootBenchOptions& options);

// The benchmark's scenario, loaded and prepared once for all its runs. The constructor throws
// std::invalid_argument on options that boot_bench_options_error() refuses, std::runtime_error
// if the loader or prepare_run refuses the scenario (a bug: the options were checked).
class PreparedBoot {
 public:
  explicit PreparedBoot(const BootBenchOptions& options);
  PreparedBoot(const PreparedBoot&) = delete;  // prepared_ points into scenario_
  PreparedBoot& operator=(const PreparedBoot&) = delete;

  // Runs one boot with `seed` without printing; throws std::runtime_error if the run refuses
  // the prepared scenario.
  BootRun run(std::uint64_t seed) const;

 private:
  models::Scenario scenario_;
  models::PreparedRun prepared_;
};

// Prepares and runs boot number `run` (seed options.seed + run); throws as PreparedBoot does.
BootRun run_boot(const BootBenchOptions& options, std::uint64_t run);

// The process's peak resident set so far, in MiB (getrusage's ru_maxrss).
double peak_rss_mb();

// Runs options.runs boots one after the other and prints one line per run as it ends,
//   run=<r> seed=<s> events=<count> wall_s=<s> cpu_s=<s> events_per_s=<rate>
//       ready_s=<simulated s|none> fingerprint=<16 hex digits, as `bootsim run` prints it>
// then, last, the summary
//   agents=<N> events=<per run> wall_s=<s> events_per_s=<rate> peak_rss_mb=<MiB> runs_per_s=<r>
// where events is the mean per run (rounded), wall_s the median per run, events_per_s the total
// events over the total wall time and runs_per_s the runs over the total wall time.
// Returns 0; 1 (after a `warning:` line before the last one) if a run did not reach
// cluster.ready; 2 (after an `error:` line on std::cerr) if the options are refused.
int run_boot_bench(const BootBenchOptions& options, std::ostream& out);

// `bootsim bench boot [--agents N] [--masters M] [--services K] [--runs R] [--seed S]`: parses
// `args` (the
// words after "boot") and runs run_boot_bench(). Prints --help to `out` and returns 0; a usage
// error or refused options: a `bootsim: error:` line on std::cerr, returns 2.
int bench_boot_command(const std::vector<std::string>& args, std::ostream& out);

}  // namespace bootsim::tools
