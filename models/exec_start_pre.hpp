// The ExecStartPre commands of DC/OS units as Gates: `ping -c1 NAME`, `bootstrap <svc>`,
// `test -f /var/lib/dcos/cluster-id`, `curl --fail` to a local service, `test -S` on a socket,
// and `check-time`.
//
//   auto gate = make_gate(GateDef{"ping", "leader.mesos"}, Role::kPrivateAgent);
//   gate->probe(site, [](GateResult r) { ... });
//
// Contract: a probe answers from Facts that the owning models publish (see facts.hpp), after the
// time the real command takes to fail or succeed; it records nothing itself. The bootstrap gate
// here is the stand-in for DC/OS's Exhibitor/ZooKeeper wait until the ZooKeeper protocol model
// answers it over the network.
#pragma once

#include <memory>

#include "models/profile.hpp"
#include "models/unit.hpp"

namespace bootsim::models {

// nullptr for a gate kind the registry does not know (validate() reports those first).
std::unique_ptr<Gate> make_gate(const GateDef& def, Role role);

// Fact names shared by the models that set them and the gates that read them.
namespace fact {
inline constexpr std::string_view kDnsProxyUp = "dns-proxy.up";
inline constexpr std::string_view kResolvConfToProxy = "resolv.conf->dns-proxy";
inline constexpr std::string_view kClusterIdFile = "file:/var/lib/dcos/cluster-id";
inline constexpr std::string_view kClusterIdZnode = "znode:/cluster-id";  // cluster-wide
inline constexpr std::string_view kZooKeeperServing = "zookeeper.serving";
inline constexpr std::string_view kZooKeeperLeader = "zookeeper.leader";
inline constexpr std::string_view kExhibitorUp = "exhibitor.up";
inline constexpr std::string_view kMesosLeading = "mesos-master.leading";
inline constexpr std::string_view kMesosDnsServing = "mesos-dns.serving";
inline constexpr std::string_view kMesosDnsLeaderRecord = "mesos-dns.leader_record";
inline constexpr std::string_view kMesosDnsMarathonRecord = "mesos-dns.marathon_record";
inline constexpr std::string_view kTelegrafSocket = "telegraf.socket";
// "unit:<name>" is set by every generic unit while it is active.
std::string unit_up(std::string_view unit);
}  // namespace fact

}  // namespace bootsim::models
