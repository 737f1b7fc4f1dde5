// The DNS facts (core/facts.hpp) that the DNS proxy and Mesos-DNS publish and the ping gate and
// gen-resolvconf read: the part of the blackboard that stays until the DNS path has a protocol
// model (DESIGN.md, roadmap step 2). Used in models/dns only.
//
//   ctx.facts().set(node.value, fact::kDnsProxyUp, record);
#pragma once

#include <string_view>

#include "models/core/facts.hpp"

namespace bootsim::models::fact {

inline constexpr std::string_view kDnsProxyUp = "dns-proxy.up";
inline constexpr std::string_view kMesosDnsServing = "mesos-dns.serving";
inline constexpr std::string_view kMesosDnsLeaderRecord = "mesos-dns.leader_record";
inline constexpr std::string_view kMesosDnsMarathonRecord = "mesos-dns.marathon_record";

}  // namespace bootsim::models::fact
