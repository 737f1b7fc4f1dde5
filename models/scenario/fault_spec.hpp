// FaultSpec: one fault to inject during a run, as scenarios (YAML) and --fault describe it.
//
//   auto f = parse_fault_line("kind=crash target=zookeeper-leader at=zookeeper.quorum+4s "
//                             "restart_after=30s", {});           // {} = the command line
//   if (auto* e = std::get_if<InputError>(&f)) report(e->format());
//
// Contract: a fault is a set of key=value fields; the line form and the YAML map form go through
// the same validation (build_fault) and give equal FaultSpecs. Validation here is syntactic and
// self-contained: kinds, keys, durations, milestones, the shape of targets. Whether a named node
// exists (given the cluster's counts) and whether a unit exists in the profile are the caller's
// checks (check_node_names in scenario.hpp; the profile). Roles (zookeeper-leader, mesos-leader,
// any-master, any-agent) are resolved when the fault fires, with a draw from the run's seed.
#pragma once

#include <cstdint>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <variant>
#include <vector>

#include "models/core/source_location.hpp"
#include "sim/time.hpp"

namespace bootsim::models {

// When something happens: an absolute time since boot ("30s"), or a milestone with an optional
// node and a non-negative offset ("zookeeper.quorum+4s", "agent.registered@agent-3+1s").
// A per-node milestone without @node means the first time any node reaches it.
struct TimeRef {
  std::optional<sim::SimTime> absolute;
  std::string milestone;  // empty when absolute
  std::string node;       // empty: any node (or a cluster milestone)
  sim::SimTime offset;
  bool operator==(const TimeRef&) const = default;
  // The canonical text parse_time_ref reads back: "30s", "zookeeper.quorum+4s".
  std::string to_string() const;
};

// On error returns a message without location or key, e.g. "unknown milestone 'zookeper.quorum'
// (did you mean 'zookeeper.quorum'?)". Whitespace around '+' is allowed.
std::variant<TimeRef, std::string> parse_time_ref(std::string_view text);

// Node names: master-1..N, agent-1..P (private), public-agent-1..Q; 1-based, no leading zeros.
enum class NodeKind { kMaster, kPrivateAgent, kPublicAgent };
struct NodeName {
  NodeKind kind;
  std::int64_t index;  // 1-based
};
std::optional<NodeName> parse_node_name(std::string_view name);

enum class FaultKind {
  kCrash,            // target a node: host crash; node/unit: process crash (host stays up)
  kPause,            // target node/unit: the process is alive but silent (SIGSTOP)
  kPartition,        // groups: hosts in different groups cannot reach each other
  kHeal,             // name: heals that partition or link change; no name: every partition
  kOneWayPartition,  // groups A|B: A's messages to B are lost, B's to A still arrive
  kLink,             // groups: the links between them get delay, loss and duplication
  kCrashLoop,        // target node/unit: the process dies dies_after after each start
  kSlowDisk,         // target node: fsync and start-up latencies scaled by factor
  kClock,            // target node: its clock is skewed and drifts (its timers run on it)
  kDnsOutage,        // target node/unit (Mesos-DNS or Spartan): answers SERVFAIL, or nothing
  kZkSessionExpiry,  // target node/unit: the ensemble expires that process's ZooKeeper sessions
};
// "crash", "pause", "partition", "heal", "one-way-partition", "link", "crash-loop",
// "slow-disk", "clock", "dns-outage", "zk-session-expiry".
std::string_view fault_kind_name(FaultKind kind);
std::span<const std::string_view> fault_kind_names();

// Roles a target may name instead of a node, resolved when the fault fires.
std::span<const std::string_view> fault_target_roles();
bool is_fault_target_role(std::string_view name);

// Groups a target may name instead of one node: all-masters, all-agents (private and public),
// all-private-agents, all-public-agents, and ranges masters[1..2], agents[3..5],
// public-agents[1..1] (1-based, inclusive).
struct NodeGroup {
  std::optional<NodeKind> kind;  // nullopt: every agent, private and public
  std::int64_t first = 1;
  std::optional<std::int64_t> last;  // nullopt: to the end
};
std::optional<NodeGroup> parse_node_group(std::string_view name);

// A zone of the scenario's `zones:` as a target or group member: "zone:b" -> "b" (every host
// in zone b); nullopt when `name` is not of that form. Whether the zone exists is the
// scenario's check.
inline constexpr std::string_view kZoneRefPrefix = "zone:";
std::optional<std::string> parse_zone_ref(std::string_view name);

// "master-2/mesos-dns" -> {"master-2", "mesos-dns"}; "zookeeper-leader" -> {"zookeeper-leader",
// ""}.
struct FaultTarget {
  std::string node;  // a node name or a role
  std::string unit;  // empty: the whole host
};
FaultTarget split_fault_target(std::string_view target);

// What a DNS server in an outage answers: SERVFAIL to every query, or nothing at all.
enum class DnsOutageAnswer { kServFail, kNothing };

// The DNS servers a dns-outage may name, as units: Mesos-DNS (masters) and Spartan (every node).
bool is_dns_server_unit(std::string_view unit);
bool is_mesos_dns_unit(std::string_view unit);  // mesos-dns or dcos-mesos-dns

struct FaultSpec {
  FaultKind kind = FaultKind::kCrash;
  std::string target;  // crash, pause: node, node/unit, role, role/unit; empty for a partition
  TimeRef at;
  std::optional<sim::SimTime> restart_after;     // crash: back up after this; absent: stays down
  std::optional<sim::SimTime> heal_after;        // partition: healed after this; absent: never
  std::optional<sim::SimTime> resume_after;      // pause: resumed after this; absent: never
  std::vector<std::vector<std::string>> groups;  // partition: node names, roles (no unit), "rest"
  std::string name;  // partition, one-way-partition, link: the name heal takes; heal: which
  std::optional<sim::SimTime> delay;       // link: added to every message's latency
  std::optional<double> loss;              // link: each transmission lost with this probability
  std::optional<double> duplicate;         // link: a datagram delivered twice with this prob.
  std::optional<sim::SimTime> dies_after;  // crash-loop: the process dies this long after start
  std::optional<sim::SimTime> for_;  // crash-loop, slow-disk, clock, dns-outage: undone after this
  std::optional<std::int64_t> factor_percent;  // slow-disk: latencies × factor (100 = as is)
  std::optional<sim::SimTime> skew;            // clock: ahead of true time (negative: behind)
  std::optional<std::int64_t> drift_ppm;       // clock: runs fast by this (negative: slow)
  std::optional<DnsOutageAnswer> answers;      // dns-outage: servfail (default) or nothing
  SourceLocation where;                        // the fault as a whole
  std::string text;                            // canonical line form, as format_fault gives
  bool operator==(const FaultSpec&) const = default;
};

// The canonical line form: "kind=crash target=master-1 at=30s restart_after=1m".
std::string format_fault(const FaultSpec& fault);

// One key=value field of a fault, with where its key and value are (the same location for
// the line form).
struct FaultField {
  std::string key;
  std::string value;
  SourceLocation key_where;
  SourceLocation value_where;
};

// Validates the fields of one fault (any order) and builds it; errors point at the offending
// field, or at `where` for a missing one. Used by both forms.
std::variant<FaultSpec, InputError> build_fault(const std::vector<FaultField>& fields,
                                                const SourceLocation& where);

// The --fault form: whitespace-separated key=value words. Every error points at `where`.
std::variant<FaultSpec, InputError> parse_fault_line(std::string_view line,
                                                     const SourceLocation& where);

}  // namespace bootsim::models
