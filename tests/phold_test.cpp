// PHOLD on the baseline loop and on sim::Engine: the two must process the same events (the
// kernel's (time, insertion sequence) order is what makes them agree), and a run must be a pure
// function of its options. Speed is measured by `bootsim bench phold`, never asserted here.
#include <catch2/catch.hpp>

#include <stdexcept>

#include "tools/bench_phold.hpp"

namespace bt = bootsim::tools;

TEST_CASE("PHOLD: the kernel processes the same events as the priority_queue baseline",
          "[phold][engine]") {
  bt::PholdOptions options;
  options.lps = 50;
  options.events_per_lp = 2;
  options.end_s = 200;
  options.seed = 7;

  const bt::PholdResult baseline = bt::run_phold_baseline(options);
  const bt::PholdResult kernel = bt::run_phold_kernel(options);
  // About N·E·END = 20,000 events: every pending event is replaced at rate 1/s.
  CHECK(baseline.events > 10'000);
  CHECK(baseline.events < 30'000);
  CHECK(kernel.events == baseline.events);
  CHECK(kernel.fingerprint == baseline.fingerprint);
}

TEST_CASE("PHOLD: a kernel run is deterministic, and the seed matters", "[phold][engine]") {
  bt::PholdOptions options;
  options.lps = 50;
  options.events_per_lp = 2;
  options.end_s = 200;

  const bt::PholdResult first = bt::run_phold_kernel(options);
  const bt::PholdResult second = bt::run_phold_kernel(options);
  CHECK(first.events == second.events);
  CHECK(first.fingerprint == second.fingerprint);

  options.seed = 2;
  const bt::PholdResult other = bt::run_phold_kernel(options);
  CHECK(other.fingerprint != first.fingerprint);
}

TEST_CASE("PHOLD: events at or after END are not processed", "[phold][engine]") {
  bt::PholdOptions options;
  options.lps = 1;
  options.events_per_lp = 1;
  options.end_s = 1e-9;  // END = 1 ns: only an event drawn at exactly t = 0 could run
  CHECK(bt::run_phold_kernel(options).events == 0);
  CHECK(bt::run_phold_baseline(options).events == 0);
}

TEST_CASE("PHOLD: options outside the benchmark's range are refused", "[phold]") {
  bt::PholdOptions options;
  CHECK(bt::phold_options_error(options).empty());
  options.lps = 0;
  CHECK_FALSE(bt::phold_options_error(options).empty());
  CHECK_THROWS_AS(bt::run_phold_kernel(options), std::invalid_argument);
  options.lps = 10;
  options.events_per_lp = 0;
  CHECK_FALSE(bt::phold_options_error(options).empty());
  options.events_per_lp = 1;
  options.end_s = -1;
  CHECK_FALSE(bt::phold_options_error(options).empty());
}
