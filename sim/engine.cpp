#include "sim/engine.hpp"

#include <algorithm>
#include <bit>
#include <cassert>

namespace bootsim::sim {

std::uint32_t Engine::grow_slots() {
  slots_.emplace_back();
  return static_cast<std::uint32_t>(slots_.size() - 1);
}

void Engine::release_slot(std::uint32_t slot) {
  Slot& s = slots_[slot];
  s.callback.reset();
  // Generation 0 is reserved for "never scheduled"; skip it on wrap-around.
  if (++s.generation == 0) s.generation = 1;
  s.next_free = free_head_;
  free_head_ = slot;
}

TimerId Engine::schedule_at(SimTime at, Callback cb) {
  assert(cb && "scheduling an empty callback");
  const std::uint32_t slot = allocate_slot();
  slots_[slot].callback = std::move(cb);
  return enqueue(at, slot);
}

TimerId Engine::enqueue(SimTime at, std::uint32_t slot) {
  if (at < now_) at = now_;
  const std::uint32_t generation = slots_[slot].generation;
  queue_push(Entry{at.ns(), slot, generation});
  ++live_count_;
  return TimerId(slot, generation);
}

bool Engine::is_pending(TimerId id) const {
  return id.valid() && id.slot_ < slots_.size() && slots_[id.slot_].generation == id.generation_ &&
         static_cast<bool>(slots_[id.slot_].callback);
}

bool Engine::cancel(TimerId id) {
  if (!is_pending(id)) return false;
  release_slot(id.slot_);
  --live_count_;
  ++stale_count_;
  // Lazy deletion keeps cancel O(1); rebuild when stale entries dominate so that a model that
  // re-arms a timeout on every message does not grow the queue without bound.
  if (stale_count_ > 4096 && stale_count_ > queued_ / 2) compact();
  return true;
}

namespace {
// The bucket of `key` (see Engine's queue): 0 when key == last, else 16 level + digit, level
// the highest hexadecimal digit of key ^ last that is not 0 and digit key's value there.
// Branch-free: an event at exactly the current instant is common in a boot (timers,
// zero-delay hand-offs), so a branch on it would mispredict.
inline int bucket_of(std::uint64_t key, std::uint64_t last) {
  const std::uint64_t x = key ^ last;
  const int level = (63 - std::countl_zero(x | 1)) / 4;
  const int bucket = 16 * level + static_cast<int>((key >> (4 * level)) & 15);
  return x == 0 ? 0 : bucket;
}
}  // namespace

void Engine::queue_push(const Entry& e) {
  assert(static_cast<std::uint64_t>(e.time) >= last_ && "scheduled before the last event run");
  const int b = bucket_of(static_cast<std::uint64_t>(e.time), last_);
  ++queued_;
  if (b <= run_max_) {
    insert_into_run(e);
    return;
  }
  bucket_min_[b] = std::min(bucket_min_[b], e.time);
  occupied_[b / 64] |= std::uint64_t{1} << (b % 64);
  buckets_[b].push_back(e);
}

void Engine::insert_into_run(const Entry& e) {
  Bucket& run = buckets_[0];
  // e is the latest scheduled: it goes after every entry at its time or earlier.
  if (run.size() == head_ || run[run.size() - 1].time <= e.time) {
    run.push_back(e);
    return;
  }
  if (run.size() - head_ >= kRunCap) {
    // A run that keeps taking entries in its middle would cost O(run) each: spread it over
    // buckets 1..run_max_ again (spill_run), and insert e there.
    spill_run();
    --queued_;
    queue_push(e);
    return;
  }
  run.push_back(e);
  std::size_t i = run.size() - 1;
  for (; i > head_ && run[i - 1].time > e.time; --i) run[i] = run[i - 1];
  run[i] = e;
}

void Engine::spill_run() {
  Bucket& run = buckets_[0];
  spill_.assign(run.begin() + head_, run.end());
  run.clear();
  head_ = 0;
  queued_ -= spill_.size();
  // last_ stays: every queued entry, cancelled ones included, is at or after it (the clock is
  // not: run_until can pass cancelled entries). The buckets above run_max_ keep their entries;
  // the run's fall into buckets <= run_max_, those at last_ into the run again, in (time, order
  // scheduled) order.
  run_max_ = 0;
  for (const Entry& e : spill_) queue_push(e);
}

void Engine::sort_into_run(const Entry* from, std::size_t n) {
  assert(n <= kSmallBucket && buckets_[0].empty());
  // Each entry's rank counts the entries before it in (time, position) order, which is
  // (time, order scheduled) by the Bucket invariant: a stable sort in n^2 comparisons that
  // never branch on the times. For a few dozen entries that beats an insertion sort, which
  // mispredicts about once per entry, and std::sort, which is not stable.
  Bucket& run = buckets_[0];
  run.resize(n);
  for (std::size_t i = 0; i < n; ++i) {
    const std::int64_t t = from[i].time;
    std::size_t rank = 0;
    for (std::size_t j = 0; j < i; ++j) rank += static_cast<std::size_t>(from[j].time <= t);
    for (std::size_t j = i + 1; j < n; ++j) rank += static_cast<std::size_t>(from[j].time < t);
    run[rank] = from[i];
  }
}

int Engine::lowest_occupied() const {
  for (int word = 0; word < kBuckets / 64; ++word) {
    const std::uint64_t bits =
        occupied_[word] & (word == 0 ? ~std::uint64_t{1} : ~std::uint64_t{0});
    if (bits != 0) return 64 * word + std::countr_zero(bits);
  }
  return 0;
}

const Engine::Entry* Engine::next_due(std::int64_t limit) {
  Bucket& run = buckets_[0];
  if (head_ < run.size()) return run[head_].time <= limit ? &run[head_] : nullptr;
  run.clear();
  head_ = 0;
  if (queued_ == 0) return nullptr;
  const int b = lowest_occupied();
  assert(b != 0 && "queued entries outside the run, but no bucket marked occupied");
  if (bucket_min_[b] > limit) return nullptr;
  Bucket& from = buckets_[b];
  last_ = static_cast<std::uint64_t>(bucket_min_[b]);
  if (from.size() <= kSmallBucket) {
    // Every entry of `from` agrees with the new last_ from digit b / 16 up: sorted, they are
    // the run for the block of 16^(b / 16) around last_ (the buckets below b / 16's level),
    // and nothing is moved between buckets again.
    sort_into_run(from.begin(), from.size());
    run_max_ = b < 16 ? 0 : 16 * (b / 16) - 1;
  } else {
    // Every entry of `from` agrees with the new last_ from digit b / 16 up, so it lands in a
    // bucket of a lower level; entries in higher buckets keep theirs.
    run_max_ = 0;
    for (const Entry& e : from) {
      const int to = bucket_of(static_cast<std::uint64_t>(e.time), last_);
      bucket_min_[to] = std::min(bucket_min_[to], e.time);
      occupied_[to / 64] |= std::uint64_t{1} << (to % 64);
      buckets_[to].push_back(e);
    }
    // Entries reaching the run here are all at last_, in the order they were scheduled.
  }
  from.empty_out();
  bucket_min_[b] = kNever;
  occupied_[b / 64] &= ~(std::uint64_t{1} << (b % 64));
  return &run[0];
}

void Engine::compact() {
  const auto stale = [this](const Entry& e) { return slots_[e.slot].generation != e.generation; };
  Bucket& zero = buckets_[0];
  // Drop bucket 0's consumed prefix first: its order must survive.
  std::copy(zero.begin() + head_, zero.end(), zero.begin());
  zero.count -= head_;
  head_ = 0;
  queued_ = 0;
  for (int b = 0; b < kBuckets; ++b) {
    Bucket& bucket = buckets_[b];
    bucket.count = static_cast<std::size_t>(std::remove_if(bucket.begin(), bucket.end(), stale) -
                                            bucket.begin());
    queued_ += bucket.size();
    bucket_min_[b] = kNever;
    for (const Entry& e : bucket) bucket_min_[b] = std::min(bucket_min_[b], e.time);
    if (bucket.empty()) {
      occupied_[b / 64] &= ~(std::uint64_t{1} << (b % 64));
    } else {
      occupied_[b / 64] |= std::uint64_t{1} << (b % 64);
    }
  }
  stale_count_ = 0;
}

RunOutcome Engine::run_until(SimTime limit) {
  stop_requested_ = false;
  // live_count_ is exact, so a queue holding only cancelled entries reads as empty.
  while (live_count_ > 0) {
    const Entry* top = next_due(limit.ns());
    if (top == nullptr) {
      now_ = std::max(now_, limit);
      return RunOutcome::kReachedLimit;
    }
    const Entry e = *top;
    queue_pop_front();
    Slot& s = slots_[e.slot];
    if (s.generation != e.generation) {
      if (stale_count_ > 0) --stale_count_;
      continue;
    }
    now_ = SimTime::from_ns(e.time);
    // Move the callback out first: it may schedule, which can grow (and move) slots_.
    Callback cb = std::move(s.callback);
    release_slot(e.slot);
    --live_count_;
    ++events_processed_;
    cb();
    if (stop_requested_) return RunOutcome::kStopped;
    if (event_limit_ != 0 && events_processed_ >= event_limit_) return RunOutcome::kEventLimit;
  }
  if (!limit.is_infinite()) now_ = std::max(now_, limit);
  return RunOutcome::kQueueEmpty;
}

}  // namespace bootsim::sim
