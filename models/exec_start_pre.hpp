// The ExecStartPre commands of DC/OS units as Gates: `ping -c1 NAME`, `bootstrap <svc>`,
// `test -f /var/lib/dcos/cluster-id`, `curl --fail` to a local service, `test -S` on a socket,
// and `check-time`.
//
//   auto gate = make_gate(GateDef{"ping", "leader.mesos"}, Role::kPrivateAgent);
//   gate->probe(site, [](GateResult r) { ... });
//
// Contract: `bootstrap` asks ZooKeeper and Exhibitor over the network (bootstrap.hpp); the other
// probes answer from Facts that the owning models publish (facts.hpp) — DNS until the DNS path
// has a protocol model — after the time the real command takes to fail or succeed.
#pragma once

#include <memory>

#include "models/profile.hpp"
#include "models/unit.hpp"

namespace bootsim::models {

class ZooKeeperEnsemble;

// nullptr for a gate kind the registry does not know (validate() reports those first).
std::unique_ptr<Gate> make_gate(const GateDef& def, Role role, ZooKeeperEnsemble& ensemble);

// Fact names shared by the models that set them and the gates that read them.
namespace fact {
inline constexpr std::string_view kDnsProxyUp = "dns-proxy.up";
inline constexpr std::string_view kResolvConfToProxy = "resolv.conf->dns-proxy";
inline constexpr std::string_view kClusterIdFile = "file:/var/lib/dcos/cluster-id";
inline constexpr std::string_view kClusterIdZnode = "znode:/cluster-id";  // cluster-wide
inline constexpr std::string_view kMesosLeading = "mesos-master.leading";
inline constexpr std::string_view kMesosDnsServing = "mesos-dns.serving";
inline constexpr std::string_view kMesosDnsLeaderRecord = "mesos-dns.leader_record";
inline constexpr std::string_view kMesosDnsMarathonRecord = "mesos-dns.marathon_record";
inline constexpr std::string_view kTelegrafSocket = "telegraf.socket";
// "unit:<name>" is set by every generic unit while it is active.
std::string unit_up(std::string_view unit);
}  // namespace fact

}  // namespace bootsim::models
