// Trace: what happened in a run, as structured records, in the order it happened.
//
//   sim::Trace trace;
//   const auto id = trace.milestone(now, "master-1", "zookeeper.serving", "follower, epoch 1");
//   trace.record(now, "master-1", "dcos-mesos-master", "gate_failed", "ping ready.spartan", id);
//
//   trace.state_change(now, "master-1", "dcos-marathon", "start-pre", "auto-restart",
//   "RestartSec=15s",
//                      {sim::arg_duration("restart_sec", sim::seconds(15))});
//
// Contract: records are appended as they happen, in the engine's order (a span when it ends,
// with `time` its beginning), each with an
// optional cause (the index of the record that enabled it), so reports can draw spans and walk
// critical chains. Models never print; they record here. fingerprint() is a stable hash of
// every record: two runs with the same scenario and seed have the same fingerprint.
//
// Typed records: a record's `type` says what it is (a state change, a failed gate, a process
// exit, a fault, a violation) and its `from`/`to` and `args` carry the facts as values, so that
// reports never parse `detail` (text for people) nor match on names. Strings that repeat from
// record to record (states, argument keys, gate names, reasons) are interned once per trace
// (`Symbol`); a record holds their ids.
#pragma once

#include <array>
#include <cstdint>
#include <deque>
#include <functional>
#include <initializer_list>
#include <map>
#include <memory>
#include <memory_resource>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

#include "sim/time.hpp"

namespace bootsim::sim {

using RecordId = std::uint32_t;

// The shape of a record: a point in time, a milestone (the public vocabulary), or an interval.
enum class RecordKind : std::uint8_t { kEvent, kMilestone, kSpan };

// What a record is, for reports; kPlain is an untyped record (a name and a detail text).
enum class RecordType : std::uint8_t {
  kPlain,
  kStateChange,  // a component's lifecycle moved `from` -> `to` (a unit, a master, a server)
  kGateFailed,   // an ExecStartPre gate failed; args "gate" and "reason"
  kProcessExit,  // a unit's main process ended; arg "reason"
  kFault,        // a fault fired; the name is its outcome (process_crash, no_target, ...)
  kViolation,    // a safety property or ordering rule broke; arg "rule"
};
std::string_view to_string(RecordType t);

// What a trace keeps. The fingerprint, which hashes each record as it comes, and the ids, which
// count every record, are the same at every level.
//   kFull: every record, with its detail (its text for people: what the reports show);
//   kMilestones: every record; only milestones', faults' and violations' detail (the
//   timeline, the summary and the why lines of the critical chain);
//   kNone: only the records something reads back (a sweep: milestone times, budgets,
//   violations and the critical chain): milestones, faults, violations, process exits, the
//   records kept with keep() and what those name as cause or argument; faults' detail only.
//   Any other record can be read until the clock passes the time it was recorded at.
enum class TraceLevel : std::uint8_t { kFull, kMilestones, kNone };
std::string_view to_string(TraceLevel level);
std::optional<TraceLevel> trace_level_named(std::string_view name);
// The names trace_level_named takes, for a message: "full, milestones or none".
std::string trace_level_choices();

// An interned string of one trace; Symbol{} is the empty string.
enum class Symbol : std::uint32_t {};

// A typed argument of a record: an integer, a duration (ns), an interned text, or a record.
enum class ArgType : std::uint8_t { kInt, kDuration, kText, kRecord };
struct TraceArg {
  Symbol key{};
  ArgType type = ArgType::kInt;
  std::int64_t value = 0;  // the integer, the duration's ns, the text's Symbol, the RecordId
};

// An argument as a model writes it (the trace interns its strings): see arg_int() and friends.
struct ArgInit {
  std::string_view key;
  ArgType type = ArgType::kInt;
  std::int64_t number = 0;
  std::string_view text{};
};
using ArgList = std::initializer_list<ArgInit>;
inline ArgInit arg_int(std::string_view key, std::int64_t v) {
  return {key, ArgType::kInt, v, {}};
}
inline ArgInit arg_duration(std::string_view key, SimTime d) {
  return {key, ArgType::kDuration, d.ns(), {}};
}
inline ArgInit arg_text(std::string_view key, std::string_view text) {
  return {key, ArgType::kText, 0, text};
}
inline ArgInit arg_record(std::string_view key, RecordId id) {
  return {key, ArgType::kRecord, static_cast<std::int64_t>(id), {}};
}

// The interned strings of one trace: ids in order of first use (the engine's order, so
// deterministic); id 0 is "". A deque never moves what it holds, and the table sits behind the
// trace's pointer, which a move hands over, so every view of it stays valid. The arena holds
// the records' details and arguments the same way: one allocation per growing block instead of
// one or two per record, freed with the trace.
class SymbolTable {
 public:
  SymbolTable();
  SymbolTable(const SymbolTable&) = delete;
  SymbolTable& operator=(const SymbolTable&) = delete;

  Symbol intern(std::string_view s);
  std::string_view text(Symbol s) const { return by_id_.at(static_cast<std::size_t>(s)); }
  std::optional<Symbol> find(std::string_view s) const;  // never adds one
  std::pmr::memory_resource* arena() { return arena_.get(); }
  // Replaces the arena by `fresh`, into which the caller has copied what it still needs.
  void replace_arena(std::unique_ptr<std::pmr::monotonic_buffer_resource> fresh) {
    arena_ = std::move(fresh);
  }
  // The arguments of the records of the current instant while a sparse trace (kNone) has not
  // yet decided to keep them; released when the clock moves on.
  std::pmr::monotonic_buffer_resource& scratch() { return scratch_; }

 private:
  std::unique_ptr<std::pmr::monotonic_buffer_resource> arena_ =
      std::make_unique<std::pmr::monotonic_buffer_resource>();
  std::array<std::byte, 16384> scratch_buffer_;
  std::pmr::monotonic_buffer_resource scratch_{scratch_buffer_.data(), scratch_buffer_.size()};
  std::deque<std::string> texts_;
  std::vector<std::string_view> by_id_;
  // Hashed: never iterated (ids come from by_id_), and a tree's string compares were 5 % of a
  // 1,000-agent boot's instructions.
  std::unordered_map<std::string_view, Symbol> ids_;
  // The symbol last interned from each of a few recent addresses. Models pass the same
  // long-lived names (a host's, a unit's) record after record, and comparing a name with its
  // symbol's text is cheaper than hashing it. A hit is checked by content, never trusted by
  // address alone, so the symbols are the same with or without it.
  struct Recent {
    const char* data = nullptr;
    Symbol symbol{};
  };
  std::array<Recent, 256> recent_{};
};

// One record, as the trace keeps it: 72 bytes, not the 120 that four string views, a span and an
// optional cause took; a boot keeps about 330 records an agent. Its names are symbols read
// through the table it points at (valid as long as its trace), its detail and arguments a
// pointer and a count into the trace's arena. Only a Trace makes one.
class TraceRecord {
 public:
  SimTime time;   // when it happened (a span: when it began)
  SimTime end;    // spans only: when it ended
  Symbol from{};  // state changes: the state left
  Symbol to{};    // state changes: the state entered
  RecordKind kind = RecordKind::kEvent;
  RecordType type = RecordType::kPlain;

  std::string_view node() const { return symbols_->text(node_); }  // host, "cluster", a service
  // Unit or model, e.g. "dcos-mesos-master"; "" for milestones.
  std::string_view component() const { return symbols_->text(component_); }
  std::string_view name() const { return symbols_->text(name_); }  // event or milestone name
  // Text for people, kept as the trace's level says (else empty).
  std::string_view detail() const { return {detail_, detail_size_}; }
  // Typed records only (type != kPlain); Trace::text() reads their symbols.
  std::span<const TraceArg> args() const { return {args_, args_size_}; }
  std::optional<RecordId> cause() const {
    return cause_ == kNoCause ? std::nullopt : std::optional<RecordId>(cause_);
  }

 private:
  friend class Trace;
  static constexpr RecordId kNoCause = 0xffffffffu;  // a trace never holds that many
  // In this order, after the public fields, to pack into 72 bytes.
  std::uint16_t args_size_ = 0;
  std::uint32_t detail_size_ = 0;
  const SymbolTable* symbols_ = nullptr;
  const char* detail_ = nullptr;
  const TraceArg* args_ = nullptr;
  Symbol node_{};
  Symbol component_{};
  Symbol name_{};
  RecordId cause_ = kNoCause;
};

// Records in a deque: a vector's doubling kept up to twice the records' memory, and three times
// at the moment it grew (the old buffer, the new, the slack); at 1,000 agents that was most of a
// boot's peak memory. A record also stays where it is once recorded. (Not Boost.Container's
// deque with larger blocks: Boost 1.74's clear() does arithmetic on a null pointer, which UBSan
// reports, when a trace is moved into an empty one.)
using TraceRecords = std::deque<TraceRecord>;

class Trace {
 public:
  Trace();
  ~Trace();
  Trace(Trace&&) noexcept;  // a moved-from trace may only be destroyed or assigned to
  Trace& operator=(Trace&&) noexcept;
  Trace(const Trace&) = delete;
  Trace& operator=(const Trace&) = delete;

  RecordId record(SimTime t, std::string_view node, std::string_view component,
                  std::string_view event, std::string_view detail = {},
                  std::optional<RecordId> cause = std::nullopt);
  // Milestones are the public vocabulary (DESIGN.md); a milestone may be reached again.
  RecordId milestone(SimTime t, std::string_view node, std::string_view name,
                     std::string_view detail = {}, std::optional<RecordId> cause = std::nullopt);
  // A closed interval, e.g. a unit waiting for its gates; recorded when it ends.
  RecordId span(SimTime begin, SimTime end, std::string_view node, std::string_view component,
                std::string_view name, std::string_view detail = {},
                std::optional<RecordId> cause = std::nullopt);

  // A typed event (kind kEvent): its type, arguments and cause. `event` names it as record()
  // does; reports read the type and arguments, never the detail.
  RecordId typed(SimTime t, RecordType type, std::string_view node, std::string_view component,
                 std::string_view event, std::string_view detail = {}, ArgList args = {},
                 std::optional<RecordId> cause = std::nullopt);
  // A state change of `component` from `from` to `to`; the record's name is `to`.
  RecordId state_change(SimTime t, std::string_view node, std::string_view component,
                        std::string_view from, std::string_view to, std::string_view detail = {},
                        ArgList args = {}, std::optional<RecordId> cause = std::nullopt);

  // Interning: the symbol of `s` (added on first use), and back.
  Symbol intern(std::string_view s);
  std::string_view text(Symbol s) const { return symbols_->text(s); }
  // `s`'s symbol if this trace has interned it: a lookup never adds one.
  std::optional<Symbol> find_symbol(std::string_view s) const;
  // The argument `key` of `r`, if it has one.
  const TraceArg* arg(const TraceRecord& r, std::string_view key) const;
  std::optional<std::int64_t> int_arg(const TraceRecord& r, std::string_view key) const;
  std::optional<SimTime> duration_arg(const TraceRecord& r, std::string_view key) const;
  std::optional<std::string_view> text_arg(const TraceRecord& r, std::string_view key) const;
  std::optional<RecordId> record_arg(const TraceRecord& r, std::string_view key) const;

  // The records the trace holds, in id order: every record unless the level is kNone. The
  // id of records()[i] is id_of(i).
  const TraceRecords& records() const { return records_; }
  RecordId id_of(std::size_t index) const {
    if (!sparse_) return static_cast<RecordId>(index);
    return index < batch_begin_ ? kept_ids_[index]
                                : batch_first_ + static_cast<RecordId>(index - batch_begin_);
  }
  // How many records were recorded, kept or not: the next record's id.
  std::size_t size() const { return next_id_; }
  // Whether records() holds every record recorded (the level is not kNone).
  bool holds_every_record() const { return !sparse_; }
  // The record `id`; at() throws std::out_of_range if the trace does not hold it. At kNone a
  // reference lasts until a record of a later time: then the trace drops what it does not keep
  // and moves what it does.
  const TraceRecord* find(RecordId id) const;
  const TraceRecord& at(RecordId id) const;
  // At kNone, keeps record `id` (and what it names as cause or record argument) past the
  // instant it was recorded at: a model that holds a record's id to name it later, or to read
  // it back, keeps it. Does nothing at the other levels, which keep every record.
  void keep(RecordId id);
  // At kNone, the model that kept `id` lets it go: nothing will read it back or name it any
  // more (a request that was answered, say). The trace drops it from what it keeps, soon or at
  // the latest at drop_released(); naming it afterwards counts in dropped_but_named(). A
  // milestone, fault, violation or process exit stays. Does nothing at the other levels.
  void release(RecordId id);
  // Drops every record released so far at once: records() holds only what the run reads back.
  void drop_released();
  // Records named (by keep(), or as cause or argument of a kept record) after they were
  // dropped: a model that holds an id without keeping it. Always 0 in a correct model.
  std::uint64_t dropped_but_named() const { return dropped_but_named_; }
  // The first time `name` was reached on `node`, if it was.
  std::optional<RecordId> first_milestone(std::string_view name, std::string_view node) const;
  // The latest reach of `name` on `node` (on any node if `node` is empty), if any.
  std::optional<RecordId> latest_milestone(std::string_view name, std::string_view node) const;
  // Every reach of `name`, on any node, in time order.
  std::vector<RecordId> milestones_named(std::string_view name) const;

  // Before the first record: how much detail the trace keeps (kFull unless set).
  void set_level(TraceLevel level);
  TraceLevel level() const { return level_; }

  // A hash of every record as it was recorded, detail included whatever the level: equal runs
  // have equal fingerprints.
  std::uint64_t fingerprint() const;

 private:
  TraceRecord make(RecordKind kind, SimTime t, SimTime end, std::string_view node,
                   std::string_view component, std::string_view name,
                   std::optional<RecordId> cause);
  void type_it(TraceRecord& r, RecordType type, ArgList args);
  // Hashes `r` with `detail` into the fingerprint, keeps the detail if the level says so, and
  // keeps the record.
  RecordId append(TraceRecord&& r, std::string_view detail);
  bool keeps_detail(const TraceRecord& r) const;
  void hash(const TraceRecord& r, std::string_view detail);
  // Sparse traces (kNone): the records of an instant are held until the clock passes it (so
  // that listeners and the models of that instant can read them), then only the kept stay.
  void advance_clock(SimTime clock);
  void close_instant();
  static bool always_kept(const TraceRecord& r);

  TraceLevel level_ = TraceLevel::kFull;
  bool sparse_ = false;  // level_ == kNone
  std::uint64_t hash_;   // the hash of every record so far (trace.cpp: WordHash)
  TraceRecords records_;
  RecordId next_id_ = 0;
  // Sparse only: records_[0, batch_begin_) are kept records, with ids kept_ids_ (ascending);
  // records_[batch_begin_, end) are every record of the current instant, ids batch_first_ on,
  // batch_kept_ saying which are kept so far.
  std::vector<RecordId> kept_ids_;
  // Parallel to kept_ids_: let go by release(), dropped when they are a quarter of the kept
  // records (each drop copies the rest, so a release costs at most four copies).
  std::vector<bool> released_;
  std::size_t released_count_ = 0;
  std::size_t batch_begin_ = 0;
  RecordId batch_first_ = 0;
  SimTime batch_clock_;
  std::vector<std::uint8_t> batch_kept_;
  std::uint64_t dropped_but_named_ = 0;
  std::unique_ptr<SymbolTable> symbols_;
  // Milestone ids by name, in record (= time) order: reports ask for every milestone on every
  // node, which a scan of all records would make quadratic. An ordered map: no hash order.
  // Keys are the interned names (views of the symbol table).
  std::map<std::string_view, std::vector<RecordId>> milestones_by_name_;
  // The first and latest reach of each (milestone, node): models ask for one agent's reach
  // once per agent, which a walk of every reach of the name made quadratic.
  struct Reaches {
    RecordId first;
    RecordId latest;
  };
  using NodeReaches = std::map<std::string_view, Reaches>;
  std::map<std::string_view, NodeReaches> reaches_;
  const Reaches* reaches(std::string_view name, std::string_view node) const;
};

}  // namespace bootsim::sim
