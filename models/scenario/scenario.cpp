#include "models/scenario/scenario.hpp"

#include <algorithm>
#include <array>
#include <charconv>
#include <fstream>
#include <limits>
#include <span>
#include <sstream>

#include <fmt/format.h>
#include <yaml-cpp/eventhandler.h>
#include <yaml-cpp/yaml.h>

#include "models/core/milestones.hpp"

namespace bootsim::models {

namespace {

// Scenario files are small; a limit keeps a stray multi-gigabyte file from exhausting memory.
constexpr std::size_t kMaxFileBytes = 16 * 1024 * 1024;
constexpr int kMaxInstances = 10'000;
constexpr std::string_view kDurationHint = "(expected e.g. 250ms, 2s, 1m30s)";

constexpr std::array<std::string_view, 12> kTopKeys{
    "name",       "description", "profile",  "seed",   "until", "cluster",
    "parameters", "units",       "services", "faults", "rules", "budgets"};
constexpr std::array<std::string_view, 3> kClusterKeys{"masters", "agents", "network"};
constexpr std::array<std::string_view, 2> kAgentKeys{"private", "public"};
constexpr std::array<std::string_view, 4> kNetworkKeys{"latency", "loopback", "loss", "links"};
constexpr std::array<std::string_view, 3> kLinkKeys{"between", "latency", "loss"};
constexpr std::array<std::string_view, 3> kUnitKeys{"start", "restart_sec", "after"};
constexpr std::array<std::string_view, 3> kServiceKeys{"name", "start", "instances"};
constexpr std::array<std::string_view, 4> kRuleKeys{"name", "before", "after", "scope"};
constexpr std::array<std::string_view, 2> kBudgetKeys{"milestone", "within"};
constexpr std::array<std::string_view, 2> kScopes{"node", "cluster"};

// Internal only: unwinds the recursive descent to load_scenario_text, which turns it into a
// returned value. Never escapes this file.
struct LoadFailure {
  InputError error;
};

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

// Why `name` is not a node of this cluster, or nullopt if it is one.
std::optional<std::string> node_problem(std::string_view name, const ClusterShape& shape) {
  const auto n = parse_node_name(name);
  if (!n) {
    return fmt::format("{} is not a node name (expected master-N, agent-N or public-agent-N)",
                       quoted(name));
  }
  const std::int64_t count = n->kind == NodeKind::kMaster         ? shape.masters
                             : n->kind == NodeKind::kPrivateAgent ? shape.private_agents
                                                                  : shape.public_agents;
  if (n->index > count) {
    return fmt::format("no node '{}' in this cluster ({})", name, node_range(n->kind, count));
  }
  return std::nullopt;
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
        if (auto p = node_problem(t.node, shape))
          return InputError{w.target, "fault.target: " + *p};
      }
    }
    for (const auto& group : f.groups) {
      for (const std::string& member : group) {
        if (member == "rest" || is_fault_target_role(member)) continue;
        if (auto p = node_problem(member, shape))
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

class Loader {
 public:
  explicit Loader(const std::string& file) { s_.file = file; }

  // `root` is the first document; `second` where a second one starts, if any; `text` the
  // input, to place an error when yaml-cpp reads a document as empty.
  Scenario load(const YAML::Node& root, std::optional<SourceLocation> second,
                std::string_view text) {
    const SourceLocation start{s_.file, 1, 1};
    if (root.IsNull()) {
      if (const auto content = first_content(text)) {
        fail(*content,
             "a scenario must be a map of keys (name, cluster, ...), got nothing "
             "readable");
      }
      fail(start, "empty scenario (expected a map with at least 'name')");
    }
    if (second) fail(*second, "a scenario file holds one YAML document, found a second one");
    if (!root.IsMap()) {
      fail(root, fmt::format("a scenario must be a map of keys (name, cluster, ...), got {}",
                             describe(root)));
    }
    s_.masters_where = loc(root, start);
    bool has_name = false;
    for (const auto& [key, value] : entries(root, "", kTopKeys)) {
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
      } else if (k == "parameters") {
        load_parameters(value);
      } else if (k == "units") {
        load_units(value);
      } else if (k == "services") {
        for_each_item(value, "services", [&](const YAML::Node& item) { load_service(item); });
      } else if (k == "faults") {
        for_each_item(value, "faults", [&](const YAML::Node& item) { load_fault(item); });
      } else if (k == "rules") {
        for_each_item(value, "rules", [&](const YAML::Node& item) { load_rule(item); });
      } else if (k == "budgets") {
        for_each_item(value, "budgets", [&](const YAML::Node& item) { load_budget(item); });
      }
    }
    if (!has_name) fail(root, "missing required key 'name'");
    s_.masters = static_cast<int>(params_.integer("cluster.masters"));
    s_.private_agents = static_cast<int>(params_.integer("cluster.agents.private"));
    s_.public_agents = static_cast<int>(params_.integer("cluster.agents.public"));
    if (auto e = check_names(s_, params_, link_where_, fault_where_)) throw LoadFailure{*e};
    return std::move(s_);
  }

 private:
  using Entries = std::vector<std::pair<YAML::Node, YAML::Node>>;

  // The first character that is not blank, a comment or a document marker.
  std::optional<SourceLocation> first_content(std::string_view text) const {
    int line = 1;
    std::size_t pos = 0;
    while (pos < text.size()) {
      std::size_t end = text.find('\n', pos);
      if (end == std::string_view::npos) end = text.size();
      const std::string_view l = text.substr(pos, end - pos);
      const std::size_t first = l.find_first_not_of(" \t\r");
      if (first != std::string_view::npos && l[first] != '#' && l[first] != '%' &&
          !l.starts_with("---") && !l.starts_with("...")) {
        return SourceLocation{s_.file, line, static_cast<int>(first) + 1};
      }
      pos = end + 1;
      ++line;
    }
    return std::nullopt;
  }

  SourceLocation loc(const YAML::Node& n, const SourceLocation& fallback) const {
    // yaml-cpp marks an empty value ("name:" then a newline) where the next token starts; the
    // key is where the user looks.
    if (n.IsNull()) {
      for (const auto& [value, key_where] : null_values_) {
        if (value.is(n)) return key_where;
      }
    }
    const YAML::Mark m = n.Mark();
    if (m.line < 0 || m.column < 0) return fallback;
    return SourceLocation{s_.file, m.line + 1, m.column + 1};
  }
  SourceLocation loc(const YAML::Node& n) const { return loc(n, SourceLocation{s_.file, 1, 1}); }

  [[noreturn]] void fail(const SourceLocation& where, std::string message) const {
    throw LoadFailure{InputError{where, std::move(message)}};
  }
  [[noreturn]] void fail(const YAML::Node& n, std::string message) const {
    fail(loc(n), std::move(message));
  }

  static std::string describe(const YAML::Node& n) {
    if (n.IsMap()) return "a map";
    if (n.IsSequence()) return "a list";
    if (n.IsScalar()) return quoted(n.Scalar());
    return "nothing";
  }

  std::string scalar(const YAML::Node& n, std::string_view path, std::string_view expected) const {
    if (!n.IsScalar()) fail(n, fmt::format("{}: expected {}, got {}", path, expected, describe(n)));
    return n.Scalar();
  }

  // The entries of a map, checked: keys are strings, known (when `known` is not empty) and
  // unique. `context` names the map in messages; empty for the top level.
  Entries entries(const YAML::Node& map, std::string_view context,
                  std::span<const std::string_view> known) const {
    if (!map.IsMap()) {
      fail(map, fmt::format("{}: expected a map, got {}", context, describe(map)));
    }
    Entries out;
    for (const auto& kv : map) {
      const YAML::Node key = kv.first;
      if (!key.IsScalar()) {
        fail(key,
             fmt::format("expected a key name {}, got {}", where_text(context), describe(key)));
      }
      const std::string& k = key.Scalar();
      if (!known.empty() && std::find(known.begin(), known.end(), k) == known.end()) {
        fail(key, fmt::format("unknown key {} {}{}", quoted(k), where_text(context),
                              did_you_mean(k, known)));
      }
      for (const auto& [seen, v] : out) {
        if (seen.Scalar() == k) {
          fail(key, fmt::format("duplicate key {} {} (first at line {})", quoted(k),
                                where_text(context), loc(seen).line));
        }
      }
      if (kv.second.IsNull()) null_values_.emplace_back(kv.second, loc(key));
      out.emplace_back(key, kv.second);
    }
    return out;
  }

  static std::string where_text(std::string_view context) {
    if (context.empty()) return "at the top level";
    return fmt::format("in '{}'", context);
  }

  template <typename F>
  void for_each_item(const YAML::Node& list, std::string_view path, F&& f) {
    if (list.IsNull()) return;  // "faults:" with nothing: an empty list
    if (!list.IsSequence())
      fail(list, fmt::format("{}: expected a list, got {}", path, describe(list)));
    for (const auto& item : list) f(item);
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

  void load_profile(const YAML::Node& value) {
    const std::string p = scalar(value, "profile", "a profile name");
    if (std::find(std::begin(kProfiles), std::end(kProfiles), p) == std::end(kProfiles)) {
      const std::string hint = did_you_mean(p, kProfiles);
      fail(value, fmt::format("unknown profile {}{}", quoted(p),
                              hint.empty() ? " (expected dcos-1.9 or dcos-2.3)" : hint));
    }
    s_.profile = p;
  }

  void load_seed(const YAML::Node& value) {
    const std::string text = scalar(value, "seed", "a non-negative integer");
    std::uint64_t seed = 0;
    const auto [ptr, ec] = std::from_chars(text.data(), text.data() + text.size(), seed);
    if (ec == std::errc::result_out_of_range) {
      fail(value, fmt::format("seed: {} is out of range (at most {})", quoted(text),
                              std::numeric_limits<std::uint64_t>::max()));
    }
    if (text.empty() || ec != std::errc() || ptr != text.data() + text.size()) {
      fail(value, fmt::format("seed: expected a non-negative integer, got {}", quoted(text)));
    }
    s_.seed = seed;
  }

  sim::SimTime positive_duration(const YAML::Node& value, std::string_view path) {
    const std::string text = scalar(value, path, "a duration");
    if (!text.empty() && text.front() == '-') {
      fail(value, fmt::format("{} must not be negative, got {}", path, quoted(text)));
    }
    const auto d = sim::parse_duration(text);
    if (!d)
      fail(value, fmt::format("{}: malformed duration {} {}", path, quoted(text), kDurationHint));
    if (d->is_infinite()) fail(value, fmt::format("{} must be finite, got {}", path, quoted(text)));
    if (*d == sim::SimTime::zero()) {
      fail(value, fmt::format("{} must be positive, got {}", path, quoted(text)));
    }
    return *d;
  }

  sim::Distribution distribution(const YAML::Node& value, std::string_view path) {
    const std::string text = scalar(value, path, "a distribution");
    sim::Distribution d;
    std::string why;
    if (!sim::Distribution::parse(text, d, why)) fail(value, fmt::format("{}: {}", path, why));
    return d;
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
                                  quoted(text)));
        }
        if (!(p >= 0.0 && p <= 1.0)) {
          fail(value, fmt::format("link.loss must be between 0 and 1, got {}", quoted(text)));
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
        fail(key, fmt::format("units: {} is not a plausible unit name", quoted(unit)));
      }
      const std::string context = "units." + unit;
      for (const auto& [ukey, uvalue] : entries(value, context, kUnitKeys)) {
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
        fail(item, fmt::format("{}: {} is not a plausible unit name", path, quoted(name)));
      }
      o.after.emplace_back(name, loc(item));
    }
    s_.unit_overrides.push_back(std::move(o));
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
                                  quoted(svc.name)));
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
          fail(value, fmt::format("service.instances: expected an integer, got {}", quoted(text)));
        }
        if (ec == std::errc::result_out_of_range || n < 1 || n > kMaxInstances) {
          fail(value, fmt::format("service.instances must be between 1 and {}, got {}",
                                  kMaxInstances, quoted(text)));
        }
        svc.instances = n;
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

  std::string milestone(const YAML::Node& value, std::string_view path) {
    const std::string m = scalar(value, path, "a milestone name");
    if (!is_milestone(m)) {
      fail(value, fmt::format("{}: unknown milestone {}{}", path, quoted(m),
                              did_you_mean(m, milestone_names())));
    }
    return m;
  }

  void load_rule(const YAML::Node& item) {
    RuleSpec rule;
    rule.where = loc(item);
    std::optional<YAML::Node> scope_node;
    bool has_before = false, has_after = false;
    for (const auto& [key, value] : entries(item, "rule", kRuleKeys)) {
      const std::string& k = key.Scalar();
      if (k == "name") {
        rule.name = scalar(value, "rule.name", "a string");
      } else if (k == "before") {
        rule.before = milestone(value, "rule.before");
        has_before = true;
      } else if (k == "after") {
        rule.after = milestone(value, "rule.after");
        has_after = true;
      } else if (k == "scope") {
        const std::string scope = scalar(value, "rule.scope", "node or cluster");
        if (scope != "node" && scope != "cluster") {
          const std::string hint = did_you_mean(scope, kScopes);
          fail(value, fmt::format("rule.scope: unknown scope {}{}", quoted(scope),
                                  hint.empty() ? " (expected node or cluster)" : hint));
        }
        rule.same_node = scope == "node";
        scope_node = value;
      }
    }
    if (!has_before) fail(item, "rule: missing 'before'");
    if (!has_after) fail(item, "rule: missing 'after'");
    if (rule.before == rule.after) fail(item, "rule: 'before' and 'after' are the same milestone");
    if (rule.same_node) {
      const SourceLocation where = scope_node ? loc(*scope_node) : rule.where;
      const MilestoneScope a = *milestone_scope(rule.before);
      const MilestoneScope b = *milestone_scope(rule.after);
      for (const auto& [m, sc] : {std::pair{rule.before, a}, std::pair{rule.after, b}}) {
        if (sc == MilestoneScope::kCluster) {
          fail(where, fmt::format("rule: '{}' is a cluster milestone, so the rule needs "
                                  "scope: cluster",
                                  m));
        }
      }
      const auto per_host = [](MilestoneScope s) {
        return s == MilestoneScope::kMaster || s == MilestoneScope::kAgent ||
               s == MilestoneScope::kEveryNode;
      };
      const bool compatible = a == b || (a == MilestoneScope::kEveryNode && per_host(b)) ||
                              (b == MilestoneScope::kEveryNode && per_host(a));
      if (!compatible) {
        fail(where, fmt::format("rule: '{}' happens on {} and '{}' on {}, never on the same "
                                "node (use scope: cluster)",
                                rule.before, milestone_scope_name(a), rule.after,
                                milestone_scope_name(b)));
      }
    }
    if (rule.name.empty()) rule.name = rule.before + " before " + rule.after;
    s_.rules.push_back(std::move(rule));
  }

  void load_budget(const YAML::Node& item) {
    BudgetSpec budget;
    budget.where = loc(item);
    bool has_milestone = false, has_within = false;
    for (const auto& [key, value] : entries(item, "budget", kBudgetKeys)) {
      if (key.Scalar() == "milestone") {
        budget.milestone = milestone(value, "budget.milestone");
        has_milestone = true;
      } else {
        budget.within = positive_duration(value, "budget.within");
        has_within = true;
      }
    }
    if (!has_milestone) fail(item, "budget: missing 'milestone'");
    if (!has_within) fail(item, "budget: missing 'within' (e.g. within: 300s)");
    s_.budgets.push_back(std::move(budget));
  }

  Scenario s_;
  Parameters params_;  // validates settings as they are read; yields the file's counts
  std::vector<LinkWhere> link_where_;
  std::vector<FaultWhere> fault_where_;
  // Empty map values and the location of their keys (see loc()); mutable: entries() is const.
  mutable std::vector<std::pair<YAML::Node, SourceLocation>> null_values_;
};

// Records where each document starts; ignores the content.
class DocumentStarts : public YAML::EventHandler {
 public:
  void OnDocumentStart(const YAML::Mark& mark) override { last = mark; }
  void OnDocumentEnd() override {}
  void OnNull(const YAML::Mark&, YAML::anchor_t) override {}
  void OnAlias(const YAML::Mark&, YAML::anchor_t) override {}
  void OnScalar(const YAML::Mark&, const std::string&, YAML::anchor_t,
                const std::string&) override {}
  void OnSequenceStart(const YAML::Mark&, const std::string&, YAML::anchor_t,
                       YAML::EmitterStyle::value) override {}
  void OnSequenceEnd() override {}
  void OnMapStart(const YAML::Mark&, const std::string&, YAML::anchor_t,
                  YAML::EmitterStyle::value) override {}
  void OnMapEnd() override {}
  YAML::Mark last;
};

// Where a second document starts, if the stream has one. At most two documents are parsed,
// which also bounds yaml-cpp's runaway document loop.
std::optional<SourceLocation> second_document(const std::string& text, const std::string& file) {
  std::istringstream in(text);
  YAML::Parser parser(in);
  DocumentStarts starts;
  if (!parser.HandleNextDocument(starts)) return std::nullopt;
  if (!parser.HandleNextDocument(starts)) return std::nullopt;
  return SourceLocation{file, std::max(starts.last.line, 0) + 1,
                        std::max(starts.last.column, 0) + 1};
}

}  // namespace

std::variant<Scenario, InputError> load_scenario_text(std::string_view yaml,
                                                      const std::string& file_name) {
  try {
    const std::string text(yaml);
    // YAML::Load reads one document. Not YAML::LoadAll: yaml-cpp 0.7 loops forever, allocating,
    // on some malformed streams such as a lone ',' (jbeder/yaml-cpp#1040, fixed by #1319).
    const YAML::Node root = YAML::Load(text);
    Loader loader(file_name);
    return loader.load(root, second_document(text, file_name), text);
  } catch (const LoadFailure& f) {
    return f.error;
  } catch (const YAML::Exception& e) {
    const int line = e.mark.line >= 0 ? e.mark.line + 1 : 1;
    const int column = e.mark.column >= 0 ? e.mark.column + 1 : 1;
    return InputError{{file_name, line, column}, fmt::format("invalid YAML: {}", e.msg)};
  } catch (const std::exception& e) {
    return InputError{{file_name, 1, 1}, fmt::format("cannot load scenario: {}", e.what())};
  }
}

std::variant<Scenario, InputError> load_scenario_file(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) return InputError{{path, 0, 0}, "cannot open scenario file"};
  std::string text;
  char buffer[65536];
  while (in.read(buffer, sizeof buffer) || in.gcount() > 0) {
    text.append(buffer, static_cast<std::size_t>(in.gcount()));
    if (text.size() > kMaxFileBytes) {
      return InputError{{path, 0, 0},
                        fmt::format("scenario file larger than {} bytes", kMaxFileBytes)};
    }
  }
  if (in.bad()) return InputError{{path, 0, 0}, "cannot read scenario file"};
  return load_scenario_text(text, path);
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

}  // namespace bootsim::models
