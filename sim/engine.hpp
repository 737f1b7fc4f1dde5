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
//   schedule is O(1); taking the next event is amortised O(log16 of the time span), each event
//   moving between queue buckets at most 16 times (15 levels down, then into the run).
// - schedule/cancel may be called from inside a running callback. Not thread-safe: one engine per
//   thread; parallel sweeps run one engine per run.
#pragma once

#include <cstdint>
#include <limits>
#include <string_view>
#include <type_traits>
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

// Why run_until returned: the queue ran dry, the time limit came, stop() was called, or the
// event limit (set_event_limit) was reached.
enum class RunOutcome { kQueueEmpty, kReachedLimit, kStopped, kEventLimit };

class Engine {
 public:
  explicit Engine(std::uint64_t seed) : seed_(seed) {
    for (std::int64_t& m : bucket_min_) m = kNever;
  }
  Engine(const Engine&) = delete;
  Engine& operator=(const Engine&) = delete;

  SimTime now() const { return now_; }
  std::uint64_t seed() const { return seed_; }
  std::uint64_t events_processed() const { return events_processed_; }
  std::size_t pending_count() const { return live_count_; }

  // Schedules `cb` at absolute time `at` (clamped to now: the past is not reachable).
  TimerId schedule_at(SimTime at, Callback cb);
  TimerId schedule_after(SimTime delay, Callback cb) {
    return schedule_at(now_ + delay, std::move(cb));
  }
  // The same for a lambda or other callable: built in its slot, never moved.
  template <class F, class = std::enable_if_t<!std::is_same_v<std::decay_t<F>, Callback>>>
  TimerId schedule_at(SimTime at, F&& f) {
    const std::uint32_t slot = allocate_slot();
    slots_[slot].callback.emplace(std::forward<F>(f));
    return enqueue(at, slot);
  }
  template <class F, class = std::enable_if_t<!std::is_same_v<std::decay_t<F>, Callback>>>
  TimerId schedule_after(SimTime delay, F&& f) {
    return schedule_at(now_ + delay, std::forward<F>(f));
  }
  // Returns true if the event was pending and is now cancelled.
  bool cancel(TimerId id);
  bool is_pending(TimerId id) const;

  // Runs events with time <= limit. Afterwards the clock reads `limit` (whether the limit was
  // reached or the queue ran dry first: a boot observed until --until), or the last event's
  // time when the limit is infinite. Returns why it stopped.
  RunOutcome run_until(SimTime limit);
  // Makes run_until return after the current callback.
  void stop() { stop_requested_ = true; }
  // run_until returns kEventLimit once events_processed() reaches `max_events` (0: no limit),
  // so that a run's cost is bounded whatever its input.
  void set_event_limit(std::uint64_t max_events) { event_limit_ = max_events; }

  // A stream derived from (seed, stable id): see random.hpp.
  RandomStream stream(std::string_view stable_id) const { return RandomStream(seed_, stable_id); }

 private:
  struct Slot {
    Callback callback;
    std::uint32_t generation = 1;
    std::uint32_t next_free = 0;
  };
  // No sequence number: the queue keeps entries of equal time in the order they were
  // scheduled wherever they sit (see Bucket), so ties need no key of their own, and an entry
  // is 16 bytes instead of 24.
  struct Entry {
    std::int64_t time;
    std::uint32_t slot;
    std::uint32_t generation;
  };
  std::uint32_t allocate_slot() {
    if (free_head_ != kNoSlot) {
      const std::uint32_t slot = free_head_;
      free_head_ = slots_[slot].next_free;
      return slot;
    }
    return grow_slots();
  }
  std::uint32_t grow_slots();
  void release_slot(std::uint32_t slot);
  // Queues the event of `slot` (its callback set) at `at`, clamped to now.
  TimerId enqueue(SimTime at, std::uint32_t slot);
  void queue_push(const Entry& e);
  void insert_into_run(const Entry& e);
  // Spreads the run over buckets 0..run_max_ (relative to last_).
  void spill_run();
  // Fills the empty run with the entries of `from` (at most kSmallBucket), in (time, order
  // scheduled) order.
  void sort_into_run(const Entry* from, std::size_t n);
  // The first entry in (time, order scheduled) order if its time is <= limit, else nullptr. Looking
  // past the limit changes nothing: last_ must never pass the clock, or a later schedule_at
  // could fall before it.
  const Entry* next_due(std::int64_t limit);
  void queue_pop_front() {
    ++head_;
    --queued_;
  }
  void compact();

  std::uint64_t seed_;
  SimTime now_ = SimTime::zero();
  std::uint64_t event_limit_ = 0;
  std::uint64_t events_processed_ = 0;
  std::size_t live_count_ = 0;
  std::size_t stale_count_ = 0;
  bool stop_requested_ = false;
  // The queue: a radix heap on time (Ahuja, Mehlhorn, Orlin, Tarjan, "Faster algorithms for
  // the shortest path problem", J. ACM 37(2), 1990), with base-16 digits as in their
  // two-level variant. It relies on what a discrete-event clock guarantees: nothing is
  // scheduled before the last event taken out (last_). An entry whose time differs from last_
  // goes to bucket 16 level + digit, where level is the highest hexadecimal digit in which they
  // differ and digit is the time's value there (1..15: the time is the larger); bucket 0 holds
  // the entries at exactly last_, in the order scheduled, read from head_. Bucket order is
  // time order, so taking the next entry empties the lowest non-empty bucket into lower ones
  // around its minimum: each entry moves at most 16 times (at PHOLD's 1,000 pending events,
  // about once; one bit a level, as before, moved it three times), and the (time, order
  // scheduled) order is exactly a heap's. Times are non-negative int64: 16 levels.
  static constexpr int kBuckets = 256;
  // A vector whose append is inlined (std::vector::push_back is a call at -O2); capacity is
  // kept, so steady state allocates nothing.
  // Invariant (what replaces a sequence number): within every bucket, entries of equal time
  // are in the order they were scheduled. A new entry is the latest and is appended (or, in
  // the run, put after every entry at its time or earlier); entries moved out of a bucket go,
  // in their order, into buckets that are empty at that moment (the lower ones); the run is
  // filled by a stable sort; compaction removes without reordering.
  struct Bucket {
    std::vector<Entry> storage;
    std::size_t count = 0;
    bool empty() const { return count == 0; }
    std::size_t size() const { return count; }
    void clear() { count = 0; }
    Entry* begin() { return storage.data(); }
    Entry* end() { return storage.data() + count; }
    Entry& operator[](std::size_t i) { return storage[i]; }
    void resize(std::size_t n) {
      if (n > storage.size()) grow(n);
      count = n;
    }
    void push_back(const Entry& e) {
      if (count == storage.size()) [[unlikely]]
        grow(count);
      storage[count++] = e;
    }
    // Room for more than n entries, doubling so that appends are amortised O(1).
    void grow(std::size_t n) { storage.resize(n < 32 ? 32 : 2 * n); }
    // Emptied after its entries moved on: the storage is kept for the next fill, but not past
    // kKeptEntries. Buckets fill at different times, and keeping each one's largest fill held
    // about ten times the queue's entries at 10,000 agents (64 MB); PHOLD's never reach it.
    static constexpr std::size_t kKeptEntries = 16'384;
    void empty_out() {
      count = 0;
      if (storage.size() > kKeptEntries) std::vector<Entry>().swap(storage);
    }
  };
  Bucket buckets_[kBuckets];
  // Smallest time in each bucket, kNever when it is empty: a peek past the run's limit costs
  // O(1), not a scan, and a push updates it without a branch.
  static constexpr std::int64_t kNever = std::numeric_limits<std::int64_t>::max();
  std::int64_t bucket_min_[kBuckets];
  // Bit b of word b / 64 set: bucket b is non-empty (bucket 0's bit is ignored).
  std::uint64_t occupied_[kBuckets / 64] = {};
  int lowest_occupied() const;  // the lowest non-empty bucket above 0, else 0
  std::uint64_t last_ = 0;
  // Bucket 0 is the run: the entries in buckets 0..run_max_ (within last_'s block of
  // 16^level, level = (run_max_ + 1) / 16), sorted by (time, order scheduled) and read from
  // head_; buckets 1..run_max_ are empty. Taking a bucket of at most kSmallBucket entries
  // sorts it into the run instead of spreading it over lower buckets. A push into the run's
  // range is inserted in order (usually at its end); past kRunCap entries a run is spread
  // over the buckets again.
  // 32: the rank sort (sort_into_run) costs n - 1 comparisons an entry, a spread one move;
  // of 12, 24, 32, 48 and 64, the best balance of PHOLD at E=1 and E=10 (BENCHMARKS.md).
  static constexpr std::size_t kSmallBucket = 32;
  static constexpr std::size_t kRunCap = 128;
  int run_max_ = 0;
  std::vector<Entry> spill_;  // spill_run's scratch, kept to avoid allocating
  std::size_t head_ = 0;      // next entry of bucket 0
  std::size_t queued_ = 0;    // entries in the buckets, cancelled ones included
  std::vector<Slot> slots_;
  std::uint32_t free_head_ = kNoSlot;
  static constexpr std::uint32_t kNoSlot = 0xffffffffu;
};

}  // namespace bootsim::sim
