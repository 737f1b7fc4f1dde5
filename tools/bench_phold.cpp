#include "tools/bench_phold.hpp"

#include <chrono>
#include <cmath>
#include <cstdint>
#include <iostream>
#include <queue>
#include <stdexcept>
#include <string>
#include <vector>

#include <fmt/format.h>

#include "sim/engine.hpp"
#include "sim/random.hpp"
#include "sim/time.hpp"

namespace bootsim::tools {
namespace {

// Both implementations share everything except the queue: the LPs' streams and counters.
struct Lps {
  std::vector<sim::RandomStream> streams;
  std::vector<std::uint64_t> counters;
};

Lps make_lps(const PholdOptions& options) {
  Lps lps;
  lps.streams.reserve(options.lps);
  for (std::uint64_t i = 0; i < options.lps; ++i) {
    lps.streams.emplace_back(options.seed, fmt::format("lp/{}", i));
  }
  lps.counters.assign(options.lps, 0);
  return lps;
}

// Exp(mean 1 s), PHOLD's increment, rounded to the kernel's nanosecond clock.
sim::SimTime draw_delay(sim::RandomStream& rng) {
  return sim::from_seconds(rng.exponential(1.0));
}

// FNV-1a over the counters: cheap, and any difference in which LP handled which event shows.
std::uint64_t fingerprint(const std::vector<std::uint64_t>& counters) {
  std::uint64_t h = 14695981039346656037ull;
  for (const std::uint64_t c : counters) {
    for (int byte = 0; byte < 8; ++byte) {
      h ^= (c >> (8 * byte)) & 0xffu;
      h *= 1099511628211ull;
    }
  }
  return h;
}

double seconds_since(std::chrono::steady_clock::time_point start) {
  return std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
}

void require_valid(const PholdOptions& options) {
  if (std::string error = phold_options_error(options); !error.empty()) {
    throw std::invalid_argument(error);
  }
}

// ---- Baseline: the hand-written loop of the reference table (no engine, no callbacks). ----

struct BaselineEvent {
  std::int64_t time_ns;
  std::uint64_t sequence;  // insertion order: ties run first-in-first-out, as in the Engine
  std::uint32_t lp;
};

// std::priority_queue is a max-heap: "less" here means "runs later".
struct RunsLater {
  bool operator()(const BaselineEvent& a, const BaselineEvent& b) const {
    return a.time_ns > b.time_ns || (a.time_ns == b.time_ns && a.sequence > b.sequence);
  }
};

// ---- Kernel: each event is an Engine callback capturing (state, destination LP). ----

struct KernelState {
  sim::Engine* engine;
  Lps lps;
  std::uint64_t n;
};

struct KernelEvent {
  KernelState* state;
  std::uint32_t lp;

  void operator()() const {
    KernelState& s = *state;
    ++s.lps.counters[lp];
    sim::RandomStream& rng = s.lps.streams[lp];
    const sim::SimTime delay = draw_delay(rng);
    const auto destination = static_cast<std::uint32_t>(rng.uniform_index(s.n));
    s.engine->schedule_after(delay, KernelEvent{state, destination});
  }
};
static_assert(sizeof(KernelEvent) <= sim::kCallbackCapacity);

std::string format_line(const PholdResult& r) {
  const double rate = r.wall_s > 0 ? static_cast<double>(r.events) / r.wall_s : 0.0;
  return fmt::format("events={} wall_s={:.3f} events_per_s={:.0f}", r.events, r.wall_s, rate);
}

}  // namespace

std::string phold_options_error(const PholdOptions& options) {
  // The destination LP travels as 32 bits in the callback capture, and the Engine indexes its
  // slots with 32 bits: keep both the LP count and the pending population within that.
  constexpr std::uint64_t kMaxPending = std::uint64_t{1} << 31;
  if (options.lps == 0 || options.lps > kMaxPending) {
    return fmt::format("--lps must be between 1 and {}", kMaxPending);
  }
  if (options.events_per_lp == 0 || options.events_per_lp > kMaxPending / options.lps) {
    return fmt::format("--events-per-lp must be at least 1 and lps x events-per-lp at most {}",
                       kMaxPending);
  }
  // 1e9 s keeps END + the largest delay far below the int64 nanosecond range (~9.2e9 s).
  if (!std::isfinite(options.end_s) || options.end_s <= 0 || options.end_s > 1e9) {
    return "--end must be a number of simulated seconds in (0, 1e9]";
  }
  return {};
}

PholdResult run_phold_baseline(const PholdOptions& options) {
  require_valid(options);
  const std::int64_t end_ns = sim::from_seconds(options.end_s).ns();
  const auto start = std::chrono::steady_clock::now();

  Lps lps = make_lps(options);
  std::vector<BaselineEvent> storage;
  storage.reserve(options.lps * options.events_per_lp + 1);
  std::priority_queue<BaselineEvent, std::vector<BaselineEvent>, RunsLater> queue(
      RunsLater{}, std::move(storage));
  std::uint64_t sequence = 0;
  for (std::uint64_t i = 0; i < options.lps; ++i) {
    for (std::uint64_t k = 0; k < options.events_per_lp; ++k) {
      queue.push({draw_delay(lps.streams[i]).ns(), sequence++, static_cast<std::uint32_t>(i)});
    }
  }

  std::uint64_t processed = 0;
  while (!queue.empty() && queue.top().time_ns < end_ns) {
    const BaselineEvent e = queue.top();
    queue.pop();
    ++processed;
    ++lps.counters[e.lp];
    sim::RandomStream& rng = lps.streams[e.lp];
    const sim::SimTime delay = draw_delay(rng);
    const auto destination = static_cast<std::uint32_t>(rng.uniform_index(options.lps));
    queue.push({e.time_ns + delay.ns(), sequence++, destination});
  }

  PholdResult result;
  result.wall_s = seconds_since(start);
  result.events = processed;
  result.fingerprint = fingerprint(lps.counters);
  return result;
}

PholdResult run_phold_kernel(const PholdOptions& options) {
  require_valid(options);
  const sim::SimTime end = sim::from_seconds(options.end_s);
  const auto start = std::chrono::steady_clock::now();

  sim::Engine engine(options.seed);
  KernelState state{&engine, make_lps(options), options.lps};
  for (std::uint64_t i = 0; i < options.lps; ++i) {
    for (std::uint64_t k = 0; k < options.events_per_lp; ++k) {
      engine.schedule_at(draw_delay(state.lps.streams[i]),
                         KernelEvent{&state, static_cast<std::uint32_t>(i)});
    }
  }
  // run_until runs events with time <= limit; PHOLD stops strictly before END.
  engine.run_until(end - sim::nanoseconds(1));

  PholdResult result;
  result.wall_s = seconds_since(start);
  result.events = engine.events_processed();
  result.fingerprint = fingerprint(state.lps.counters);
  return result;
}

int run_phold(const PholdOptions& options, std::ostream& out) {
  if (std::string error = phold_options_error(options); !error.empty()) {
    std::cerr << "bootsim: error: " << error << '\n';
    return 2;
  }
  const PholdResult baseline = run_phold_baseline(options);
  out << "baseline std::priority_queue: " << format_line(baseline) << '\n';
  const PholdResult kernel = run_phold_kernel(options);
  int status = 0;
  if (kernel.events != baseline.events || kernel.fingerprint != baseline.fingerprint) {
    out << fmt::format(
        "warning: the kernel and the baseline disagree (events {} vs {}, fingerprint {:016x} vs "
        "{:016x}): the engine did not run events in (time, insertion) order\n",
        kernel.events, baseline.events, kernel.fingerprint, baseline.fingerprint);
    status = 1;
  }
  out << format_line(kernel) << '\n';
  return status;
}

}  // namespace bootsim::tools
