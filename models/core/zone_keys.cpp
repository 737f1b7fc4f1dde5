#include "models/core/zone_keys.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <vector>

namespace bootsim::models {

namespace {

std::vector<std::string_view> split_dots(std::string_view s) {
  std::vector<std::string_view> parts;
  std::size_t start = 0;
  while (true) {
    const std::size_t dot = s.find('.', start);
    parts.push_back(s.substr(start, dot == std::string_view::npos ? dot : dot - start));
    if (dot == std::string_view::npos) return parts;
    start = dot + 1;
  }
}

}  // namespace

bool is_zone_name(std::string_view name) {
  if (name.empty() || name.size() > 63 || name == "latency") return false;
  const auto lower_or_digit = [](char c) {
    return (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9');
  };
  if (!lower_or_digit(name.front())) return false;
  return std::all_of(name.begin(), name.end(),
                     [&](char c) { return lower_or_digit(c) || c == '-' || c == '_'; });
}

std::optional<ZoneKey> parse_zone_key(std::string_view key) {
  if (!key.starts_with(kZonesPrefix)) return std::nullopt;
  const auto parts = split_dots(key.substr(kZonesPrefix.size()));
  if (parts.size() == 2 && parts[0] == "latency") {
    if (parts[1] == "within") return ZoneKey{ZoneKeyKind::kDefaultWithin, {}, {}};
    if (parts[1] == "between") return ZoneKey{ZoneKeyKind::kDefaultBetween, {}, {}};
    return std::nullopt;
  }
  if (parts.size() == 3 && parts[0] == "latency") {
    if (!is_zone_name(parts[1]) || !is_zone_name(parts[2]) || parts[1] == parts[2]) {
      return std::nullopt;
    }
    return ZoneKey{ZoneKeyKind::kPair, std::string(parts[1]), std::string(parts[2])};
  }
  if (parts.empty() || !is_zone_name(parts[0])) return std::nullopt;
  const std::string zone(parts[0]);
  if (parts.size() == 2 && parts[1] == "latency") return ZoneKey{ZoneKeyKind::kWithin, zone, {}};
  if (parts.size() == 3 && parts[1] == "agents") {
    if (parts[2] == "private") return ZoneKey{ZoneKeyKind::kPrivateAgents, zone, {}};
    if (parts[2] == "public") return ZoneKey{ZoneKeyKind::kPublicAgents, zone, {}};
  }
  return std::nullopt;
}

std::string zone_key_problem(std::string_view key) {
  const auto parts = split_dots(key.substr(std::min(key.size(), kZonesPrefix.size())));
  if (parts.size() == 3 && parts[0] == "latency" && parts[1] == parts[2] &&
      is_zone_name(parts[1])) {
    return fmt::format("{}: the latency within zone {} is zones.{}.latency", key, parts[1],
                       parts[1]);
  }
  if (!parts.empty() && parts[0] != "latency" && !is_zone_name(parts[0])) {
    return fmt::format("{}: '{}' is not a zone name (lowercase letters, digits, '-' and '_')", key,
                       parts[0]);
  }
  return fmt::format(
      "unknown parameter '{}' (zone keys are zones.<zone>.agents.private, "
      "zones.<zone>.agents.public, zones.<zone>.latency, zones.latency.within, "
      "zones.latency.between and zones.latency.<zone>.<zone>)",
      key);
}

std::string zone_pair_key(std::string_view a, std::string_view b) {
  if (b < a) std::swap(a, b);
  return fmt::format("zones.latency.{}.{}", a, b);
}

}  // namespace bootsim::models
