#include "sim/trace.hpp"

#include <algorithm>
#include <bit>
#include <cassert>
#include <cstring>
#include <iterator>
#include <limits>
#include <stdexcept>

#include <fmt/format.h>

namespace bootsim::sim {

namespace {

// The fingerprint's hash: FNV-1a's xor-then-multiply, over 64-bit words instead of bytes (an
// eighth of the multiplies: byte by byte it was 8 % of a large boot's instructions), with a
// shift after each multiply so that a word's high bits reach the low bits of the steps after.
// Integers go in as one word each, strings as their length then their bytes in little-endian
// words (the last one zero-padded), so the hash is the same on every platform and ("ab", "c")
// never collides with ("a", "bc") by construction.
class WordHash {
 public:
  static constexpr std::uint64_t kOffsetBasis = 14695981039346656037ULL;  // FNV-1a's
  explicit WordHash(std::uint64_t state = kOffsetBasis) : hash_(state) {}
  void u64(std::uint64_t v) {
    hash_ = (hash_ ^ v) * 0x9E3779B97F4A7C15ULL;  // 2^64 over the golden ratio, odd
    hash_ ^= hash_ >> 29;
  }
  void byte(unsigned char b) { u64(b); }
  void i64(std::int64_t v) { u64(static_cast<std::uint64_t>(v)); }
  void str(std::string_view s) {
    u64(s.size());
    std::size_t i = 0;
    for (; i + 8 <= s.size(); i += 8) u64(little_endian(s.data() + i, 8));
    if (i < s.size()) u64(little_endian(s.data() + i, s.size() - i));
  }
  std::uint64_t value() const { return hash_; }

 private:
  // The `n` (at most 8) bytes at `p` as a little-endian word. On a little-endian machine that
  // is a copy into a zeroed word (the byte loop was a tenth of a record's hashing); elsewhere
  // the bytes are placed one by one, to the same value.
  static std::uint64_t little_endian(const char* p, std::size_t n) {
    std::uint64_t w = 0;
    if constexpr (std::endian::native == std::endian::little) {
      std::memcpy(&w, p, n);
    } else {
      for (std::size_t k = 0; k < n; ++k) {
        w |= std::uint64_t{static_cast<unsigned char>(p[k])} << (8 * k);
      }
    }
    return w;
  }

  std::uint64_t hash_;
};

void hash_typed(WordHash& h, const Trace& t, const TraceRecord& r) {
  h.byte(static_cast<unsigned char>(r.type));
  h.str(t.text(r.from));
  h.str(t.text(r.to));
  h.u64(r.args().size());
  for (const TraceArg& a : r.args()) {
    h.str(t.text(a.key));
    h.byte(static_cast<unsigned char>(a.type));
    if (a.type == ArgType::kText) {
      h.str(t.text(static_cast<Symbol>(a.value)));
    } else {
      h.i64(a.value);
    }
  }
}

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

std::string_view to_string(TraceLevel level) {
  switch (level) {
    case TraceLevel::kFull:
      return "full";
    case TraceLevel::kMilestones:
      return "milestones";
    case TraceLevel::kNone:
      return "none";
  }
  return "?";
}

namespace {
constexpr TraceLevel kTraceLevels[] = {TraceLevel::kFull, TraceLevel::kMilestones,
                                       TraceLevel::kNone};
}  // namespace

std::optional<TraceLevel> trace_level_named(std::string_view name) {
  for (const TraceLevel l : kTraceLevels) {
    if (to_string(l) == name) return l;
  }
  return std::nullopt;
}

std::string trace_level_choices() {
  std::string out;
  const std::size_t n = std::size(kTraceLevels);
  for (std::size_t i = 0; i < n; ++i) {
    if (i > 0) out += i + 1 == n ? " or " : ", ";
    out += to_string(kTraceLevels[i]);
  }
  return out;
}

SymbolTable::SymbolTable() {
  by_id_.emplace_back();
  ids_.emplace(std::string_view(), Symbol{});
}

Symbol SymbolTable::intern(std::string_view s) {
  const auto address = reinterpret_cast<std::uintptr_t>(s.data());
  Recent& recent = recent_[(address >> 4) % recent_.size()];
  if (recent.data == s.data() && by_id_[static_cast<std::size_t>(recent.symbol)] == s) {
    return recent.symbol;
  }
  Symbol id{};
  if (const auto it = ids_.find(s); it != ids_.end()) {
    id = it->second;
  } else {
    assert(by_id_.size() < std::numeric_limits<std::uint32_t>::max() && "too many symbols");
    id = static_cast<Symbol>(by_id_.size());
    const std::string_view kept = texts_.emplace_back(s);
    by_id_.push_back(kept);
    ids_.emplace(kept, id);
  }
  recent = {s.data(), id};
  return id;
}

std::optional<Symbol> SymbolTable::find(std::string_view s) const {
  const auto it = ids_.find(s);
  if (it == ids_.end()) return std::nullopt;
  return it->second;
}

Trace::Trace() : hash_(WordHash::kOffsetBasis), symbols_(std::make_unique<SymbolTable>()) {}
Trace::~Trace() = default;
Trace::Trace(Trace&&) noexcept = default;
Trace& Trace::operator=(Trace&&) noexcept = default;

Symbol Trace::intern(std::string_view s) {
  return symbols_->intern(s);
}

std::optional<Symbol> Trace::find_symbol(std::string_view s) const {
  return symbols_->find(s);
}

RecordId Trace::typed(SimTime t, RecordType type, std::string_view node, std::string_view component,
                      std::string_view event, std::string_view detail, ArgList args,
                      std::optional<RecordId> cause) {
  TraceRecord r = make(RecordKind::kEvent, t, t, node, component, event, cause);
  type_it(r, type, args);
  return append(std::move(r), detail);
}

RecordId Trace::state_change(SimTime t, std::string_view node, std::string_view component,
                             std::string_view from, std::string_view to, std::string_view detail,
                             ArgList args, std::optional<RecordId> cause) {
  TraceRecord r = make(RecordKind::kEvent, t, t, node, component, to, cause);
  type_it(r, RecordType::kStateChange, args);
  r.from = intern(from);
  r.to = intern(to);
  return append(std::move(r), detail);
}

void Trace::type_it(TraceRecord& r, RecordType type, ArgList args) {
  r.type = type;
  if (args.size() == 0) return;
  assert(args.size() <= std::numeric_limits<std::uint16_t>::max() && "too many arguments");
  // A sparse trace may drop the record when the clock moves on: its arguments wait in the
  // scratch arena until then (close_instant copies a kept record's).
  std::pmr::polymorphic_allocator<TraceArg> arena(sparse_ ? &symbols_->scratch()
                                                          : symbols_->arena());
  TraceArg* const kept = arena.allocate(args.size());
  TraceArg* out = kept;
  for (const ArgInit& a : args) {
    assert((a.type != ArgType::kRecord || a.number < static_cast<std::int64_t>(next_id_)) &&
           "an argument names an earlier record");
    const std::int64_t value =
        a.type == ArgType::kText ? static_cast<std::int64_t>(intern(a.text)) : a.number;
    *out++ = TraceArg{intern(a.key), a.type, value};
  }
  r.args_ = kept;
  r.args_size_ = static_cast<std::uint16_t>(args.size());
}

const TraceArg* Trace::arg(const TraceRecord& r, std::string_view key) const {
  const auto k = find_symbol(key);
  if (!k) return nullptr;
  for (const TraceArg& a : r.args()) {
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

TraceRecord Trace::make(RecordKind kind, SimTime t, SimTime end, std::string_view node,
                        std::string_view component, std::string_view name,
                        std::optional<RecordId> cause) {
  assert((!cause || *cause < next_id_) && "a cause must be an earlier record");
  if (sparse_) advance_clock(end);  // a span is recorded when it ends
  TraceRecord r;
  r.kind = kind;
  r.time = t;
  r.symbols_ = symbols_.get();
  r.node_ = intern(node);
  r.component_ = intern(component);
  r.name_ = intern(name);
  if (cause) r.cause_ = *cause;
  return r;
}

RecordId Trace::append(TraceRecord&& r, std::string_view detail) {
  assert(next_id_ < std::numeric_limits<RecordId>::max() - 1 && "trace too long");
  hash(r, detail);
  if (!detail.empty() && keeps_detail(r)) {
    assert(detail.size() <= std::numeric_limits<std::uint32_t>::max() && "detail too long");
    std::pmr::polymorphic_allocator<char> arena(symbols_->arena());
    char* const kept = arena.allocate(detail.size());
    std::copy(detail.begin(), detail.end(), kept);
    r.detail_ = kept;
    r.detail_size_ = static_cast<std::uint32_t>(detail.size());
  }
  records_.push_back(r);
  const RecordId id = next_id_++;
  if (sparse_) {
    batch_kept_.push_back(0);
    if (always_kept(r)) keep(id);
  }
  return id;
}

bool Trace::always_kept(const TraceRecord& r) {
  return r.kind == RecordKind::kMilestone || r.type == RecordType::kFault ||
         r.type == RecordType::kViolation || r.type == RecordType::kProcessExit;
}

void Trace::keep(RecordId id) {
  if (!sparse_) return;
  if (id >= batch_first_) {
    assert(id < next_id_ && "keep names a record");
    std::uint8_t& kept = batch_kept_[id - batch_first_];
    if (kept) return;
    kept = 1;
    // What a kept record names stays readable with it (the critical chain walks causes).
    const TraceRecord& r = records_[batch_begin_ + (id - batch_first_)];
    if (const auto c = r.cause()) keep(*c);
    for (const TraceArg& a : r.args()) {
      if (a.type == ArgType::kRecord) keep(static_cast<RecordId>(a.value));
    }
    return;
  }
  if (find(id) == nullptr) ++dropped_but_named_;
}

void Trace::advance_clock(SimTime clock) {
  if (clock > batch_clock_) {
    close_instant();
    batch_clock_ = clock;
  }
}

void Trace::close_instant() {
  std::pmr::polymorphic_allocator<TraceArg> arena(symbols_->arena());
  std::size_t out = batch_begin_;
  for (std::size_t i = 0; i < batch_kept_.size(); ++i) {
    if (!batch_kept_[i]) continue;
    TraceRecord& r = records_[batch_begin_ + i];
    if (r.args_size_ > 0) {
      TraceArg* const args = arena.allocate(r.args_size_);
      std::copy(r.args_, r.args_ + r.args_size_, args);
      r.args_ = args;
    }
    if (out != batch_begin_ + i) records_[out] = r;
    kept_ids_.push_back(batch_first_ + static_cast<RecordId>(i));
    released_.push_back(false);
    ++out;
  }
  records_.resize(out);
  batch_kept_.clear();
  symbols_->scratch().release();
  batch_begin_ = records_.size();
  batch_first_ = next_id_;
  constexpr std::size_t kMinDrop = 1024;  // below, a drop costs more than the memory it frees
  if (released_count_ >= kMinDrop && released_count_ * 4 >= kept_ids_.size()) drop_released();
}

void Trace::release(RecordId id) {
  if (!sparse_) return;
  assert(id < next_id_ && "release names a record");
  if (id >= batch_first_) {
    const TraceRecord& r = records_[batch_begin_ + (id - batch_first_)];
    if (!always_kept(r)) batch_kept_[id - batch_first_] = 0;
    return;
  }
  const auto it = std::lower_bound(kept_ids_.begin(), kept_ids_.end(), id);
  assert(it != kept_ids_.end() && *it == id && "release names a kept record");
  if (it == kept_ids_.end() || *it != id) return;
  const auto index = static_cast<std::size_t>(it - kept_ids_.begin());
  if (released_[index] || always_kept(records_[index])) return;
  released_[index] = true;
  ++released_count_;
}

void Trace::drop_released() {
  if (released_count_ == 0) return;
  // What the arena holds at kNone: the kept records' arguments and the faults' detail (those of
  // the current instant too); the rest is copied into a fresh one and the old one freed.
  auto fresh = std::make_unique<std::pmr::monotonic_buffer_resource>();
  std::pmr::polymorphic_allocator<TraceArg> args(fresh.get());
  std::pmr::polymorphic_allocator<char> chars(fresh.get());
  const auto move_detail = [&](TraceRecord& r) {
    if (r.detail_size_ == 0) return;
    char* const text = chars.allocate(r.detail_size_);
    std::copy(r.detail_, r.detail_ + r.detail_size_, text);
    r.detail_ = text;
  };
  std::size_t out = 0;
  for (std::size_t i = 0; i < batch_begin_; ++i) {
    if (released_[i]) continue;
    TraceRecord r = records_[i];
    if (r.args_size_ > 0) {
      TraceArg* const moved = args.allocate(r.args_size_);
      std::copy(r.args_, r.args_ + r.args_size_, moved);
      r.args_ = moved;
    }
    move_detail(r);
    records_[out] = r;
    kept_ids_[out] = kept_ids_[i];
    ++out;
  }
  const std::size_t kept = out;
  for (std::size_t i = batch_begin_; i < records_.size(); ++i) {
    TraceRecord r = records_[i];  // its arguments are in the scratch arena: left there
    move_detail(r);
    records_[out++] = r;
  }
  records_.resize(out);
  kept_ids_.resize(kept);
  kept_ids_.shrink_to_fit();
  released_.assign(kept, false);
  released_count_ = 0;
  batch_begin_ = kept;
  symbols_->replace_arena(std::move(fresh));
}

const TraceRecord* Trace::find(RecordId id) const {
  if (!sparse_) return id < records_.size() ? &records_[id] : nullptr;
  if (id >= next_id_) return nullptr;
  if (id >= batch_first_) return &records_[batch_begin_ + (id - batch_first_)];
  const auto it = std::lower_bound(kept_ids_.begin(), kept_ids_.end(), id);
  if (it == kept_ids_.end() || *it != id) return nullptr;
  const auto index = static_cast<std::size_t>(it - kept_ids_.begin());
  return released_[index] ? nullptr : &records_[index];
}

const TraceRecord& Trace::at(RecordId id) const {
  if (const TraceRecord* r = find(id)) return *r;
  throw std::out_of_range(id < next_id_
                              ? fmt::format("trace record {} was not kept (--trace none)", id)
                              : fmt::format("no trace record {} ({} recorded)", id, next_id_));
}

bool Trace::keeps_detail(const TraceRecord& r) const {
  switch (level_) {
    case TraceLevel::kFull:
      return true;
    case TraceLevel::kMilestones:
      return r.kind == RecordKind::kMilestone || r.type == RecordType::kFault ||
             r.type == RecordType::kViolation;
    case TraceLevel::kNone:
      return r.type == RecordType::kFault;
  }
  return true;
}

void Trace::set_level(TraceLevel level) {
  assert(next_id_ == 0 && "the level is chosen before the first record");
  level_ = level;
  sparse_ = level == TraceLevel::kNone;
}

RecordId Trace::record(SimTime t, std::string_view node, std::string_view component,
                       std::string_view event, std::string_view detail,
                       std::optional<RecordId> cause) {
  return append(make(RecordKind::kEvent, t, t, node, component, event, cause), detail);
}

RecordId Trace::milestone(SimTime t, std::string_view node, std::string_view name,
                          std::string_view detail, std::optional<RecordId> cause) {
  const RecordId id = append(make(RecordKind::kMilestone, t, t, node, {}, name, cause), detail);
  // Keyed by the record's interned views, which live as long as the trace.
  const TraceRecord& r = records_.back();
  milestones_by_name_[r.name()].push_back(id);
  const auto [reach, first] = reaches_[r.name()].try_emplace(r.node(), Reaches{id, id});
  if (!first) reach->second.latest = id;
  return id;
}

RecordId Trace::span(SimTime begin, SimTime end, std::string_view node, std::string_view component,
                     std::string_view name, std::string_view detail,
                     std::optional<RecordId> cause) {
  assert(begin <= end && "a span ends after it begins");
  TraceRecord r = make(RecordKind::kSpan, begin, end, node, component, name, cause);
  r.end = end;
  return append(std::move(r), detail);
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

// Each record is hashed as it is appended, before its detail may be dropped, so that the
// fingerprint is the same at every level; the count of records comes last.
void Trace::hash(const TraceRecord& r, std::string_view detail) {
  WordHash h(hash_);
  h.byte(static_cast<unsigned char>(r.kind));
  h.i64(r.time.ns());
  h.i64(r.end.ns());
  h.str(r.node());
  h.str(r.component());
  h.str(r.name());
  h.str(detail);
  const std::optional<RecordId> cause = r.cause();
  h.byte(cause ? 1 : 0);
  h.u64(cause ? *cause : 0);
  // Typed fields only for typed records; symbols by their text, not their ids.
  if (r.type != RecordType::kPlain) hash_typed(h, *this, r);
  hash_ = h.value();
}

std::uint64_t Trace::fingerprint() const {
  WordHash h(hash_);
  h.u64(next_id_);
  return h.value();
}

static_assert(sizeof(TraceRecord) <= 72, "a record is at most 72 bytes");

}  // namespace bootsim::sim
