// Engine: the simulated clock and its event queue, one per run.
//
//   sim::Engine engine(seed);
//   engine.schedule_after(sim::seconds(2), [&] { /* runs at t = 2 s */ });
//   engine.run_until(sim::minutes(10));
//
// Contract:
// - Events run in order of (time, insertion sequence): events scheduled for the same instant run
//   first-in-first-out. A run is a pure function of the seed and the calls made: no globals.
// - Callbacks are stored inline (at most kCallbackCapacity bytes of capture): no heap allocation
//   per event once the queue has grown to its working size.
// - cancel() is O(1): the slot is released at once and its queue entry skipped when reached.
// - schedule/cancel may be called from inside a running callback. Not thread-safe: one engine per
//   thread; parallel sweeps run one engine per run.
#pragma once

#include <cstdint>
#include <string_view>
#include <utility>
#include <vector>

#include "sim/detail/inline_function.hpp"
#include "sim/random.hpp"
#include "sim/time.hpp"

namespace bootsim::sim {

inline constexpr std::size_t kCallbackCapacity = 64;
using Callback = detail::InlineFunction<kCallbackCapacity>;

// Names one scheduled event. Stale ids (fired or cancelled) are recognised, never misapplied.
class TimerId {
 public:
  constexpr TimerId() = default;
  constexpr bool valid() const { return generation_ != 0; }
  friend constexpr bool operator==(TimerId, TimerId) = default;

 private:
  friend class Engine;
  constexpr TimerId(std::uint32_t slot, std::uint32_t generation)
      : slot_(slot), generation_(generation) {}
  std::uint32_t slot_ = 0;
  std::uint32_t generation_ = 0;  // 0 = never scheduled
};

enum class RunOutcome { kQueueEmpty, kReachedLimit, kStopped };

class Engine {
 public:
  explicit Engine(std::uint64_t seed) : seed_(seed) {}
  Engine(const Engine&) = delete;
  Engine& operator=(const Engine&) = delete;

  SimTime now() const { return now_; }
  std::uint64_t seed() const { return seed_; }
  std::uint64_t events_processed() const { return events_processed_; }
  std::size_t pending_count() const { return live_count_; }

  // Schedules `cb` at absolute time `at` (clamped to now: the past is not reachable).
  TimerId schedule_at(SimTime at, Callback cb);
  TimerId schedule_after(SimTime delay, Callback cb) { return schedule_at(now_ + delay, std::move(cb)); }
  // Returns true if the event was pending and is now cancelled.
  bool cancel(TimerId id);
  bool is_pending(TimerId id) const;

  // Runs events with time <= limit. Afterwards the clock reads `limit` (whether the limit was
  // reached or the queue ran dry first: a boot observed until --until), or the last event's
  // time when the limit is infinite. Returns why it stopped.
  RunOutcome run_until(SimTime limit);
  // Makes run_until return after the current callback.
  void stop() { stop_requested_ = true; }

  // A stream derived from (seed, stable id): see random.hpp.
  RandomStream stream(std::string_view stable_id) const { return RandomStream(seed_, stable_id); }

 private:
  struct Slot {
    Callback callback;
    std::uint32_t generation = 1;
    std::uint32_t next_free = 0;
  };
  struct Entry {
    std::int64_t time;
    std::uint64_t sequence;
    std::uint32_t slot;
    std::uint32_t generation;
  };
  static bool before(const Entry& a, const Entry& b) {
    return a.time < b.time || (a.time == b.time && a.sequence < b.sequence);
  }
  std::uint32_t allocate_slot();
  void release_slot(std::uint32_t slot);
  void heap_push(const Entry& e);
  Entry heap_pop();
  void sift_down(std::size_t i);
  void compact();

  std::uint64_t seed_;
  SimTime now_ = SimTime::zero();
  std::uint64_t next_sequence_ = 0;
  std::uint64_t events_processed_ = 0;
  std::size_t live_count_ = 0;
  std::size_t stale_count_ = 0;
  bool stop_requested_ = false;
  std::vector<Entry> heap_;  // 4-ary min-heap on (time, sequence)
  std::vector<Slot> slots_;
  std::uint32_t free_head_ = kNoSlot;
  static constexpr std::uint32_t kNoSlot = 0xffffffffu;
};

}  // namespace bootsim::sim
