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

std::string_view to_string(RecordType t) {
  switch (t) {
    case RecordType::kPlain:
      return "plain";
    case RecordType::kStateChange:
      return "state_change";
    case RecordType::kGateFailed:
      return "gate_failed";
    case RecordType::kProcessExit:
      return "process_exit";
    case RecordType::kFault:
      return "fault";
    case RecordType::kViolation:
      return "violation";
  }
  return "?";
}

Trace::Trace() : symbols_(std::make_unique<Symbols>()) {
  symbols_->by_id.emplace_back();
  symbols_->ids.emplace(std::string_view(), Symbol{});
}
Trace::~Trace() = default;
Trace::Trace(Trace&&) noexcept = default;
Trace& Trace::operator=(Trace&&) noexcept = default;

Symbol Trace::intern(std::string_view s) {
  const auto it = symbols_->ids.find(s);
  if (it != symbols_->ids.end()) return it->second;
  assert(symbols_->by_id.size() < std::numeric_limits<std::uint32_t>::max() && "too many symbols");
  const auto id = static_cast<Symbol>(symbols_->by_id.size());
  const std::string_view kept = symbols_->texts.emplace_back(s);
  symbols_->by_id.push_back(kept);
  symbols_->ids.emplace(kept, id);
  return id;
}

std::optional<Symbol> Trace::find_symbol(std::string_view s) const {
  const auto it = symbols_->ids.find(s);
  if (it == symbols_->ids.end()) return std::nullopt;
  return it->second;
}

RecordId Trace::typed(SimTime t, RecordType type, std::string_view node, std::string_view component,
                      std::string_view event, std::string detail, ArgList args,
                      std::optional<RecordId> cause) {
  const RecordId id = record(t, node, component, event, std::move(detail), cause);
  TraceRecord& r = records_.back();
  r.type = type;
  r.args.reserve(args.size());
  for (const ArgInit& a : args) {
    assert((a.type != ArgType::kRecord || a.number < static_cast<std::int64_t>(id)) &&
           "an argument names an earlier record");
    const std::int64_t value =
        a.type == ArgType::kText ? static_cast<std::int64_t>(intern(a.text)) : a.number;
    r.args.push_back(TraceArg{intern(a.key), a.type, value});
  }
  return id;
}

RecordId Trace::state_change(SimTime t, std::string_view node, std::string_view component,
                             std::string_view from, std::string_view to, std::string detail,
                             ArgList args, std::optional<RecordId> cause) {
  const RecordId id =
      typed(t, RecordType::kStateChange, node, component, to, std::move(detail), args, cause);
  records_.back().from = intern(from);
  records_.back().to = intern(to);
  return id;
}

const TraceArg* Trace::arg(const TraceRecord& r, std::string_view key) const {
  const auto k = find_symbol(key);
  if (!k) return nullptr;
  for (const TraceArg& a : r.args) {
    if (a.key == *k) return &a;
  }
  return nullptr;
}

std::optional<std::int64_t> Trace::int_arg(const TraceRecord& r, std::string_view key) const {
  const TraceArg* a = arg(r, key);
  if (a == nullptr || a->type != ArgType::kInt) return std::nullopt;
  return a->value;
}

std::optional<SimTime> Trace::duration_arg(const TraceRecord& r, std::string_view key) const {
  const TraceArg* a = arg(r, key);
  if (a == nullptr || a->type != ArgType::kDuration) return std::nullopt;
  return SimTime::from_ns(a->value);
}

std::optional<std::string_view> Trace::text_arg(const TraceRecord& r, std::string_view key) const {
  const TraceArg* a = arg(r, key);
  if (a == nullptr || a->type != ArgType::kText) return std::nullopt;
  return text(static_cast<Symbol>(a->value));
}

std::optional<RecordId> Trace::record_arg(const TraceRecord& r, std::string_view key) const {
  const TraceArg* a = arg(r, key);
  if (a == nullptr || a->type != ArgType::kRecord) return std::nullopt;
  return static_cast<RecordId>(a->value);
}

RecordId Trace::record(SimTime t, std::string_view node, std::string_view component,
                       std::string_view event, std::string detail, std::optional<RecordId> cause) {
  assert(records_.size() < std::numeric_limits<RecordId>::max() && "trace too long");
  assert((!cause || *cause < records_.size()) && "a cause must be an earlier record");
  TraceRecord r;
  r.kind = RecordKind::kEvent;
  r.time = t;
  r.node = text(intern(node));
  r.component = text(intern(component));
  r.name = text(intern(event));
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
  auto by_node = reaches_.find(name);
  if (by_node == reaches_.end()) by_node = reaches_.emplace(std::string(name), NodeReaches{}).first;
  auto reach = by_node->second.find(node);
  if (reach == by_node->second.end()) {
    by_node->second.emplace(std::string(node), Reaches{id, id});
  } else {
    reach->second.latest = id;
  }
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

const Trace::Reaches* Trace::reaches(std::string_view name, std::string_view node) const {
  const auto by_node = reaches_.find(name);
  if (by_node == reaches_.end()) return nullptr;
  const auto reach = by_node->second.find(node);
  return reach == by_node->second.end() ? nullptr : &reach->second;
}

std::optional<RecordId> Trace::first_milestone(std::string_view name, std::string_view node) const {
  const Reaches* r = reaches(name, node);
  return r != nullptr ? std::optional<RecordId>(r->first) : std::nullopt;
}

std::optional<RecordId> Trace::latest_milestone(std::string_view name,
                                                std::string_view node) const {
  if (node.empty()) {
    const auto it = milestones_by_name_.find(name);
    if (it == milestones_by_name_.end() || it->second.empty()) return std::nullopt;
    return it->second.back();
  }
  const Reaches* r = reaches(name, node);
  return r != nullptr ? std::optional<RecordId>(r->latest) : std::nullopt;
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
    // Typed fields only for typed records, so that a plain trace hashes as it always has;
    // symbols by their text, not their ids.
    if (r.type == RecordType::kPlain) continue;
    h.byte(static_cast<unsigned char>(r.type));
    h.str(text(r.from));
    h.str(text(r.to));
    h.u64(r.args.size());
    for (const TraceArg& a : r.args) {
      h.str(text(a.key));
      h.byte(static_cast<unsigned char>(a.type));
      if (a.type == ArgType::kText) {
        h.str(text(static_cast<Symbol>(a.value)));
      } else {
        h.i64(a.value);
      }
    }
  }
  return h.value();
}

}  // namespace bootsim::sim
