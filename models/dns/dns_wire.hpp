// The DNS messages of the resolver path (RFC 1035, reduced to what the boot needs): a query
// for one name and type A, and a response with its rcode, the A records as host names and the
// TTL. The well-known ports and addresses of the DC/OS 1.9 DNS set-up live here too.
#pragma once

#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "models/core/topology.hpp"
#include "sim/network.hpp"
#include "sim/time.hpp"
#include "sim/trace.hpp"

namespace bootsim::models::dns {

// Spartan listens on UDP 53 of its `spartan` dummy interface (198.51.100.1-3); Mesos-DNS on
// 61053 (dcos-config.yaml /etc/mesos-dns.json "port").
inline constexpr sim::Port kSpartanPort = ports::kDns;
inline constexpr sim::Port kMesosDnsPort = ports::kMesosDns;
// The three addresses of Spartan's dummy interface (packages/spartan, gen_resolvconf.py).
inline constexpr std::string_view kSpartanAddresses[] = {"198.51.100.1", "198.51.100.2",
                                                         "198.51.100.3"};
// What `ready.spartan` resolves to (spartan: A 127.0.0.1).
inline constexpr std::string_view kLoopback = "127.0.0.1";

enum class Rcode { kNoError, kNxDomain, kServFail };
std::string_view to_string(Rcode r);

inline constexpr char kQuery[] = "dns query";
inline constexpr char kResponse[] = "dns response";

struct Query final : sim::Payload {
  explicit Query(std::string n) : name(std::move(n)) {}
  std::string_view kind() const override { return kQuery; }
  std::string name;
};

struct Response final : sim::Payload {
  std::string_view kind() const override { return kResponse; }
  std::string name;
  Rcode rcode = Rcode::kNoError;
  std::vector<std::string> hosts;  // A records, as host names ("master-2") or "127.0.0.1"
  sim::SimTime ttl;
  // Who answered and why it failed, for a name that does not resolve (e.g. "spartan on
  // agent-3: no Mesos-DNS answered within 10s"): the hop that failed.
  std::string by;
  // The trace record that made this answer what it is (Mesos-DNS's rebuild, Spartan's start):
  // simulation metadata for critical chains, not part of the DNS message.
  std::optional<sim::RecordId> cause;
};

}  // namespace bootsim::models::dns
