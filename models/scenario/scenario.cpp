#include "models/scenario/scenario.hpp"

#include <algorithm>
#include <array>
#include <charconv>
#include <limits>
#include <span>

#include <fmt/format.h>
#include <fmt/ranges.h>
#include <yaml-cpp/yaml.h>

#include "models/core/milestones.hpp"
#include "models/core/zone_keys.hpp"
#include "models/scenario/yaml_input.hpp"
#include "models/scenario/zones.hpp"

namespace bootsim::models {

namespace {

constexpr int kMaxInstances = 10'000;
constexpr InputKind kScenarioInput{"scenario", "name, cluster, ..."};

constexpr std::array<std::string_view, 13> kScenarioKeys{
    "name",       "description", "profile",  "seed",   "until", "cluster", "zones",
    "parameters", "units",       "services", "faults", "rules", "budgets"};
constexpr std::array<std::string_view, 3> kZoneKeys{"masters", "agents", "latency"};
constexpr std::array<std::string_view, 3> kZoneLatencyKeys{"within", "between", "pairs"};
constexpr std::array<std::string_view, 2> kZonePairKeys{"between", "latency"};
constexpr std::array<std::string_view, 3> kLivenessKeys{"name", "liveness", "within"};
constexpr std::array<std::string_view, 3> kLivenessMilestones{
    "cluster.ready", "cluster.masters_ready", "cluster.agents_ready"};
constexpr std::array<std::string_view, 3> kClusterKeys{"masters", "agents", "network"};
constexpr std::array<std::string_view, 2> kAgentKeys{"private", "public"};
constexpr std::array<std::string_view, 4> kNetworkKeys{"latency", "loopback", "loss", "links"};
constexpr std::array<std::string_view, 3> kLinkKeys{"between", "latency", "loss"};
constexpr std::array<std::string_view, 3> kScenarioUnitKeys{"start", "restart_sec", "after"};
constexpr std::array<std::string_view, 5> kServiceKeys{"name", "start", "instances", "cpus", "mem"};
constexpr std::array<std::string_view, 4> kBudgetKeys{"milestone", "within", "quantile", "runs"};
constexpr std::int64_t kMaxBudgetRuns = 1'000'000;

struct ClusterShape {
  std::int64_t masters = 0, private_agents = 0, public_agents = 0;
};

// Where the loader saw the parts of a link or fault that name nodes, for precise messages.
struct LinkWhere {
  SourceLocation a, b;
};
struct FaultWhere {
  SourceLocation target, groups, at;
};

std::string node_range(NodeKind kind, std::int64_t count) {
  const std::string_view prefix = kind == NodeKind::kMaster         ? "master-"
                                  : kind == NodeKind::kPrivateAgent ? "agent-"
                                                                    : "public-agent-";
  const std::string_view plural = kind == NodeKind::kMaster         ? "masters"
                                  : kind == NodeKind::kPrivateAgent ? "private agents"
                                                                    : "public agents";
  if (count == 0) return fmt::format("there are no {}", plural);
  if (count == 1) return fmt::format("{} are {}1 only", plural, prefix);
  return fmt::format("{} are {}1..{}{}", plural, prefix, prefix, count);
}

// Why the group `name` (masters[1..2]) reaches past this cluster, or nullopt.
std::optional<std::string> group_problem(const NodeGroup& g, std::string_view name,
                                         const ClusterShape& shape) {
  if (!g.kind || !g.last) return std::nullopt;  // all-…: whatever there is
  const std::int64_t count = *g.kind == NodeKind::kMaster         ? shape.masters
                             : *g.kind == NodeKind::kPrivateAgent ? shape.private_agents
                                                                  : shape.public_agents;
  if (*g.last <= count) return std::nullopt;
  return fmt::format("{} reaches past this cluster ({})", in_quotes(name),
                     node_range(*g.kind, count));
}

// Why `name` is not a node of this cluster, or nullopt if it is one.
std::optional<std::string> node_problem(std::string_view name, const ClusterShape& shape) {
  if (const auto g = parse_node_group(name)) return group_problem(*g, name, shape);
  const auto n = parse_node_name(name);
  if (!n) {
    return fmt::format("{} is not a node name (expected master-N, agent-N or public-agent-N)",
                       in_quotes(name));
  }
  const std::int64_t count = n->kind == NodeKind::kMaster         ? shape.masters
                             : n->kind == NodeKind::kPrivateAgent ? shape.private_agents
                                                                  : shape.public_agents;
  if (n->index > count) {
    return fmt::format("no node '{}' in this cluster ({})", name, node_range(n->kind, count));
  }
  return std::nullopt;
}

// Why the target or group member `name` (a node, a group or zone:NAME) is not in this
// cluster, or nullopt.
std::optional<std::string> member_problem(std::string_view name, const Scenario& s,
                                          const ClusterShape& shape) {
  const auto zone = parse_zone_ref(name);
  if (!zone) return node_problem(name, shape);
  if (std::any_of(s.zones.begin(), s.zones.end(),
                  [&](const ZoneSpec& z) { return z.name == *zone; })) {
    return std::nullopt;
  }
  if (s.zones.empty()) {
    return fmt::format("{} names a zone, but this scenario has no zones", in_quotes(name));
  }
  std::vector<std::string_view> names;
  for (const ZoneSpec& z : s.zones) names.push_back(z.name);
  const std::string hint = did_you_mean(*zone, names);
  return fmt::format("no zone '{}' in this scenario{}", *zone,
                     hint.empty() ? fmt::format(" (zones: {})", fmt::join(names, ", ")) : hint);
}

std::optional<InputError> check_names(const Scenario& s, const Parameters& params,
                                      std::span<const LinkWhere> link_where,
                                      std::span<const FaultWhere> fault_where) {
  const ClusterShape shape{params.integer("cluster.masters"),
                           params.integer("cluster.agents.private"),
                           params.integer("cluster.agents.public")};
  for (std::size_t i = 0; i < s.links.size(); ++i) {
    const LinkSpec& l = s.links[i];
    if (auto p = node_problem(l.a, shape)) {
      return InputError{i < link_where.size() ? link_where[i].a : l.where, "link: " + *p};
    }
    if (auto p = node_problem(l.b, shape)) {
      return InputError{i < link_where.size() ? link_where[i].b : l.where, "link: " + *p};
    }
  }
  for (std::size_t i = 0; i < s.faults.size(); ++i) {
    const FaultSpec& f = s.faults[i];
    const FaultWhere w =
        i < fault_where.size() ? fault_where[i] : FaultWhere{f.where, f.where, f.where};
    if (!f.target.empty()) {
      const FaultTarget t = split_fault_target(f.target);
      if (!is_fault_target_role(t.node)) {
        if (auto p = member_problem(t.node, s, shape))
          return InputError{w.target, "fault.target: " + *p};
      }
    }
    for (const auto& group : f.groups) {
      for (const std::string& member : group) {
        if (member == "rest" || is_fault_target_role(member)) continue;
        if (auto p = member_problem(member, s, shape))
          return InputError{w.groups, "fault.groups: " + *p};
      }
    }
    if (f.at.node.empty()) continue;
    const auto scope = milestone_scope(f.at.milestone);
    if (scope == MilestoneScope::kService) {
      const bool known = f.at.node == "marathon" ||
                         std::any_of(s.services.begin(), s.services.end(),
                                     [&](const ServiceSpec& sv) { return sv.name == f.at.node; });
      if (!known) {
        std::string names = "marathon";
        for (const ServiceSpec& sv : s.services) names += ", " + sv.name;
        return InputError{
            w.at, fmt::format("fault.at: no service '{}' (services: {})", f.at.node, names)};
      }
      continue;
    }
    if (auto p = node_problem(f.at.node, shape)) return InputError{w.at, "fault.at: " + *p};
    const auto n = parse_node_name(f.at.node);
    const bool on_master = n->kind == NodeKind::kMaster;
    if ((scope == MilestoneScope::kMaster && !on_master) ||
        (scope == MilestoneScope::kAgent && on_master)) {
      return InputError{w.at, fmt::format("fault.at: {} never reaches '{}' (a milestone of {})",
                                          f.at.node, f.at.milestone, milestone_scope_name(*scope))};
    }
  }
  return std::nullopt;
}

class Loader : private YamlInput {
 public:
  explicit Loader(const std::string& file) : YamlInput(file) { s_.file = file; }

  // `root` is the first document; `second` where a second one starts, if any; `text` the
  // input, to place an error when yaml-cpp reads a document as empty.
  Scenario load(const YAML::Node& root, std::optional<SourceLocation> second,
                std::string_view text) {
    check_root(root, second, text, kScenarioInput);
    s_.masters_where = loc(root);
    bool has_name = false;
    for (const auto& [key, value] : entries(root, "", kScenarioKeys)) {
      const std::string k = key.Scalar();
      if (k == "name") {
        s_.name = scalar(value, "name", "a string");
        if (s_.name.empty()) fail(value, "name must not be empty");
        has_name = true;
      } else if (k == "description") {
        s_.description = scalar(value, "description", "a string");
      } else if (k == "profile") {
        load_profile(value);
      } else if (k == "seed") {
        load_seed(value);
      } else if (k == "until") {
        s_.until = positive_duration(value, "until");
      } else if (k == "cluster") {
        load_cluster(value);
      } else if (k == "zones") {
        load_zones(value);
      } else if (k == "parameters") {
        load_parameters(value);
      } else if (k == "units") {
        load_units(value);
      } else if (k == "services") {
        for_each_item(value, "services", [&](const YAML::Node& item) { load_service(item); });
      } else if (k == "faults") {
        for_each_item(value, "faults", [&](const YAML::Node& item) { load_fault(item); });
      } else if (k == "rules") {
        for_each_item(value, "rules", [&](const YAML::Node& item) {
          if (item.IsMap() && item["liveness"]) return load_liveness(item);
          RuleSpec r = rule(item);
          if (r.name.empty()) r.name = r.before + " before " + r.after;
          s_.rules.push_back(std::move(r));
        });
      } else if (k == "budgets") {
        for_each_item(value, "budgets", [&](const YAML::Node& item) { load_budget(item); });
      }
    }
    if (!has_name) fail(root, "missing required key 'name'");
    // The zones make the agent totals (zones.hpp): before the names are checked against them.
    auto layout = resolve_zones(s_, s_.settings, params_);
    if (auto* e = std::get_if<InputError>(&layout)) throw LoadFailure{*e};
    s_.masters = static_cast<int>(params_.integer("cluster.masters"));
    s_.private_agents = static_cast<int>(params_.integer("cluster.agents.private"));
    s_.public_agents = static_cast<int>(params_.integer("cluster.agents.public"));
    if (auto e = check_names(s_, params_, link_where_, fault_where_)) throw LoadFailure{*e};
    return std::move(s_);
  }

 private:
  // `{liveness: M, within: D, name: …}`: M a cluster milestone that is recorded once.
  void load_liveness(const YAML::Node& item) {
    LivenessSpec l;
    l.where = loc(item);
    bool has_within = false;
    for (const auto& [key, value] : entries(item, "rule", kLivenessKeys)) {
      const std::string k = key.Scalar();
      if (k == "name") {
        l.name = scalar(value, "rule.name", "a string");
      } else if (k == "liveness") {
        l.milestone = milestone(value, "rule.liveness");
        if (std::find(kLivenessMilestones.begin(), kLivenessMilestones.end(), l.milestone) ==
            kLivenessMilestones.end()) {
          fail(value, fmt::format("rule.liveness: {} is reached more than once or per node; a "
                                  "liveness rule takes cluster.ready, cluster.masters_ready or "
                                  "cluster.agents_ready",
                                  in_quotes(l.milestone)));
        }
      } else if (k == "within") {
        l.within = positive_duration(value, "rule.within");
        has_within = true;
      }
    }
    if (!has_within) fail(item, "rule: missing 'within' (e.g. within: 5m)");
    if (l.name.empty()) {
      l.name = fmt::format("{} within {} of the last fault healing", l.milestone,
                           sim::format_duration(l.within));
    }
    s_.liveness.push_back(std::move(l));
  }

  // Validates through Parameters::set (one source of truth for values) and records it.
  void add_setting(const std::string& key, const YAML::Node& key_node, const YAML::Node& value) {
    if (!is_parameter_key(key)) {
      std::string error;
      params_.set(key, "", error);  // only for the message with its suggestion
      fail(key_node, error);
    }
    const ParamSpec* spec = find_param(key);
    const std::string_view expected =
        spec == nullptr ? (key.ends_with(".start") ? "a distribution" : "a duration")
        : spec->type == ParamType::kDuration     ? "a duration"
        : spec->type == ParamType::kInteger      ? "an integer"
        : spec->type == ParamType::kDistribution ? "a distribution"
                                                 : "a probability";
    const std::string text = scalar(value, key, expected);
    std::string error;
    if (!params_.set(key, text, error)) fail(value, error);
    if (key == "cluster.masters") s_.masters_where = loc(value);
    s_.settings.push_back(Setting{key, text, loc(value)});
  }

  // A built-in profile's name or a profile file: which one, and whether it exists, is for
  // resolve_profile to say (it knows the built-ins and reads the file).
  void load_profile(const YAML::Node& value) {
    s_.profile = scalar(value, "profile", "a profile name or file");
    if (s_.profile.empty()) fail(value, "profile must not be empty");
    s_.profile_where = loc(value);
  }

  void load_seed(const YAML::Node& value) {
    const std::string text = scalar(value, "seed", "a non-negative integer");
    std::uint64_t seed = 0;
    const auto [ptr, ec] = std::from_chars(text.data(), text.data() + text.size(), seed);
    if (ec == std::errc::result_out_of_range) {
      fail(value, fmt::format("seed: {} is out of range (at most {})", in_quotes(text),
                              std::numeric_limits<std::uint64_t>::max()));
    }
    if (text.empty() || ec != std::errc() || ptr != text.data() + text.size()) {
      fail(value, fmt::format("seed: expected a non-negative integer, got {}", in_quotes(text)));
    }
    s_.seed = seed;
  }

  void load_cluster(const YAML::Node& cluster) {
    std::optional<YAML::Node> network;
    for (const auto& [key, value] : entries(cluster, "cluster", kClusterKeys)) {
      const std::string& k = key.Scalar();
      if (k == "masters") {
        add_setting("cluster.masters", key, value);
      } else if (k == "agents") {
        for (const auto& [akey, avalue] : entries(value, "cluster.agents", kAgentKeys)) {
          add_setting("cluster.agents." + akey.Scalar(), akey, avalue);
        }
      } else if (k == "network") {
        network = value;
      }
    }
    // After the counts, whatever the key order: links name nodes.
    if (network) load_network(*network);
  }

  void load_network(const YAML::Node& network) {
    for (const auto& [key, value] : entries(network, "cluster.network", kNetworkKeys)) {
      const std::string& k = key.Scalar();
      if (k == "latency") {
        add_setting("network.latency", key, value);
      } else if (k == "loopback") {
        add_setting("network.loopback_latency", key, value);
      } else if (k == "loss") {
        add_setting("network.loss", key, value);
      } else if (k == "links") {
        for_each_item(value, "cluster.network.links",
                      [&](const YAML::Node& item) { load_link(item); });
      }
    }
  }

  void load_link(const YAML::Node& item) {
    LinkSpec link;
    link.where = loc(item);
    LinkWhere where{link.where, link.where};
    bool has_between = false;
    for (const auto& [key, value] : entries(item, "link", kLinkKeys)) {
      const std::string& k = key.Scalar();
      if (k == "between") {
        if (!value.IsSequence() || value.size() != 2) {
          fail(value, fmt::format("link.between: expected a list of two node names, got {}",
                                  value.IsSequence() ? fmt::format("{} items", value.size())
                                                     : describe(value)));
        }
        link.a = scalar(value[0], "link.between", "a node name");
        link.b = scalar(value[1], "link.between", "a node name");
        where = LinkWhere{loc(value[0]), loc(value[1])};
        if (link.a == link.b) {
          fail(value[1], fmt::format("link.between: a link joins two different nodes, got '{}' "
                                     "twice",
                                     link.a));
        }
        has_between = true;
      } else if (k == "latency") {
        link.latency = distribution(value, "link.latency");
      } else if (k == "loss") {
        const std::string text = scalar(value, "link.loss", "a probability");
        double p = 0;
        const auto [ptr, ec] = std::from_chars(text.data(), text.data() + text.size(), p);
        if (text.empty() || ec != std::errc() || ptr != text.data() + text.size()) {
          fail(value, fmt::format("link.loss: expected a probability between 0 and 1, got {}",
                                  in_quotes(text)));
        }
        if (!(p >= 0.0 && p <= 1.0)) {
          fail(value, fmt::format("link.loss must be between 0 and 1, got {}", in_quotes(text)));
        }
        link.loss = p;
      }
    }
    if (!has_between) fail(item, "link: missing 'between' (e.g. between: [master-1, agent-3])");
    for (std::size_t i = 0; i < s_.links.size(); ++i) {
      const LinkSpec& other = s_.links[i];
      if ((other.a == link.a && other.b == link.b) || (other.a == link.b && other.b == link.a)) {
        fail(item, fmt::format("link: a second link between {} and {} (first at line {})", link.a,
                               link.b, other.where.line));
      }
    }
    s_.links.push_back(std::move(link));
    link_where_.push_back(where);
  }

  // zones: {latency: {within, between, pairs}, NAME: {masters, agents, latency}, …}.
  void load_zones(const YAML::Node& map) {
    if (!map.IsMap() || map.size() == 0) {
      fail(map, fmt::format("zones: expected a map of zone names to zones (e.g. a: {{masters: "
                            "[master-1], agents: {{private: 10}}}}), got {}",
                            describe(map)));
    }
    for (const auto& [key, value] : entries(map, "zones", {})) {
      const std::string& name = key.Scalar();
      if (name == "latency") {
        load_zone_latency(value);
        continue;
      }
      if (!is_zone_name(name)) {
        fail(key, fmt::format("zones: {} is not a zone name (a lowercase letter or digit, then "
                              "lowercase letters, digits, '-' and '_')",
                              in_quotes(name)));
      }
      load_zone(name, key, value);
    }
    if (s_.zones.empty()) fail(map, "zones: no zone given, only their latencies");
  }

  void load_zone(const std::string& name, const YAML::Node& key, const YAML::Node& zone) {
    ZoneSpec z{name, {}, loc(key)};
    const std::string context = "zones." + name;
    if (!zone.IsNull()) {
      for (const auto& [zkey, zvalue] : entries(zone, context, kZoneKeys)) {
        const std::string& k = zkey.Scalar();
        if (k == "masters") {
          if (!zvalue.IsSequence()) {
            fail(zvalue, fmt::format("{}.masters: expected a list of master names (e.g. "
                                     "[master-1]), got {}",
                                     context, describe(zvalue)));
          }
          z.masters = scalar_list(zvalue, context + ".masters", "a master name");
        } else if (k == "agents") {
          for (const auto& [akey, avalue] : entries(zvalue, context + ".agents", kAgentKeys)) {
            add_setting(context + ".agents." + akey.Scalar(), akey, avalue);
          }
        } else {
          add_setting(context + ".latency", zkey, zvalue);
        }
      }
    }
    s_.zones.push_back(std::move(z));
  }

  void load_zone_latency(const YAML::Node& map) {
    for (const auto& [key, value] : entries(map, "zones.latency", kZoneLatencyKeys)) {
      if (key.Scalar() != "pairs") {
        add_setting("zones.latency." + key.Scalar(), key, value);
        continue;
      }
      for_each_item(value, "zones.latency.pairs",
                    [&](const YAML::Node& item) { load_zone_pair(item); });
    }
  }

  // {between: [a, c], latency: D}: the zones' names are checked with the others' (zones.hpp).
  void load_zone_pair(const YAML::Node& item) {
    std::optional<std::string> key;
    std::optional<YAML::Node> latency, key_node;
    for (const auto& [pkey, pvalue] : entries(item, "zones.latency.pairs", kZonePairKeys)) {
      if (pkey.Scalar() == "latency") {
        latency = pvalue;
        continue;
      }
      if (!pvalue.IsSequence() || pvalue.size() != 2) {
        fail(pvalue, fmt::format("zones.latency.pairs: between: expected a list of two zone "
                                 "names, got {}",
                                 pvalue.IsSequence() ? fmt::format("{} items", pvalue.size())
                                                     : describe(pvalue)));
      }
      const std::string a = scalar(pvalue[0], "zones.latency.pairs", "a zone name");
      const std::string b = scalar(pvalue[1], "zones.latency.pairs", "a zone name");
      for (const auto& [z, n] : {std::pair{a, pvalue[0]}, std::pair{b, pvalue[1]}}) {
        if (!is_zone_name(z))
          fail(n, fmt::format("zones.latency.pairs: {} is not a zone name", in_quotes(z)));
      }
      if (a == b) {
        fail(pvalue[1], fmt::format("zones.latency.pairs: a pair joins two different zones, got "
                                    "'{}' twice (the latency within a zone is zones.{}.latency)",
                                    a, a));
      }
      key = zone_pair_key(a, b);
      key_node = pvalue;
    }
    if (!key) fail(item, "zones.latency.pairs: missing 'between' (e.g. between: [a, c])");
    if (!latency) fail(item, "zones.latency.pairs: missing 'latency'");
    for (const Setting& st : s_.settings) {
      if (st.key == *key) {
        fail(*key_node, fmt::format("zones.latency.pairs: a second latency between these zones "
                                    "(first at line {})",
                                    st.where.line));
      }
    }
    add_setting(*key, *key_node, *latency);
  }

  void load_parameters(const YAML::Node& map) {
    if (map.IsNull()) return;
    for (const auto& [key, value] : entries(map, "parameters", {})) {
      add_setting(key.Scalar(), key, value);
    }
  }

  void load_units(const YAML::Node& map) {
    if (map.IsNull()) return;
    for (const auto& [key, value] : entries(map, "units", {})) {
      const std::string& unit = key.Scalar();
      if (!is_plausible_unit_name(unit)) {
        fail(key, fmt::format("units: {} is not a plausible unit name", in_quotes(unit)));
      }
      const std::string context = "units." + unit;
      for (const auto& [ukey, uvalue] : entries(value, context, kScenarioUnitKeys)) {
        if (ukey.Scalar() == "after") {
          load_after(unit, key, uvalue);
          continue;
        }
        add_setting(context + "." + ukey.Scalar(), ukey, uvalue);
      }
    }
  }

  // `after: [unit, …]`: extra After= orderings; whether the units exist and whether they make a
  // cycle is checked against the profile when the run is built.
  void load_after(const std::string& unit, const YAML::Node& key, const YAML::Node& list) {
    const std::string path = "units." + unit + ".after";
    if (!list.IsSequence()) {
      fail(list, fmt::format("{}: expected a list of unit names, got {}", path, describe(list)));
    }
    UnitOverride o{unit, {}, loc(key)};
    for (const YAML::Node& item : list) {
      const std::string name = scalar(item, path, "a unit name");
      if (!is_plausible_unit_name(name)) {
        fail(item, fmt::format("{}: {} is not a plausible unit name", path, in_quotes(name)));
      }
      o.after.emplace_back(name, loc(item));
    }
    s_.unit_overrides.push_back(std::move(o));
  }

  // A task's demand of one resource: a positive number (cpus, or MB of mem), at most a
  // large agent's (1,024 cpus, 4 TB).
  double demand(const YAML::Node& value, const std::string& what) {
    const std::string text = scalar(value, what, "a number");
    double d = 0;
    const auto [ptr, ec] = std::from_chars(text.data(), text.data() + text.size(), d);
    if (text.empty() || ec != std::errc() || ptr != text.data() + text.size()) {
      fail(value, fmt::format("{}: expected a number, got {}", what, in_quotes(text)));
    }
    const double max = what == "service.cpus" ? 1024.0 : 4.0 * 1024 * 1024;
    if (!(d > 0.0 && d <= max)) {
      fail(value,
           fmt::format("{} must be above 0 and at most {:g}, got {}", what, max, in_quotes(text)));
    }
    return d;
  }

  void load_service(const YAML::Node& item) {
    ServiceSpec svc;
    svc.where = loc(item);
    bool has_name = false, has_start = false;
    for (const auto& [key, value] : entries(item, "service", kServiceKeys)) {
      const std::string& k = key.Scalar();
      if (k == "name") {
        svc.name = scalar(value, "service.name", "a string");
        if (svc.name == "marathon") {
          fail(value, "service.name: Marathon is always installed; do not list it");
        }
        const bool plausible =
            !svc.name.empty() && svc.name.size() <= 64 &&
            std::all_of(svc.name.begin(), svc.name.end(),
                        [](char c) {
                          return (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '-';
                        }) &&
            svc.name.front() != '-' && svc.name.back() != '-';
        if (!plausible) {
          fail(value, fmt::format("service.name: {} is not a valid service name (lowercase "
                                  "letters, digits and '-', as Marathon app ids)",
                                  in_quotes(svc.name)));
        }
        if (parse_node_name(svc.name) || is_fault_target_role(svc.name) || svc.name == "rest") {
          fail(value, fmt::format("service.name: '{}' is also a node or role name", svc.name));
        }
        for (const ServiceSpec& other : s_.services) {
          if (other.name == svc.name) {
            fail(value, fmt::format("service.name: a second service '{}' (first at line {})",
                                    svc.name, other.where.line));
          }
        }
        has_name = true;
      } else if (k == "start") {
        svc.start = distribution(value, "service.start");
        has_start = true;
      } else if (k == "instances") {
        const std::string text = scalar(value, "service.instances", "an integer");
        int n = 0;
        const auto [ptr, ec] = std::from_chars(text.data(), text.data() + text.size(), n);
        if (text.empty() || ptr != text.data() + text.size() ||
            (ec != std::errc() && ec != std::errc::result_out_of_range)) {
          fail(value,
               fmt::format("service.instances: expected an integer, got {}", in_quotes(text)));
        }
        if (ec == std::errc::result_out_of_range || n < 1 || n > kMaxInstances) {
          fail(value, fmt::format("service.instances must be between 1 and {}, got {}",
                                  kMaxInstances, in_quotes(text)));
        }
        svc.instances = n;
      } else if (k == "cpus" || k == "mem") {
        (k == "cpus" ? svc.cpus : svc.mem) = demand(value, "service." + k);
      }
    }
    if (!has_name) fail(item, "service: missing 'name'");
    if (!has_start) {
      fail(item, "service: missing 'start' (a distribution, e.g. lognormal(median=20s, p99=60s))");
    }
    s_.services.push_back(std::move(svc));
  }

  void load_fault(const YAML::Node& item) {
    const SourceLocation where = loc(item);
    std::variant<FaultSpec, InputError> built;
    FaultWhere fw{where, where, where};
    if (item.IsScalar()) {
      built = parse_fault_line(item.Scalar(), where);
    } else if (item.IsMap()) {
      std::vector<FaultField> fields;
      // Unknown keys are build_fault's to report, with the same message as for a line.
      for (const auto& [key, value] : entries(item, "fault", {})) {
        std::string text;
        if (key.Scalar() == "groups" && value.IsSequence()) {
          text = groups_text(value);
        } else {
          text = scalar(value, "fault." + key.Scalar(), "a value");
        }
        fields.push_back(FaultField{key.Scalar(), text, loc(key), loc(value)});
        if (key.Scalar() == "target") fw.target = loc(value);
        if (key.Scalar() == "groups") fw.groups = loc(value);
        if (key.Scalar() == "at") fw.at = loc(value);
      }
      built = build_fault(fields, where);
    } else {
      fail(item, fmt::format("fault: expected a map or a key=value line, got {}", describe(item)));
    }
    if (auto* e = std::get_if<InputError>(&built)) throw LoadFailure{*e};
    s_.faults.push_back(std::get<FaultSpec>(std::move(built)));
    fault_where_.push_back(fw);
  }

  // groups: [[master-1, master-2], [rest]] or [master-1, rest] -> "master-1,master-2|rest".
  std::string groups_text(const YAML::Node& list) const {
    std::string text;
    for (std::size_t g = 0; g < list.size(); ++g) {
      const YAML::Node group = list[g];
      if (g > 0) text += '|';
      if (group.IsSequence()) {
        for (std::size_t m = 0; m < group.size(); ++m) {
          if (m > 0) text += ',';
          text += scalar(group[m], "fault.groups", "a node name");
        }
      } else {
        text += scalar(group, "fault.groups", "a group of node names");
      }
    }
    return text;
  }

  void load_budget(const YAML::Node& item) {
    BudgetSpec budget;
    budget.where = loc(item);
    bool has_milestone = false, has_within = false;
    for (const auto& [key, value] : entries(item, "budget", kBudgetKeys)) {
      if (key.Scalar() == "milestone") {
        budget.milestone = milestone(value, "budget.milestone");
        has_milestone = true;
      } else if (key.Scalar() == "quantile") {
        budget.quantile_bp = parse_quantile(scalar(value, "budget.quantile", "a quantile"));
        if (!budget.quantile_bp) {
          fail(value, fmt::format("budget.quantile: expected p50, p90, p99, p99.9 or max, got {}",
                                  describe(value)));
        }
      } else if (key.Scalar() == "runs") {
        budget.runs = budget_runs(value);
      } else {
        budget.within = positive_duration(value, "budget.within");
        has_within = true;
      }
    }
    if (!has_milestone) fail(item, "budget: missing 'milestone'");
    if (!has_within) fail(item, "budget: missing 'within' (e.g. within: 300s)");
    if (budget.runs && !budget.quantile_bp) {
      fail(item, "budget: 'runs' is the seed count of a quantile budget: give 'quantile' too");
    }
    s_.budgets.push_back(std::move(budget));
  }

  std::int64_t budget_runs(const YAML::Node& value) const {
    const std::string text = scalar(value, "budget.runs", "a run count");
    std::int64_t n = 0;
    const auto [ptr, ec] = std::from_chars(text.data(), text.data() + text.size(), n);
    if (text.empty() || ec != std::errc() || ptr != text.data() + text.size() || n < 1 ||
        n > kMaxBudgetRuns) {
      fail(value, fmt::format("budget.runs: expected an integer from 1 to {}, got {}",
                              kMaxBudgetRuns, describe(value)));
    }
    return n;
  }

  Scenario s_;
  Parameters params_;  // validates settings as they are read; yields the file's counts
  std::vector<LinkWhere> link_where_;
  std::vector<FaultWhere> fault_where_;
};

}  // namespace

std::variant<Scenario, InputError> load_scenario_text(std::string_view yaml,
                                                      const std::string& file_name) {
  auto loaded =
      load_yaml<Scenario>(yaml, file_name, "scenario",
                          [&](const YAML::Node& root, const std::optional<SourceLocation>& second) {
                            Loader loader(file_name);
                            return loader.load(root, second, yaml);
                          });
  if (auto* s = std::get_if<Scenario>(&loaded)) {
    std::uint64_t h = 0xcbf29ce484222325ULL;  // FNV-1a
    for (const char c : yaml) h = (h ^ static_cast<unsigned char>(c)) * 0x100000001b3ULL;
    s->text_hash = fmt::format("{:016x}", h);
  }
  return loaded;
}

std::variant<Scenario, InputError> load_scenario_file(const std::string& path) {
  auto text = read_input_file(path, "scenario");
  if (auto* e = std::get_if<InputError>(&text)) return *e;
  return load_scenario_text(std::get<std::string>(text), path);
}

std::optional<InputError> apply_settings(const std::vector<Setting>& settings, Parameters& params) {
  for (const Setting& s : settings) {
    std::string error;
    if (!params.set(s.key, s.value, error)) return InputError{s.where, error};
  }
  return std::nullopt;
}

std::optional<InputError> check_node_names(const Scenario& scenario, const Parameters& params) {
  return check_names(scenario, params, {}, {});
}

std::optional<int> parse_quantile(std::string_view text) {
  if (text == "max") return 10'000;
  if (text.size() < 2 || text[0] != 'p') return std::nullopt;
  const std::string_view num = text.substr(1);
  const auto dot = num.find('.');
  const std::string_view whole = num.substr(0, dot);
  const std::string_view frac = dot == std::string_view::npos ? "" : num.substr(dot + 1);
  if (whole.empty() || whole.size() > 2 || frac.size() > 2 ||
      (dot != std::string_view::npos && frac.empty())) {
    return std::nullopt;
  }
  int bp = 0;
  for (const char c : whole) {
    if (c < '0' || c > '9') return std::nullopt;
    bp = bp * 10 + (c - '0');
  }
  bp *= 100;
  int scale = 10;
  for (const char c : frac) {
    if (c < '0' || c > '9') return std::nullopt;
    bp += (c - '0') * scale;
    scale /= 10;
  }
  if (bp == 0) return std::nullopt;
  return bp;
}

std::string quantile_name(int bp) {
  if (bp == 10'000) return "max";
  const int whole = bp / 100, frac = bp % 100;
  if (frac == 0) return fmt::format("p{}", whole);
  return frac % 10 == 0 ? fmt::format("p{}.{}", whole, frac / 10)
                        : fmt::format("p{}.{:02}", whole, frac);
}

std::string budget_text(const BudgetSpec& b) {
  const std::string within = sim::format_duration(b.within);
  if (!b.quantile_bp) return fmt::format("{}<={}", b.milestone, within);
  return fmt::format("{}:{}<={}", b.milestone, quantile_name(*b.quantile_bp), within);
}

std::string scenario_with_faults(std::string_view yaml, const std::string& name,
                                 const std::vector<std::string>& faults, std::string_view header) {
  YAML::Node root = YAML::Load(std::string(yaml));
  root["name"] = name;
  YAML::Node list(YAML::NodeType::Sequence);
  for (const std::string& f : faults) list.push_back(f);
  root["faults"] = list;
  YAML::Emitter out;
  out << root;
  std::string text;
  for (const std::string_view line : std::vector<std::string_view>{header}) {
    std::size_t start = 0;
    while (start < line.size()) {
      const std::size_t nl = line.find('\n', start);
      const std::string_view l = line.substr(start, nl == std::string_view::npos ? nl : nl - start);
      text += l.empty() ? "#\n" : "# " + std::string(l) + "\n";
      if (nl == std::string_view::npos) break;
      start = nl + 1;
    }
  }
  return text + out.c_str() + "\n";
}

}  // namespace bootsim::models
