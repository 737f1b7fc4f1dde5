// resolve(): a lookup as a program on the host makes it — getaddrinfo() for an A record
// through glibc's stub resolver (resolv/res_send.c), reading the host's resolv.conf afresh each
// time. For each of `attempts` rounds it asks each nameserver in order (from a rotating offset
// with `options rotate`), waiting for each `(timeout << ns) / nscount` seconds (at least 1; ns
// the server's index, as send_dg computes it); a timeout or SERVFAIL moves on to the next, an
// answer or NXDOMAIN ends the lookup. No cache (DC/OS installs no caching daemon).
//
//   resolve(ctx, process, "leader.mesos", [](Resolution r) { if (r.ok) ... r.hosts ... });
//
// Nameservers 198.51.100.1-3 are Spartan on the host itself (UDP 53). Any other nameserver is
// the resolver outside the cluster (resolv_conf.hpp): simplification, it is not simulated and
// answers NXDOMAIN for every name after kOutsideRoundTrip, since it knows no cluster name.
// `done` runs once, unless `from` ends first. Lookups of leader.mesos are logged (LookupLog).
#pragma once

#include <deque>
#include <functional>
#include <map>
#include <optional>
#include <set>
#include <string>
#include <vector>

#include "models/core/run_context.hpp"
#include "sim/network.hpp"

namespace bootsim::models {

inline constexpr sim::SimTime kOutsideRoundTrip = sim::milliseconds(1);  // assumption

struct Resolution {
  std::string name;
  bool ok = false;  // NOERROR with at least one A record
  std::vector<std::string> hosts;
  sim::SimTime ttl;
  // When !ok: the hop that failed and how, e.g. "spartan on agent-1: SERVFAIL (no Mesos-DNS
  // answered within 10s)" or "no answer from 198.51.100.1, 198.51.100.2, 198.51.100.3".
  std::string failure;
  std::optional<sim::RecordId> cause;  // what made the answer (or its resolv.conf) so
};

void resolve(RunContext& ctx, sim::ProcessId from, std::string name,
             std::function<void(Resolution)> done);
// res_query() against one server that the caller names, as `host NAME SERVER` makes it (toybox
// host: res_init(), then the one server in place of resolv.conf's): the timeout and attempts
// still come from the host's resolv.conf (`timeout:1 attempts:3` once gen-resolvconf wrote it,
// glibc's 5 s x 2 before).
void resolve_at(RunContext& ctx, sim::ProcessId from, std::string name, std::string server,
                std::function<void(Resolution)> done);

// Every lookup of leader.mesos a client on a host made, as the client saw it: the measurement
// behind the stale and failure windows (models/run reads it after the run). Models write to it
// and read nothing back but add()'s answer. Shared by the run (RunContext::provide).
struct LeaderLookup {
  sim::SimTime time;
  std::string node;
  std::optional<std::string> leader;  // the answer, or nullopt: the lookup failed
  std::string failure;
};
// A hop behind the resolver that failed a lookup, e.g. Spartan when no Mesos-DNS answered: a
// client's resolver often gives up before that answer comes (glibc after 9 s, Spartan's
// SERVFAIL at 10 s), so the hop reports it here itself.
struct HopFailure {
  sim::SimTime time;
  std::string what;  // "spartan on agent-1: no Mesos-DNS answered within 10s (asked ...)"
};
class LookupLog {
 public:
  // Returns whether this is the first lookup of its host that answered.
  bool add(LeaderLookup l) {
    const bool first = l.leader && resolved_.insert(l.node).second;
    lookups_.push_back(std::move(l));
    return first;
  }
  void add_hop_failure(const std::string& node, HopFailure f) {
    last_hop_failure_.insert_or_assign(node, std::move(f));
  }
  const std::deque<LeaderLookup>& lookups() const { return lookups_; }
  // The last hop failure on `node`, if any.
  const HopFailure* last_hop_failure(const std::string& node) const {
    const auto it = last_hop_failure_.find(node);
    return it == last_hop_failure_.end() ? nullptr : &it->second;
  }

 private:
  // A deque: the log grows to the end of a run (15 MB at 10,000 agents), and a vector's
  // doubling held up to half of it as slack.
  std::deque<LeaderLookup> lookups_;
  std::set<std::string, std::less<>> resolved_;  // hosts with an answer so far
  std::map<std::string, HopFailure, std::less<>> last_hop_failure_;
};

// Records what a client on `node` got for leader.mesos: the log entry, and the node's milestone
// `dns-proxy.leader_resolvable` at its first success.
void note_leader_lookup(RunContext& ctx, std::string_view node, const Resolution& r);

}  // namespace bootsim::models
