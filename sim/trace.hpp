// Trace: what happened in a run, as structured records, in the order it happened.
//
//   sim::Trace trace;
//   const auto id = trace.milestone(now, "master-1", "zookeeper.serving", "follower, epoch 1");
//   trace.record(now, "master-1", "dcos-mesos-master", "gate_failed", "ping ready.spartan", id);
//
// Contract: records are appended as they happen, in the engine's order (a span when it ends,
// with `time` its beginning), each with an
// optional cause (the index of the record that enabled it), so reports can draw spans and walk
// critical chains. Models never print; they record here. fingerprint() is a stable hash of
// every record: two runs with the same scenario and seed have the same fingerprint.
#pragma once

#include <cstdint>
#include <functional>
#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "sim/time.hpp"

namespace bootsim::sim {

using RecordId = std::uint32_t;

enum class RecordKind { kEvent, kMilestone, kSpan };

struct TraceRecord {
  RecordKind kind = RecordKind::kEvent;
  SimTime time;           // when it happened (a span: when it began)
  SimTime end;            // spans only: when it ended
  std::string node;       // host name, "cluster", or a service name
  std::string component;  // unit or model, e.g. "dcos-mesos-master"; "" for milestones
  std::string name;       // event name or milestone name
  std::string detail;
  std::optional<RecordId> cause;
};

class Trace {
 public:
  RecordId record(SimTime t, std::string_view node, std::string_view component,
                  std::string_view event, std::string detail = {},
                  std::optional<RecordId> cause = std::nullopt);
  // Milestones are the public vocabulary (DESIGN.md); a milestone may be reached again.
  RecordId milestone(SimTime t, std::string_view node, std::string_view name,
                     std::string detail = {}, std::optional<RecordId> cause = std::nullopt);
  // A closed interval, e.g. a unit waiting for its gates; recorded when it ends.
  RecordId span(SimTime begin, SimTime end, std::string_view node, std::string_view component,
                std::string_view name, std::string detail = {},
                std::optional<RecordId> cause = std::nullopt);

  const std::vector<TraceRecord>& records() const { return records_; }
  const TraceRecord& at(RecordId id) const { return records_.at(id); }
  // The first time `name` was reached on `node`, if it was.
  std::optional<RecordId> first_milestone(std::string_view name, std::string_view node) const;
  // The latest reach of `name` on `node` (on any node if `node` is empty), if any.
  std::optional<RecordId> latest_milestone(std::string_view name, std::string_view node) const;
  // Every reach of `name`, on any node, in time order.
  std::vector<RecordId> milestones_named(std::string_view name) const;

  std::uint64_t fingerprint() const;

 private:
  std::vector<TraceRecord> records_;
  // Milestone ids by name, in record (= time) order: reports ask for every milestone on every
  // node, which a scan of all records would make quadratic. An ordered map: no hash order.
  std::map<std::string, std::vector<RecordId>, std::less<>> milestones_by_name_;
};

}  // namespace bootsim::sim
