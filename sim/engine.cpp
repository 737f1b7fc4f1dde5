#include "sim/engine.hpp"

#include <algorithm>
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
  heap_push(Entry{at.ns(), next_sequence_++, slot, s.generation});
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
  // re-arms a timeout on every message does not grow the heap without bound.
  if (stale_count_ > 4096 && stale_count_ > heap_.size() / 2) compact();
  return true;
}

void Engine::heap_push(const Entry& e) {
  heap_.push_back(e);
  std::size_t i = heap_.size() - 1;
  while (i > 0) {
    const std::size_t parent = (i - 1) / 4;
    if (!before(e, heap_[parent])) break;
    heap_[i] = heap_[parent];
    i = parent;
  }
  heap_[i] = e;
}

void Engine::sift_down(std::size_t i) {
  const std::size_t n = heap_.size();
  const Entry e = heap_[i];
  for (;;) {
    const std::size_t first = 4 * i + 1;
    if (first >= n) break;
    std::size_t best = first;
    const std::size_t last = std::min(first + 4, n);
    for (std::size_t c = first + 1; c < last; ++c) {
      if (before(heap_[c], heap_[best])) best = c;
    }
    if (!before(heap_[best], e)) break;
    heap_[i] = heap_[best];
    i = best;
  }
  heap_[i] = e;
}

Engine::Entry Engine::heap_pop() {
  const Entry top = heap_.front();
  heap_.front() = heap_.back();
  heap_.pop_back();
  if (!heap_.empty()) sift_down(0);
  return top;
}

void Engine::compact() {
  std::erase_if(heap_, [this](const Entry& e) { return slots_[e.slot].generation != e.generation; });
  // Re-heapify bottom-up; order among equal keys is still decided by the sequence number.
  for (std::size_t i = heap_.size() / 4 + 1; i-- > 0;) {
    if (i < heap_.size()) sift_down(i);
  }
  stale_count_ = 0;
}

RunOutcome Engine::run_until(SimTime limit) {
  stop_requested_ = false;
  while (!heap_.empty()) {
    const Entry& top = heap_.front();
    // Drop cancelled entries before the limit test, so that a queue holding only cancelled
    // events past the limit reports kQueueEmpty (pending_count() is already 0).
    if (slots_[top.slot].generation != top.generation) {
      heap_pop();
      if (stale_count_ > 0) --stale_count_;
      continue;
    }
    if (top.time > limit.ns()) {
      now_ = std::max(now_, limit);
      return RunOutcome::kReachedLimit;
    }
    const Entry e = heap_pop();
    Slot& s = slots_[e.slot];
    now_ = SimTime::from_ns(e.time);
    // Move the callback out first: it may schedule, which can grow (and move) slots_.
    Callback cb = std::move(s.callback);
    release_slot(e.slot);
    --live_count_;
    ++events_processed_;
    cb();
    if (stop_requested_) return RunOutcome::kStopped;
  }
  if (!limit.is_infinite()) now_ = std::max(now_, limit);
  return RunOutcome::kQueueEmpty;
}

}  // namespace bootsim::sim
