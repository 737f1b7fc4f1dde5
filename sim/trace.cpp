#include "sim/trace.hpp"

#include <cassert>
#include <limits>

namespace bootsim::sim {

namespace {

// 64-bit FNV-1a (Fowler, Noll, Vo), fed field by field. Integers go in as little-endian bytes
// and strings with their length first, so the hash is the same on every platform and
// ("ab", "c") never collides with ("a", "bc") by construction.
class Fnv1a {
 public:
  void byte(unsigned char b) {
    hash_ ^= b;
    hash_ *= 1099511628211ULL;
  }
  void u64(std::uint64_t v) {
    for (int i = 0; i < 8; ++i) byte(static_cast<unsigned char>(v >> (8 * i)));
  }
  void i64(std::int64_t v) { u64(static_cast<std::uint64_t>(v)); }
  void str(std::string_view s) {
    u64(s.size());
    for (const char c : s) byte(static_cast<unsigned char>(c));
  }
  std::uint64_t value() const { return hash_; }

 private:
  std::uint64_t hash_ = 14695981039346656037ULL;
};

}  // namespace

RecordId Trace::record(SimTime t, std::string_view node, std::string_view component,
                       std::string_view event, std::string detail, std::optional<RecordId> cause) {
  assert(records_.size() < std::numeric_limits<RecordId>::max() && "trace too long");
  assert((!cause || *cause < records_.size()) && "a cause must be an earlier record");
  TraceRecord r;
  r.kind = RecordKind::kEvent;
  r.time = t;
  r.node = node;
  r.component = component;
  r.name = event;
  r.detail = std::move(detail);
  r.cause = cause;
  records_.push_back(std::move(r));
  return static_cast<RecordId>(records_.size() - 1);
}

RecordId Trace::milestone(SimTime t, std::string_view node, std::string_view name,
                          std::string detail, std::optional<RecordId> cause) {
  const RecordId id = record(t, node, {}, name, std::move(detail), cause);
  records_.back().kind = RecordKind::kMilestone;
  auto it = milestones_by_name_.find(name);
  if (it == milestones_by_name_.end())
    it = milestones_by_name_.emplace(std::string(name), std::vector<RecordId>{}).first;
  it->second.push_back(id);
  return id;
}

RecordId Trace::span(SimTime begin, SimTime end, std::string_view node, std::string_view component,
                     std::string_view name, std::string detail, std::optional<RecordId> cause) {
  assert(begin <= end && "a span ends after it begins");
  const RecordId id = record(begin, node, component, name, std::move(detail), cause);
  records_.back().kind = RecordKind::kSpan;
  records_.back().end = end;
  return id;
}

std::optional<RecordId> Trace::first_milestone(std::string_view name, std::string_view node) const {
  const auto it = milestones_by_name_.find(name);
  if (it == milestones_by_name_.end()) return std::nullopt;
  for (const RecordId id : it->second) {
    if (records_[id].node == node) return id;
  }
  return std::nullopt;
}

std::optional<RecordId> Trace::latest_milestone(std::string_view name,
                                                std::string_view node) const {
  const auto it = milestones_by_name_.find(name);
  if (it == milestones_by_name_.end()) return std::nullopt;
  for (auto id = it->second.rbegin(); id != it->second.rend(); ++id) {
    if (node.empty() || records_[*id].node == node) return *id;
  }
  return std::nullopt;
}

std::vector<RecordId> Trace::milestones_named(std::string_view name) const {
  const auto it = milestones_by_name_.find(name);
  if (it == milestones_by_name_.end()) return {};
  return it->second;
}

std::uint64_t Trace::fingerprint() const {
  Fnv1a h;
  h.u64(records_.size());
  for (const TraceRecord& r : records_) {
    h.byte(static_cast<unsigned char>(r.kind));
    h.i64(r.time.ns());
    h.i64(r.end.ns());
    h.str(r.node);
    h.str(r.component);
    h.str(r.name);
    h.str(r.detail);
    h.byte(r.cause ? 1 : 0);
    h.u64(r.cause ? *r.cause : 0);
  }
  return h.value();
}

}  // namespace bootsim::sim
