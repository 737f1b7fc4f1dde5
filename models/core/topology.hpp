// Topology: the hosts of a simulated cluster by role, as configuration files tell DC/OS
// (master_list is static; agents are whatever boots).
//
//   for (const HostInfo& m : ctx.topology().masters) { ... m.node, m.name, m.zk_id ... }
//
// Contract: built once per run by its World; immutable afterwards. Masters are in the order
// of their sorted IP addresses, so `zk_id` (1-based) is the server id Exhibitor's static
// ensemble gives them (gen/calc.py calculate_exhibitor_static_ensemble).
#pragma once

#include <string>
#include <vector>

#include "sim/network.hpp"

namespace bootsim::models {

enum class Role { kMaster, kPrivateAgent, kPublicAgent };

struct HostInfo {
  sim::NodeId node;
  std::string name;  // master-1, agent-3, public-agent-1
  Role role = Role::kMaster;
  int zk_id = 0;     // masters only: ZooKeeper server id, 1..N
  std::string zone;  // the scenario's zone (availability zone or rack); empty without zones
};

struct Topology {
  std::vector<HostInfo> masters;
  std::vector<HostInfo> agents;  // private then public
  std::vector<HostInfo> all() const {
    std::vector<HostInfo> v = masters;
    v.insert(v.end(), agents.begin(), agents.end());
    return v;
  }
  int quorum() const { return static_cast<int>(masters.size()) / 2 + 1; }
};

// Well-known ports of the real components.
namespace ports {
inline constexpr sim::Port kDns = 53;                  // the DNS proxy (spartan / dcos-net)
inline constexpr sim::Port kZooKeeperClient = 2181;    // zoo.cfg clientPort
inline constexpr sim::Port kZooKeeperQuorum = 2888;    // learners to leader (Zab)
inline constexpr sim::Port kZooKeeperElection = 3888;  // Fast Leader Election
inline constexpr sim::Port kMesosMaster = 5050;
inline constexpr sim::Port kMesosAgent = 5051;
inline constexpr sim::Port kExhibitor = 8181;
inline constexpr sim::Port kMesosDns = 61053;
inline constexpr sim::Port kOauth = 8101;
}  // namespace ports

}  // namespace bootsim::models
