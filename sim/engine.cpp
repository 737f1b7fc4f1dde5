#include "sim/engine.hpp"

#include <algorithm>
#include <bit>
#include <cassert>

namespace bootsim::sim {

std::uint32_t Engine::allocate_slot() {
  if (free_head_ != kNoSlot) {
    const std::uint32_t slot = free_head_;
    free_head_ = slots_[slot].next_free;
    return slot;
  }
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
  if (at < now_) at = now_;
  const std::uint32_t slot = allocate_slot();
  Slot& s = slots_[slot];
  s.callback = std::move(cb);
  queue_push(Entry{at.ns(), next_sequence_++, slot, s.generation});
  ++live_count_;
  return TimerId(slot, s.generation);
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
// The bucket of `key`: std::bit_width(key ^ last), without the branch libstdc++ takes for a
// zero argument when lzcnt is not enabled; an event at exactly the current instant is common
// in a boot (timers, zero-delay hand-offs), so that branch would mispredict.
inline int bucket_of(std::uint64_t key, std::uint64_t last) {
  const std::uint64_t x = key ^ last;
  return 64 - std::countl_zero(x | 1) - static_cast<int>(x == 0);
}
}  // namespace

void Engine::queue_push(const Entry& e) {
  assert(static_cast<std::uint64_t>(e.time) >= last_ && "scheduled before the last event run");
  const int b = bucket_of(static_cast<std::uint64_t>(e.time), last_);
  bucket_min_[b] = std::min(bucket_min_[b], e.time);
  occupied_ |= std::uint64_t{1} << b;
  buckets_[b].push_back(e);
  ++queued_;
}

const Engine::Entry* Engine::next_due(std::int64_t limit) {
  Bucket& zero = buckets_[0];
  if (head_ < zero.size()) return zero[head_].time <= limit ? &zero[head_] : nullptr;
  zero.clear();
  head_ = 0;
  if (queued_ == 0) return nullptr;
  const int b = std::countr_zero(occupied_ & ~std::uint64_t{1});
  if (bucket_min_[b] > limit) return nullptr;
  Bucket& from = buckets_[b];
  last_ = static_cast<std::uint64_t>(bucket_min_[b]);
  // Every entry of `from` agrees with the new last_ above bit b-1, so it lands in a bucket
  // below b; entries in higher buckets keep theirs.
  for (const Entry& e : from) {
    const int to = bucket_of(static_cast<std::uint64_t>(e.time), last_);
    bucket_min_[to] = std::min(bucket_min_[to], e.time);
    occupied_ |= std::uint64_t{1} << to;
    buckets_[to].push_back(e);
  }
  from.clear();
  bucket_min_[b] = kNever;
  occupied_ &= ~(std::uint64_t{1} << b);
  // Entries reaching bucket 0 together came from one bucket in no particular order.
  if (zero.size() > 1) {
    std::sort(zero.begin(), zero.end(),
              [](const Entry& x, const Entry& y) { return x.sequence < y.sequence; });
  }
  return &zero[0];
}

void Engine::compact() {
  const auto stale = [this](const Entry& e) { return slots_[e.slot].generation != e.generation; };
  Bucket& zero = buckets_[0];
  // Drop bucket 0's consumed prefix first: its sequence order must survive.
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
      occupied_ &= ~(std::uint64_t{1} << b);
    } else {
      occupied_ |= std::uint64_t{1} << b;
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
