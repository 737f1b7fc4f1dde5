// Zone keys: the parameters of a scenario's zones (availability zones or racks), addressed like
// every other parameter so that scenarios, --set and --vary share them (scenarios/README.md,
// Zones):
//
//   zones.<zone>.agents.private, zones.<zone>.agents.public   integers: the zone's agents
//   zones.<zone>.latency                                      distribution: within that zone
//   zones.latency.within, zones.latency.between               distributions: the defaults
//   zones.latency.<zone>.<zone>                               distribution: between two zones
//
//   if (auto k = parse_zone_key("zones.b.agents.private")) ... k->kind, k->zone ...
//
// Contract: pure functions over text. Whether a zone exists is the scenario's check; here only
// the shape of the key and the zone names' spelling.
#pragma once

#include <optional>
#include <string>
#include <string_view>

namespace bootsim::models {

inline constexpr std::string_view kZonesPrefix = "zones.";

enum class ZoneKeyKind {
  kPrivateAgents,   // zones.<zone>.agents.private
  kPublicAgents,    // zones.<zone>.agents.public
  kWithin,          // zones.<zone>.latency
  kDefaultWithin,   // zones.latency.within
  kDefaultBetween,  // zones.latency.between
  kPair,            // zones.latency.<zone>.<other>
};

struct ZoneKey {
  ZoneKeyKind kind;
  std::string zone;   // empty for the defaults
  std::string other;  // kPair only
  bool is_count() const {
    return kind == ZoneKeyKind::kPrivateAgents || kind == ZoneKeyKind::kPublicAgents;
  }
};

// A zone name: a lowercase letter or digit, then lowercase letters, digits, '-' and '_', at most
// 63 characters (an availability zone such as us-east-1a, a rack such as rack-12), and not
// "latency", which names the zone latencies.
bool is_zone_name(std::string_view name);

// The key's parts, or nullopt when it is not a well-formed zone key (see zone_key_problem).
std::optional<ZoneKey> parse_zone_key(std::string_view key);

// Why a key that starts with "zones." is not a zone key, as a message without location.
std::string zone_key_problem(std::string_view key);

// The canonical key of the latency between zones a and b (the two in sorted order): the same
// key whichever way round they are written.
std::string zone_pair_key(std::string_view a, std::string_view b);

}  // namespace bootsim::models
