#include "models/scenario/zones.hpp"

#include <fmt/format.h>
#include <fmt/ranges.h>

#include <algorithm>
#include <string_view>

#include "models/core/zone_keys.hpp"

namespace bootsim::models {

namespace {

// Input problems travel as this inside the resolver, and come out as the InputError.
struct ZoneFailure {
  InputError error;
};

// Where the last setting of `key` was given (a pair of zones either way round), or nullopt.
std::optional<SourceLocation> setting_where(std::span<const Setting> settings,
                                            std::string_view key) {
  std::optional<SourceLocation> where;
  for (const Setting& s : settings) {
    const auto k = parse_zone_key(s.key);
    const std::string canonical =
        k && k->kind == ZoneKeyKind::kPair ? zone_pair_key(k->zone, k->other) : s.key;
    if (canonical == key) where = s.where;
  }
  return where;
}

class Resolver {
 public:
  Resolver(const Scenario& s, std::span<const Setting> settings, Parameters& params)
      : s_(s), settings_(settings), params_(params) {
    for (const ZoneSpec& z : s.zones) layout_.names.push_back(z.name);
  }

  ZoneLayout resolve() {
    check_zone_keys();
    if (s_.zones.empty()) return {};
    place_masters();
    layout_.private_agents = place_agents("private");
    layout_.public_agents = place_agents("public");
    fill_latencies();
    return std::move(layout_);
  }

 private:
  [[noreturn]] void fail(SourceLocation where, std::string message) const {
    throw ZoneFailure{InputError{std::move(where), std::move(message)}};
  }

  std::optional<std::uint32_t> zone_index(std::string_view name) const {
    const auto it = std::find(layout_.names.begin(), layout_.names.end(), name);
    if (it == layout_.names.end()) return std::nullopt;
    return static_cast<std::uint32_t>(it - layout_.names.begin());
  }

  // Every zone a setting names must be one of the scenario's.
  void check_zone_keys() const {
    for (const Setting& st : settings_) {
      const auto k = parse_zone_key(st.key);
      if (!k) continue;
      if (s_.zones.empty()) {
        fail(st.where,
             fmt::format("{}: this scenario has no zones (give them in 'zones:')", st.key));
      }
      for (const std::string& z : {k->zone, k->other}) {
        if (z.empty() || zone_index(z)) continue;
        std::vector<std::string_view> names(layout_.names.begin(), layout_.names.end());
        const std::string hint = did_you_mean(z, names);
        fail(st.where,
             fmt::format("{}: unknown zone '{}'{}", st.key, z,
                         hint.empty() ? fmt::format(" (zones: {})", fmt::join(layout_.names, ", "))
                                      : hint));
      }
    }
  }

  void place_masters() {
    const auto count = static_cast<std::size_t>(params_.integer("cluster.masters"));
    std::vector<std::optional<std::uint32_t>> zone_of(count);
    for (std::uint32_t z = 0; z < s_.zones.size(); ++z) {
      for (const auto& [name, where] : s_.zones[z].masters) {
        const auto n = parse_node_name(name);
        if (!n || n->kind != NodeKind::kMaster) {
          fail(where, fmt::format("zones.{}.masters: {} is not a master (master-N)",
                                  s_.zones[z].name, in_quotes(name)));
        }
        if (n->index > static_cast<std::int64_t>(count)) {
          fail(where, fmt::format("zones.{}.masters: no node '{}' in this cluster (masters are "
                                  "master-1{})",
                                  s_.zones[z].name, name,
                                  count == 1 ? " only" : fmt::format("..master-{}", count)));
        }
        auto& slot = zone_of[static_cast<std::size_t>(n->index - 1)];
        if (slot) {
          fail(where, fmt::format("zones.{}.masters: {} is already in zone {} (a host is in one "
                                  "zone)",
                                  s_.zones[z].name, name, layout_.names[*slot]));
        }
        slot = z;
      }
    }
    // The masters no zone lists, dealt to the zones in turn.
    std::size_t next = 0;
    for (auto& slot : zone_of) {
      if (!slot) slot = static_cast<std::uint32_t>(next++ % s_.zones.size());
      layout_.masters.push_back(*slot);
    }
  }

  // The zone of each agent of `kind` ("private" or "public"), and cluster.agents.<kind> set to
  // their total.
  std::vector<std::uint32_t> place_agents(const std::string& kind) {
    const std::string total_key = "cluster.agents." + kind;
    std::vector<std::optional<std::int64_t>> given;
    std::int64_t sum = 0;
    std::vector<std::string> parts;
    for (const ZoneSpec& z : s_.zones) {
      given.push_back(params_.zone_count(fmt::format("zones.{}.agents.{}", z.name, kind)));
      sum += given.back().value_or(0);
      if (given.back()) parts.push_back(fmt::format("{} {}", z.name, *given.back()));
    }
    const auto unset = std::count(given.begin(), given.end(), std::nullopt);
    const std::int64_t total = params_.integer(total_key);
    if (unset == 0 && params_.is_overridden(total_key) && total != sum) {
      fail(total_where(total_key, kind),
           fmt::format("{} is {}, but the zones' {} agents add up to {} ({}); give either the "
                       "total or every zone's count",
                       total_key, total, kind, sum, fmt::join(parts, ", ")));
    }
    if (unset > 0 && sum > total) {
      fail(total_where(total_key, kind),
           fmt::format("the zones give {} {} agents ({}), more than {} ({}); the zones without "
                       "a count share what is left",
                       sum, kind, fmt::join(parts, ", "), total_key, total));
    }
    const std::int64_t all = unset == 0 ? sum : total;
    if (all != total) set_total(total_key, kind, all);
    return deal(given, unset == 0 ? 0 : total - sum, unset);
  }

  // Counts per zone (the given ones, the rest shared by the others), as each agent's zone.
  std::vector<std::uint32_t> deal(const std::vector<std::optional<std::int64_t>>& given,
                                  std::int64_t rest, std::int64_t unset) const {
    std::vector<std::uint32_t> out;
    std::int64_t k = 0;  // zones without a count seen so far
    for (std::uint32_t z = 0; z < given.size(); ++z) {
      std::int64_t n = given[z].value_or(0);
      if (!given[z]) n = rest / unset + (k++ < rest % unset ? 1 : 0);
      out.insert(out.end(), static_cast<std::size_t>(n), z);
    }
    return out;
  }

  // Where a disagreement about agent counts is best shown: the total's setting, or the first
  // zone count, or the zones section.
  SourceLocation total_where(const std::string& total_key, const std::string& kind) const {
    if (const auto w = setting_where(settings_, total_key)) return *w;
    for (const ZoneSpec& z : s_.zones) {
      if (const auto w =
              setting_where(settings_, fmt::format("zones.{}.agents.{}", z.name, kind))) {
        return *w;
      }
    }
    return s_.zones.front().where;
  }

  void set_total(const std::string& key, const std::string& kind, std::int64_t value) {
    std::string error;
    if (!params_.set(key, std::to_string(value), error)) {
      fail(total_where(key, kind),
           fmt::format("the zones' {} agents add up to {}: {}", kind, value, error));
    }
  }

  void fill_latencies() {
    const std::size_t n = s_.zones.size();
    const auto within = params_.zone_latency("zones.latency.within");
    const auto between = params_.zone_latency("zones.latency.between");
    layout_.latency.resize(n * n);
    for (std::size_t i = 0; i < n; ++i) {
      for (std::size_t j = 0; j < n; ++j) {
        const std::string& a = layout_.names[i];
        const std::string& b = layout_.names[j];
        auto own = i == j ? params_.zone_latency(fmt::format("zones.{}.latency", a))
                          : params_.zone_latency(zone_pair_key(a, b));
        layout_.latency[i * n + j] = own ? own : (i == j ? within : between);
      }
    }
  }

  const Scenario& s_;
  std::span<const Setting> settings_;
  Parameters& params_;
  ZoneLayout layout_;
};

}  // namespace

std::variant<ZoneLayout, InputError> resolve_zones(const Scenario& scenario,
                                                   std::span<const Setting> settings,
                                                   Parameters& params) {
  try {
    return Resolver(scenario, settings, params).resolve();
  } catch (const ZoneFailure& f) {
    return f.error;
  }
}

}  // namespace bootsim::models
