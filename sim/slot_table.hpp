// SlotTable: objects under ids that are never reused, kept in slots that are.
//
//   sim::SlotTable<Session> sessions;
//   const auto id = sessions.add(Session{...});  // 0, 1, 2, ... in order of adding
//   if (Session* s = sessions.find(id)) { ... }  // nullptr once erased
//   sessions.erase(id);                           // its slot takes a later add
//
// For many short-lived objects that others name by id: an id must keep naming its own object
// (or nothing) after the object is gone, while the memory goes to the next one. An id's slot is
// found through a table of 4 bytes an id; a slot records which id holds it, so a stale id finds
// nothing. Objects never move (a stable vector): references stay valid until the object's erase.
// T must be default-constructible: an erased slot holds a T{} until it is reused.
#pragma once

#include <cassert>
#include <cstdint>
#include <limits>
#include <utility>
#include <vector>

#include <boost/container/stable_vector.hpp>

namespace bootsim::sim {

template <class T>
class SlotTable {
 public:
  using Id = std::uint32_t;

  // Adds `value` under the next id.
  Id add(T&& value) {
    assert(slot_of_.size() < kFree && "too many ids");
    const Id id = static_cast<Id>(slot_of_.size());
    if (free_.empty()) {
      slot_of_.push_back(static_cast<std::uint32_t>(slots_.size()));
      slots_.push_back(Slot{id, std::move(value)});
    } else {
      slot_of_.push_back(free_.back());
      free_.pop_back();
      Slot& reused = slots_[slot_of_.back()];
      reused.id = id;
      reused.value = std::move(value);
    }
    return id;
  }

  // The object under `id`, or nullptr if it was erased (or the id never given).
  const T* find(Id id) const {
    if (id >= slot_of_.size()) return nullptr;
    const Slot& s = slots_[slot_of_[id]];
    return s.id == id ? &s.value : nullptr;
  }
  T* find(Id id) { return const_cast<T*>(std::as_const(*this).find(id)); }

  // Destroys the object under `id` (it must be there) and frees its slot.
  void erase(Id id) {
    assert(find(id) != nullptr && "an id that is not there");
    const std::uint32_t slot = slot_of_[id];
    slots_[slot] = Slot{};
    free_.push_back(slot);
  }

  std::size_t ids_given() const { return slot_of_.size(); }
  std::size_t slots() const { return slots_.size(); }  // live objects and free slots

 private:
  static constexpr Id kFree = std::numeric_limits<Id>::max();
  struct Slot {
    Id id = kFree;
    T value{};
  };
  boost::container::stable_vector<Slot> slots_;
  std::vector<std::uint32_t> slot_of_;  // by id
  std::vector<std::uint32_t> free_;
};

}  // namespace bootsim::sim
