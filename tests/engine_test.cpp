#include "sim/engine.hpp"

#include <algorithm>
#include <catch2/catch.hpp>
#include <cstdint>
#include <map>
#include <memory>
#include <string>
#include <type_traits>
#include <utility>
#include <vector>

namespace sim = bootsim::sim;
using sim::Engine;
using sim::RunOutcome;
using sim::SimTime;
using sim::TimerId;

TEST_CASE("events run in time order and set the clock", "[engine]") {
  Engine engine(1);
  std::vector<std::pair<int, std::int64_t>> ran;
  for (const int s : {5, 1, 3, 2, 4}) {
    engine.schedule_at(sim::seconds(s),
                       [&ran, &engine, s] { ran.emplace_back(s, engine.now().ns()); });
  }
  CHECK(engine.pending_count() == 5);
  CHECK(engine.run_until(SimTime::infinite()) == RunOutcome::kQueueEmpty);
  REQUIRE(ran.size() == 5);
  for (int i = 0; i < 5; ++i) {
    CHECK(ran[i].first == i + 1);
    CHECK(ran[i].second == sim::seconds(i + 1).ns());
  }
  CHECK(engine.now() == sim::seconds(5));  // an unbounded run leaves the clock at the last event
  CHECK(engine.events_processed() == 5);
  CHECK(engine.pending_count() == 0);
}

TEST_CASE("events at the same instant run first-in-first-out", "[engine]") {
  Engine engine(1);
  std::vector<int> ran;
  // Interleave two instants so that the heap really has to order ties by sequence.
  for (int i = 0; i < 1000; ++i) {
    engine.schedule_at(sim::seconds(2), [&ran, i] { ran.push_back(1000 + i); });
    engine.schedule_at(sim::seconds(1), [&ran, i] { ran.push_back(i); });
  }
  engine.run_until(SimTime::infinite());
  REQUIRE(ran.size() == 2000);
  for (int i = 0; i < 2000; ++i) REQUIRE(ran[i] == i);
}

TEST_CASE("callbacks may schedule, including at the current instant", "[engine]") {
  Engine engine(1);
  std::vector<std::string> ran;
  engine.schedule_at(sim::seconds(1), [&] {
    ran.push_back("a");
    // At now: after the ties already queued for t = 1 s ("b"), before later times.
    engine.schedule_after(SimTime::zero(), [&] { ran.push_back("a-now"); });
    // In the past: clamped to now, so also after "b" (and after "a-now": FIFO).
    engine.schedule_at(sim::milliseconds(500), [&] { ran.push_back("a-past"); });
    engine.schedule_after(sim::milliseconds(1), [&] {
      ran.push_back("a+1ms");
      CHECK(engine.now() == sim::milliseconds(1'001));
    });
  });
  engine.schedule_at(sim::seconds(1), [&] { ran.push_back("b"); });
  engine.schedule_at(sim::seconds(2), [&] { ran.push_back("c"); });
  engine.run_until(SimTime::infinite());
  CHECK(ran == std::vector<std::string>{"a", "b", "a-now", "a-past", "a+1ms", "c"});
}

TEST_CASE("cancel prevents an event and never hits a reused slot", "[engine]") {
  Engine engine(1);
  std::vector<int> ran;
  const TimerId a = engine.schedule_at(sim::seconds(1), [&] { ran.push_back(1); });
  const TimerId b = engine.schedule_at(sim::seconds(2), [&] { ran.push_back(2); });
  CHECK(engine.is_pending(a));
  CHECK(engine.cancel(a));
  CHECK_FALSE(engine.is_pending(a));
  CHECK_FALSE(engine.cancel(a));  // already cancelled
  CHECK(engine.pending_count() == 1);

  // The freed slot is reused; the stale id must not reach the new event.
  const TimerId c = engine.schedule_at(sim::seconds(3), [&] { ran.push_back(3); });
  CHECK_FALSE(c == a);
  CHECK_FALSE(engine.cancel(a));
  CHECK(engine.is_pending(c));

  engine.run_until(SimTime::infinite());
  CHECK(ran == std::vector<int>{2, 3});
  CHECK_FALSE(engine.cancel(b));  // already fired
  CHECK_FALSE(engine.is_pending(b));

  // A fired id whose slot was reused does not cancel the newcomer either.
  const TimerId d = engine.schedule_after(sim::seconds(1), [&] { ran.push_back(4); });
  CHECK_FALSE(engine.cancel(b));
  CHECK_FALSE(engine.cancel(c));
  CHECK(engine.is_pending(d));
  CHECK_FALSE(engine.cancel(TimerId{}));  // never scheduled
  CHECK_FALSE(TimerId{}.valid());
  engine.run_until(SimTime::infinite());
  CHECK(ran == std::vector<int>{2, 3, 4});
}

TEST_CASE("cancel from inside callbacks", "[engine]") {
  Engine engine(1);
  std::vector<int> ran;
  TimerId self, later;
  self = engine.schedule_at(sim::seconds(1), [&] {
    ran.push_back(1);
    CHECK_FALSE(engine.is_pending(self));  // a running event is no longer pending
    CHECK_FALSE(engine.cancel(self));
    CHECK(engine.cancel(later));  // same instant, queued behind us
  });
  later = engine.schedule_at(sim::seconds(1), [&] { ran.push_back(2); });
  engine.schedule_at(sim::seconds(1), [&] { ran.push_back(3); });
  engine.run_until(SimTime::infinite());
  CHECK(ran == std::vector<int>{1, 3});
  CHECK(engine.events_processed() == 2);
}

TEST_CASE("cancel releases the callback's captures at once", "[engine]") {
  Engine engine(1);
  auto token = std::make_shared<int>(7);
  const TimerId id = engine.schedule_after(sim::seconds(1), [token] { (void)*token; });
  CHECK(token.use_count() == 2);
  engine.cancel(id);
  CHECK(token.use_count() == 1);
  // Move-only captures are fine.
  int seen = 0;
  engine.schedule_after(sim::seconds(1), [p = std::make_unique<int>(42), &seen] { seen = *p; });
  engine.run_until(SimTime::infinite());
  CHECK(seen == 42);
}

TEST_CASE("run_until runs events at the limit and keeps later ones", "[engine]") {
  Engine engine(1);
  std::vector<int> ran;
  engine.schedule_at(sim::seconds(1), [&] { ran.push_back(1); });
  engine.schedule_at(sim::seconds(2), [&] { ran.push_back(2); });
  engine.schedule_at(sim::seconds(3), [&] { ran.push_back(3); });

  CHECK(engine.run_until(sim::seconds(2)) == RunOutcome::kReachedLimit);
  CHECK(ran == std::vector<int>{1, 2});
  CHECK(engine.now() == sim::seconds(2));
  CHECK(engine.pending_count() == 1);

  // Nothing between 2 s and 2.5 s: the clock still advances to the limit.
  CHECK(engine.run_until(sim::milliseconds(2'500)) == RunOutcome::kReachedLimit);
  CHECK(engine.now() == sim::milliseconds(2'500));
  // Scheduling is relative to that clock.
  engine.schedule_after(sim::seconds(1), [&] { ran.push_back(35); });

  CHECK(engine.run_until(sim::seconds(10)) == RunOutcome::kQueueEmpty);
  CHECK(ran == std::vector<int>{1, 2, 3, 35});
  CHECK(engine.now() == sim::seconds(10));  // observed until the limit

  // An empty run to infinity leaves the clock alone.
  CHECK(engine.run_until(SimTime::infinite()) == RunOutcome::kQueueEmpty);
  CHECK(engine.now() == sim::seconds(10));
}

TEST_CASE("run_until reports an empty queue when only cancelled events remain", "[engine]") {
  Engine engine(1);
  const TimerId late = engine.schedule_at(sim::seconds(20), [] {});
  engine.schedule_at(sim::seconds(1), [] {});
  engine.cancel(late);
  CHECK(engine.pending_count() == 1);
  CHECK(engine.run_until(sim::seconds(5)) == RunOutcome::kQueueEmpty);
  CHECK(engine.now() == sim::seconds(5));
  CHECK(engine.events_processed() == 1);
}

TEST_CASE("stop returns after the current callback", "[engine]") {
  Engine engine(1);
  std::vector<int> ran;
  engine.schedule_at(sim::seconds(1), [&] { ran.push_back(1); });
  engine.schedule_at(sim::seconds(2), [&] {
    ran.push_back(2);
    engine.stop();
  });
  engine.schedule_at(sim::seconds(2), [&] { ran.push_back(22); });
  engine.schedule_at(sim::seconds(3), [&] { ran.push_back(3); });
  CHECK(engine.run_until(SimTime::infinite()) == RunOutcome::kStopped);
  CHECK(ran == std::vector<int>{1, 2});
  CHECK(engine.now() == sim::seconds(2));
  CHECK(engine.pending_count() == 2);
  // The next run resumes where it stopped.
  CHECK(engine.run_until(SimTime::infinite()) == RunOutcome::kQueueEmpty);
  CHECK(ran == std::vector<int>{1, 2, 22, 3});
}

TEST_CASE("engine streams depend on the seed and the id only", "[engine]") {
  const Engine a(5), b(5), c(6);
  auto s1 = a.stream("master-1/zookeeper");
  auto s2 = b.stream("master-1/zookeeper");
  auto s3 = c.stream("master-1/zookeeper");
  const auto x1 = s1.next_u64();
  CHECK(x1 == s2.next_u64());
  CHECK(x1 != s3.next_u64());
  CHECK(a.seed() == 5);
}

namespace {

// An obviously correct queue: a sorted map from (time, sequence) to a label.
class ReferenceQueue {
 public:
  SimTime now() const { return now_; }
  void schedule_at(SimTime at, int label) {
    if (at < now_) at = now_;
    const Key key{at.ns(), next_sequence_++};
    queue_.emplace(key, label);
    if (static_cast<std::size_t>(label) >= keys_.size()) keys_.resize(label + 1);
    keys_[label] = key;
  }
  bool cancel(int label) { return queue_.erase(keys_[label]) == 1; }
  std::size_t pending_count() const { return queue_.size(); }
  template <class Fire>
  void run_until(SimTime limit, Fire&& fire) {
    while (!queue_.empty() && queue_.begin()->first.first <= limit.ns()) {
      const auto [key, label] = *queue_.begin();
      queue_.erase(queue_.begin());
      now_ = SimTime::from_ns(key.first);
      fire(label);
    }
    if (!limit.is_infinite()) now_ = std::max(now_, limit);
  }

 private:
  using Key = std::pair<std::int64_t, std::uint64_t>;
  std::map<Key, int> queue_;
  std::vector<Key> keys_;
  SimTime now_;
  std::uint64_t next_sequence_ = 0;
};

// The engine behind the same interface as the reference.
class EngineQueue {
 public:
  template <class Fire>
  void bind(Fire* fire) {
    fire_ = [](void* f, int label) { (*static_cast<Fire*>(f))(label); };
    fire_arg_ = fire;
  }
  SimTime now() const { return engine_.now(); }
  void schedule_at(SimTime at, int label) {
    if (static_cast<std::size_t>(label) >= ids_.size()) ids_.resize(label + 1);
    ids_[label] = engine_.schedule_at(at, [this, label] { fire_(fire_arg_, label); });
  }
  bool cancel(int label) { return engine_.cancel(ids_[label]); }
  std::size_t pending_count() const { return engine_.pending_count(); }
  template <class Fire>
  void run_until(SimTime limit, Fire&&) {
    engine_.run_until(limit);
  }

 private:
  Engine engine_{1};
  std::vector<TimerId> ids_;
  void (*fire_)(void*, int) = nullptr;
  void* fire_arg_ = nullptr;
};

// Random schedules and cancels, from outside and inside callbacks, all decided by one stream:
// two drivers over queues that order events alike make identical logs.
template <class Queue>
class Driver {
 public:
  // spread: delays of every magnitude up to 2^40 ns instead of a coarse grid, so that the
  // engine's queue takes small buckets whole into its sorted run and inserts into that run.
  explicit Driver(std::uint64_t seed, bool spread = false)
      : rng_(seed, "engine-stress"), spread_(spread) {}

  void schedule_one() {
    const int label = next_label_++;
    // Many ties (a coarse grid, with zero delays) and some far-future events.
    SimTime delay = SimTime::zero();
    const auto kind = rng_.uniform_index(10);
    if (kind >= 3) delay = sim::nanoseconds(static_cast<std::int64_t>(rng_.uniform_index(50)));
    if (kind == 9) delay = sim::seconds(static_cast<std::int64_t>(rng_.uniform_index(1000)));
    if (kind == 8) delay = SimTime::zero() - sim::nanoseconds(5);  // the past: clamped
    if (spread_ && kind >= 3 && kind <= 7) {
      const auto bits = static_cast<int>(rng_.uniform_index(41));
      delay =
          sim::nanoseconds(static_cast<std::int64_t>(rng_.uniform_index(std::uint64_t{1} << bits)));
    }
    queue_.schedule_at(queue_.now() + delay, label);
    live_index_.resize(next_label_, -1);
    live_index_[label] = static_cast<int>(live_.size());
    live_.push_back(label);
  }
  void cancel_live() {
    if (live_.empty()) return;
    const int label = live_[rng_.uniform_index(live_.size())];
    forget(label);
    cancel_results_.push_back(queue_.cancel(label));
  }
  void cancel_dead() {
    if (next_label_ == 0) return;
    const int label = static_cast<int>(rng_.uniform_index(next_label_));
    if (live_index_[label] >= 0) return;
    cancel_results_.push_back(queue_.cancel(label));
  }
  void fire(int label) {
    log_.emplace_back(label, queue_.now().ns());
    forget(label);
    const auto actions = rng_.uniform_index(4);
    for (std::uint64_t i = 0; i < actions; ++i) {
      const auto what = rng_.uniform_index(10);
      if (what < 6)
        schedule_one();
      else if (what < 9)
        cancel_live();
      else
        cancel_dead();
    }
  }
  void run_until(SimTime limit) {
    auto f = [this](int label) { fire(label); };
    if constexpr (std::is_same_v<Queue, EngineQueue>) queue_.bind(&f);
    queue_.run_until(limit, f);
    checkpoints_.emplace_back(queue_.now().ns(), queue_.pending_count());
  }
  std::uint64_t draw(std::uint64_t n) { return rng_.uniform_index(n); }
  std::size_t live_count() const { return live_.size(); }

  const auto& log() const { return log_; }
  const auto& cancel_results() const { return cancel_results_; }
  const auto& checkpoints() const { return checkpoints_; }

 private:
  void forget(int label) {
    const int at = live_index_[label];
    if (at < 0) return;
    const int moved = live_.back();
    live_[at] = moved;
    live_index_[moved] = at;
    live_.pop_back();
    live_index_[label] = -1;
  }

  Queue queue_;
  sim::RandomStream rng_;
  bool spread_ = false;
  int next_label_ = 0;
  std::vector<int> live_;
  std::vector<int> live_index_;
  std::vector<std::pair<int, std::int64_t>> log_;
  std::vector<bool> cancel_results_;
  std::vector<std::pair<std::int64_t, std::size_t>> checkpoints_;
};

template <class Queue>
void stress(Driver<Queue>& d) {
  for (int round = 0; round < 6; ++round) {
    // A burst big enough that cancelling most of it leaves > 4096 stale heap entries, which
    // makes the engine compact its heap (several times) while events are still pending.
    for (int i = 0; i < 20'000; ++i) d.schedule_one();
    const std::size_t to_cancel = d.live_count() * 3 / 4;
    for (std::size_t i = 0; i < to_cancel; ++i) d.cancel_live();
    for (int i = 0; i < 200; ++i) d.cancel_dead();
    // Then run in slices whose limits fall on, between and beyond event times.
    for (int slice = 0; slice < 20; ++slice) {
      for (int i = 0, n = static_cast<int>(d.draw(200)); i < n; ++i) d.schedule_one();
      d.run_until(
          sim::nanoseconds(static_cast<std::int64_t>(round * 1000 + slice * 5 + d.draw(3))));
    }
  }
  d.run_until(SimTime::infinite());
}

}  // namespace

TEST_CASE("engine matches a reference queue under random schedules and cancels", "[engine]") {
  for (const std::uint64_t seed : {1ULL, 2ULL, 3ULL}) {
    Driver<EngineQueue> engine(seed);
    Driver<ReferenceQueue> reference(seed);
    stress(engine);
    stress(reference);
    INFO("seed " << seed);
    CHECK(engine.log().size() > 30'000);
    CHECK(engine.cancel_results().size() > 50'000);
    CHECK(engine.log() == reference.log());
    CHECK(engine.cancel_results() == reference.cancel_results());
    CHECK(engine.checkpoints() == reference.checkpoints());
  }
}

TEST_CASE("engine matches a reference queue with delays of every magnitude", "[engine]") {
  for (const std::uint64_t seed : {4ULL, 5ULL}) {
    Driver<EngineQueue> engine(seed, /*spread=*/true);
    Driver<ReferenceQueue> reference(seed, /*spread=*/true);
    stress(engine);
    stress(reference);
    INFO("seed " << seed);
    CHECK(engine.log().size() > 30'000);
    CHECK(engine.log() == reference.log());
    CHECK(engine.cancel_results() == reference.cancel_results());
    CHECK(engine.checkpoints() == reference.checkpoints());
  }
}

TEST_CASE("engine keeps (time, insertion) order for events scheduled into a sorted run",
          "[engine]") {
  // 1000 (0x3e8) and 1010 (0x3f2) share their third hexadecimal digit and those above: a bucket of
  // two, taken whole and sorted into the run for 0x300..0x3ff. a's callback then inserts into
  // that run before, at and after c and d. A reference order by hand.
  Engine engine(1);
  std::vector<std::string> order;
  const auto log = [&](std::string name) { return [&order, name] { order.push_back(name); }; };
  engine.schedule_at(sim::nanoseconds(1000), [&] {
    order.push_back("a@1000");
    engine.schedule_at(sim::nanoseconds(1005), log("c@1005"));
    engine.schedule_at(sim::nanoseconds(1000), log("a2@1000"));
    engine.schedule_at(sim::nanoseconds(1002), log("b@1002"));
    engine.schedule_at(sim::nanoseconds(1005), log("c2@1005"));  // a tie in the run's middle
    engine.schedule_at(sim::nanoseconds(1010), log("e@1010"));   // after d: scheduled later
    engine.schedule_at(sim::nanoseconds(1020), log("f@1020"));
  });
  engine.schedule_at(sim::nanoseconds(1010), log("d@1010"));
  engine.run_until(SimTime::infinite());
  CHECK(order == std::vector<std::string>{"a@1000", "a2@1000", "b@1002", "c@1005", "c2@1005",
                                          "d@1010", "e@1010", "f@1020"});
}

TEST_CASE("engine keeps ties in order when a long run is spread over the buckets again",
          "[engine]") {
  // 0x1000 and 0x1fff make a run for 0x1000..0x1fff. a's callback schedules 300 events into
  // its middle, latest time first and two per time: past 128 entries the run is spilled, and
  // each pair must still run in the order it was scheduled.
  Engine engine(1);
  std::vector<std::pair<std::int64_t, int>> ran;
  const auto log = [&](int label) {
    return [&ran, &engine, label] { ran.emplace_back(engine.now().ns(), label); };
  };
  constexpr std::int64_t kFirst = 0x1000;
  constexpr std::int64_t kLast = 0x1fff;
  const auto time_of_pair = [](int i) { return kLast - 1 - 20 * std::int64_t{i}; };
  engine.schedule_at(sim::nanoseconds(kFirst), [&] {
    ran.emplace_back(engine.now().ns(), -1);
    for (int i = 0; i < 150; ++i) {
      engine.schedule_at(sim::nanoseconds(time_of_pair(i)), log(2 * i));
      engine.schedule_at(sim::nanoseconds(time_of_pair(i)), log(2 * i + 1));
    }
  });
  engine.schedule_at(sim::nanoseconds(kLast), log(1000));
  engine.run_until(SimTime::infinite());
  std::vector<std::pair<std::int64_t, int>> expected{{kFirst, -1}};
  for (int i = 149; i >= 0; --i) {
    expected.emplace_back(time_of_pair(i), 2 * i);
    expected.emplace_back(time_of_pair(i), 2 * i + 1);
  }
  expected.emplace_back(kLast, 1000);
  CHECK(ran == expected);
}

TEST_CASE("engine spills a run holding cancelled events from before the clock", "[engine]") {
  // Cancelled entries stay in the run when run_until(20 ns) finds nothing live and moves the
  // clock past them; a later spill of that run must not put them before the last event taken
  // (an assertion where assertions are on, as in the sanitizer build, and buckets out of
  // order).
  Engine engine(1);
  std::vector<std::int64_t> ran;
  const auto log = [&] { return [&] { ran.push_back(engine.now().ns()); }; };
  engine.schedule_at(sim::nanoseconds(16), [&] {
    std::vector<TimerId> ids;
    for (int i = 0; i < 130; ++i) ids.push_back(engine.schedule_at(sim::nanoseconds(17), log()));
    ids.push_back(engine.schedule_at(sim::nanoseconds(30), log()));
    for (const TimerId id : ids) CHECK(engine.cancel(id));
  });
  CHECK(engine.run_until(sim::nanoseconds(20)) == RunOutcome::kQueueEmpty);
  CHECK(engine.now() == sim::nanoseconds(20));
  engine.schedule_at(sim::nanoseconds(25), log());
  engine.schedule_at(sim::nanoseconds(21), log());
  engine.schedule_at(sim::nanoseconds(20), log());
  CHECK(engine.run_until(SimTime::infinite()) == RunOutcome::kQueueEmpty);
  CHECK(ran == std::vector<std::int64_t>{20, 21, 25});
  CHECK(engine.now() == sim::nanoseconds(25));
}

TEST_CASE("engine orders events at the top of the time range", "[engine]") {
  // The highest levels of the radix heap: 2^62, 2^62 + 15, the last finite time and "never",
  // 40 of each scheduled in turn (latest first), run in (time, order scheduled) order.
  Engine engine(1);
  const std::vector<std::int64_t> times{SimTime::infinite().ns(), SimTime::max_finite().ns(),
                                        (std::int64_t{1} << 62) + 15, std::int64_t{1} << 62};
  std::vector<std::pair<std::int64_t, int>> ran;
  for (int i = 0; i < 40; ++i) {
    for (const std::int64_t t : times) {
      engine.schedule_at(SimTime::from_ns(t),
                         [&ran, &engine, i] { ran.emplace_back(engine.now().ns(), i); });
    }
  }
  CHECK(engine.run_until(SimTime::infinite()) == RunOutcome::kQueueEmpty);
  std::vector<std::pair<std::int64_t, int>> expected;
  for (auto t = times.rbegin(); t != times.rend(); ++t) {
    for (int i = 0; i < 40; ++i) expected.emplace_back(*t, i);
  }
  CHECK(ran == expected);
  CHECK(engine.pending_count() == 0);
}

TEST_CASE("engine keeps order through buckets that fill past what they keep when emptied",
          "[engine]") {
  // Three rounds of 40,000 events within one later millisecond, many at the same instant: each
  // round lands in one bucket, more than a bucket keeps room for once emptied (Bucket::
  // empty_out), and is spread again from fresh storage. They run in (time, order scheduled).
  Engine engine(1);
  std::vector<std::pair<std::int64_t, int>> ran, expected;
  int id = 0;
  for (int round = 1; round <= 3; ++round) {
    const SimTime base = sim::seconds(100 * round);
    std::vector<std::pair<std::int64_t, int>> scheduled;
    for (int i = 0; i < 40'000; ++i, ++id) {
      const SimTime at = base + sim::microseconds((i * 7'919) % 1'000);
      scheduled.emplace_back(at.ns(), id);
      engine.schedule_at(at, [&ran, &engine, id] { ran.emplace_back(engine.now().ns(), id); });
    }
    std::stable_sort(scheduled.begin(), scheduled.end(),
                     [](const auto& a, const auto& b) { return a.first < b.first; });
    expected.insert(expected.end(), scheduled.begin(), scheduled.end());
    engine.run_until(base + sim::seconds(1));
  }
  CHECK(ran.size() == 120'000);
  CHECK(ran == expected);
  CHECK(engine.pending_count() == 0);
}
