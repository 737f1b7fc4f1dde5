// PHOLD: the standard event-rate benchmark for a discrete-event kernel, run twice — on a
// hand-written std::priority_queue loop (the baseline, no engine at all) and on sim::Engine.
//
//   bootsim::tools::PholdOptions options;  // N = 1000 LPs, E = 1, END = 20000 s, seed 1
//   return bootsim::tools::run_phold(options, std::cout);
//
// The setting is ROSS's PHOLD with remote = 1, lookahead = 0, mean = 1 (the one the ROSS, SimGrid,
// OMNeT++ and ns-3 papers compare): N logical processes (LPs) each start with E events addressed
// to themselves at Exp(mean 1 s); handling an event at LP i at time t bumps LP i's counter, draws
// d ~ Exp(mean 1 s) and a destination j uniform over all N LPs (i included) from LP i's own
// stream, and schedules one event for j at t + d, so exactly N·E events are always pending.
// Events at or after END are not processed.
//
// Contract: both implementations draw from the same streams, RandomStream(seed, "lp/<i>"), in the
// same order (per event: the delay, then the destination) and break ties by insertion order, so
// they process the same events in the same order: equal counts and equal fingerprints are a check
// of the kernel's ordering, not a coincidence. Results other than wall time are a pure function of
// the options. Memory is O(N·E); the run is single-threaded.
#pragma once

#include <cstdint>
#include <iosfwd>
#include <string>

namespace bootsim::tools {

struct PholdOptions {
  std::uint64_t lps = 1000;         // N
  std::uint64_t events_per_lp = 1;  // E: events in flight per LP
  double end_s = 20000;             // END, in simulated seconds
  std::uint64_t seed = 1;
};

struct PholdResult {
  std::uint64_t events = 0;       // events processed (time < END)
  std::uint64_t fingerprint = 0;  // hash of every LP's final counter: equal runs, equal values
  double wall_s = 0;              // steady-clock time from creating the LPs to the end of the run
};

// Returns an empty string if the options can be run, else a one-line message naming the option.
std::string phold_options_error(const PholdOptions& options);

// The two implementations, without printing. Both throw std::invalid_argument on options that
// phold_options_error() refuses.
PholdResult run_phold_baseline(const PholdOptions& options);
PholdResult run_phold_kernel(const PholdOptions& options);

// Runs both and prints two lines to `out`: first
//   baseline std::priority_queue: events=<count> wall_s=<s> events_per_s=<rate>
// then, last, the kernel's
//   events=<count> wall_s=<s> events_per_s=<rate>
// Returns 0; 1 (after a `warning:` line before the last one) if the two runs disagree; 2 (after
// an `error:` line on std::cerr) if the options are refused.
int run_phold(const PholdOptions& options, std::ostream& out);

}  // namespace bootsim::tools
