#include "models/scenario/fault_spec.hpp"

#include <algorithm>
#include <array>
#include <charconv>

#include <fmt/format.h>
#include <fmt/ranges.h>

#include "models/core/milestones.hpp"
#include "models/core/parameters.hpp"
#include "models/core/zone_keys.hpp"

namespace bootsim::models {

namespace {

constexpr std::array<std::string_view, 4> kTargetRoles{"zookeeper-leader", "mesos-leader",
                                                       "any-master", "any-agent"};
constexpr std::array<std::string_view, 5> kGroupWords{"zookeeper-leader", "mesos-leader",
                                                      "any-master", "any-agent", "rest"};
constexpr std::array<std::string_view, 11> kKinds{
    "crash",      "pause",     "partition", "heal",       "one-way-partition", "link",
    "crash-loop", "slow-disk", "clock",     "dns-outage", "zk-session-expiry"};
constexpr std::array<std::string_view, 17> kKeys{
    "kind",   "target", "at",    "restart_after", "resume_after", "heal_after",
    "groups", "name",   "delay", "loss",          "duplicate",    "dies_after",
    "for",    "factor", "skew",  "drift_ppm",     "answers"};
// The units a dns-outage may name: Mesos-DNS on a master, Spartan (dcos-spartan on a master,
// dcos-spartan-agent on an agent), with or without the dcos- prefix.
constexpr std::array<std::string_view, 5> kDnsServerUnits{"mesos-dns", "dcos-mesos-dns", "spartan",
                                                          "dcos-spartan", "dcos-spartan-agent"};

// What each kind takes besides kind and at (the per-kind part of parsing), and what it needs.
struct KindKeys {
  FaultKind kind;
  std::array<std::string_view, 6> keys;  // empty strings pad
  std::string_view needs;                // "target", "groups" or empty
};
constexpr std::array<KindKeys, 11> kKindKeys{{
    {FaultKind::kCrash, {"target", "restart_after"}, "target"},
    {FaultKind::kPause, {"target", "resume_after"}, "target"},
    {FaultKind::kPartition, {"groups", "name", "heal_after"}, "groups"},
    {FaultKind::kHeal, {"name"}, ""},
    {FaultKind::kOneWayPartition, {"groups", "name", "heal_after"}, "groups"},
    {FaultKind::kLink, {"groups", "name", "delay", "loss", "duplicate", "heal_after"}, "groups"},
    {FaultKind::kCrashLoop, {"target", "dies_after", "for"}, "target"},
    {FaultKind::kSlowDisk, {"target", "factor", "for"}, "target"},
    {FaultKind::kClock, {"target", "skew", "drift_ppm", "for"}, "target"},
    {FaultKind::kDnsOutage, {"target", "answers", "for"}, "target"},
    {FaultKind::kZkSessionExpiry, {"target"}, "target"},
}};

const KindKeys& kind_keys(FaultKind kind) {
  return kKindKeys[static_cast<std::size_t>(kind)];
}

bool kind_takes(FaultKind kind, std::string_view key) {
  const auto& keys = kind_keys(kind).keys;
  return std::find(keys.begin(), keys.end(), key) != keys.end();
}

// "kind=partition, one-way-partition or link": the kinds that take `key`.
std::string kinds_taking(std::string_view key) {
  std::vector<std::string_view> names;
  for (const KindKeys& k : kKindKeys) {
    if (kind_takes(k.kind, key)) names.push_back(kKinds[static_cast<std::size_t>(k.kind)]);
  }
  std::string s = "kind=";
  for (std::size_t i = 0; i < names.size(); ++i) {
    if (i > 0) s += i + 1 == names.size() ? " or " : ", ";
    s += names[i];
  }
  return s;
}

std::string expected_kinds() {
  std::string s;
  for (std::size_t i = 0; i < kKinds.size(); ++i) {
    if (i > 0) s += i + 1 == kKinds.size() ? " or " : ", ";
    s += kKinds[i];
  }
  return s;
}

bool is_space(char c) {
  return c == ' ' || c == '\t' || c == '\n' || c == '\r';
}

std::string_view trim(std::string_view s) {
  while (!s.empty() && is_space(s.front())) s.remove_prefix(1);
  while (!s.empty() && is_space(s.back())) s.remove_suffix(1);
  return s;
}

bool is_digit(char c) {
  return c >= '0' && c <= '9';
}
bool is_lower_alnum(char c) {
  return (c >= 'a' && c <= 'z') || is_digit(c);
}

// Node and service names: lowercase letters, digits and '-', starting with a letter or digit.
bool is_plausible_node(std::string_view s) {
  if (s.empty() || s.size() > 128 || !is_lower_alnum(s.front())) return false;
  return std::all_of(s.begin(), s.end(), [](char c) { return is_lower_alnum(c) || c == '-'; });
}

// "elected-5s" ends in what reads as a negative offset; the caller only asks when the text is
// not valid otherwise, so a plain node like "agent-3" (no unit letter) never matches.
bool ends_with_negative_offset(std::string_view s) {
  const auto dash = s.rfind('-');
  if (dash == std::string_view::npos) return false;
  const std::string_view tail = s.substr(dash + 1);
  if (tail.empty() || !is_digit(tail.front())) return false;
  if (std::none_of(tail.begin(), tail.end(), [](char c) { return c >= 'a' && c <= 'z'; })) {
    return false;
  }
  return sim::parse_duration(tail).has_value();
}

// A non-negative finite duration for a field; the error names the field.
std::optional<sim::SimTime> parse_field_duration(std::string_view field, std::string_view text,
                                                 std::string& error) {
  if (!text.empty() && text.front() == '-') {
    error = fmt::format("{} must not be negative, got {}", field, in_quotes(text));
    return std::nullopt;
  }
  const auto d = sim::parse_duration(text);
  if (!d && sim::is_past_horizon(text)) {
    error = fmt::format("{} must be at most {} (the simulated-time horizon), got {}", field,
                        sim::kHorizonText, in_quotes(text));
    return std::nullopt;
  }
  if (!d) {
    error = fmt::format("{}: malformed duration {} {}", field, in_quotes(text), sim::kDurationHint);
    return std::nullopt;
  }
  if (d->is_infinite()) {
    error =
        fmt::format("{} must be finite (leave it out for never), got {}", field, in_quotes(text));
    return std::nullopt;
  }
  return d;
}

std::optional<FaultKind> parse_kind(std::string_view s) {
  const auto it = std::find(kKinds.begin(), kKinds.end(), s);
  if (it == kKinds.end()) return std::nullopt;
  return static_cast<FaultKind>(it - kKinds.begin());
}

bool is_node_or_role(std::string_view s) {
  return is_fault_target_role(s) || parse_node_name(s).has_value() ||
         parse_node_group(s).has_value() || parse_zone_ref(s).has_value();
}

// A probability in [0, 1] for `field`.
std::optional<double> parse_probability(std::string_view field, std::string_view text,
                                        std::string& error) {
  double p = -1;
  const auto [ptr, ec] = std::from_chars(text.data(), text.data() + text.size(), p);
  if (text.empty() || ec != std::errc() || ptr != text.data() + text.size() || !(p >= 0) || p > 1) {
    error = fmt::format("{} must be a probability from 0 to 1, got {}", field, in_quotes(text));
    return std::nullopt;
  }
  return p;
}

// A signed integer for `field`, within ±limit.
std::optional<std::int64_t> parse_integer(std::string_view field, std::string_view text,
                                          std::int64_t limit, std::string& error) {
  std::int64_t v = 0;
  const auto [ptr, ec] = std::from_chars(text.data(), text.data() + text.size(), v);
  if (text.empty() || ec != std::errc() || ptr != text.data() + text.size() || v > limit ||
      v < -limit) {
    error = fmt::format("{} must be an integer from {} to {}, got {}", field, -limit, limit,
                        in_quotes(text));
    return std::nullopt;
  }
  return v;
}

// slow-disk's factor: a decimal from 1 to 1000 with at most two decimals, as a percentage.
std::optional<std::int64_t> parse_factor(std::string_view text, std::string& error) {
  double f = 0;
  const auto [ptr, ec] = std::from_chars(text.data(), text.data() + text.size(), f);
  if (text.empty() || ec != std::errc() || ptr != text.data() + text.size() || !(f >= 1) ||
      f > 1000) {
    error = fmt::format(
        "fault.factor must be a number from 1 to 1000 (how many times slower), "
        "got {}",
        in_quotes(text));
    return std::nullopt;
  }
  return static_cast<std::int64_t>(f * 100 + 0.5);
}

// dns-outage and zk-session-expiry act on a process: a DNS server, a ZooKeeper client.
std::optional<std::string> check_process_target(FaultKind kind, const FaultTarget& t,
                                                std::string_view target) {
  if (kind == FaultKind::kDnsOutage && !is_dns_server_unit(t.unit)) {
    return fmt::format(
        "fault.target: a dns-outage names a DNS server as node/unit, the unit one of {}, got {}",
        fmt::join(kDnsServerUnits, ", "), in_quotes(target));
  }
  if (kind == FaultKind::kZkSessionExpiry && (t.unit.empty() || t.unit == "zookeeper")) {
    return fmt::format(
        "fault.target: a zk-session-expiry names a ZooKeeper client as node/unit (e.g. "
        "{}/mesos-master or {}/marathon), got {}",
        t.node, t.node, in_quotes(target));
  }
  return std::nullopt;
}

std::optional<std::string> check_target(std::string_view target, FaultKind kind) {
  if (target.empty()) return "fault.target: empty (expected a node, node/unit or role)";
  const FaultTarget t = split_fault_target(target);
  if (t.node == "rest") return "fault.target: 'rest' is only meaningful in partition groups";
  if (!is_node_or_role(t.node)) {
    const std::string hint = did_you_mean(t.node, kTargetRoles);
    if (!hint.empty()) {
      return fmt::format("fault.target: {} is not a node or role{}", in_quotes(t.node), hint);
    }
    return fmt::format(
        "fault.target: {} is not a node or role (expected master-N, agent-N, public-agent-N, "
        "zookeeper-leader, mesos-leader, any-master, any-agent, all-masters, all-agents, a "
        "range such as masters[1..2] or a zone such as zone:b)",
        in_quotes(t.node));
  }
  const bool has_slash = target.find('/') != std::string_view::npos;
  if (has_slash && t.unit.empty()) {
    return fmt::format("fault.target: missing unit after '/' in {}", in_quotes(target));
  }
  if (has_slash && !is_plausible_unit_name(t.unit)) {
    return fmt::format("fault.target: {} is not a plausible unit name", in_quotes(t.unit));
  }
  if ((kind == FaultKind::kPause || kind == FaultKind::kCrashLoop) && t.unit.empty()) {
    return fmt::format(
        "fault.target: a {} a process, so give node/unit (e.g. {}/mesos-dns), got {}",
        kind == FaultKind::kPause ? "pause stops" : "crash-loop kills", t.node, in_quotes(target));
  }
  if (auto e = check_process_target(kind, t, target)) return e;
  if ((kind == FaultKind::kSlowDisk || kind == FaultKind::kClock) && !t.unit.empty()) {
    return fmt::format("fault.target: a {} acts on a host, so give a node without a unit, got {}",
                       fault_kind_name(kind), in_quotes(target));
  }
  return std::nullopt;
}

std::optional<std::string> parse_groups(std::string_view text,
                                        std::vector<std::vector<std::string>>& out) {
  out.clear();
  std::vector<std::string_view> seen;
  std::size_t start = 0;
  while (true) {
    const std::size_t bar = text.find('|', start);
    const std::string_view group = trim(
        text.substr(start, bar == std::string_view::npos ? std::string_view::npos : bar - start));
    if (group.empty()) return fmt::format("fault.groups: empty group in {}", in_quotes(text));
    std::vector<std::string> members;
    std::size_t mstart = 0;
    while (true) {
      const std::size_t comma = group.find(',', mstart);
      const std::string_view member = trim(group.substr(
          mstart, comma == std::string_view::npos ? std::string_view::npos : comma - mstart));
      if (member.empty()) return fmt::format("fault.groups: empty member in {}", in_quotes(text));
      if (member.find('/') != std::string_view::npos) {
        return fmt::format("fault.groups: a partition separates hosts, but {} names a process",
                           in_quotes(member));
      }
      if (member != "rest" && !is_node_or_role(member)) {
        const std::string hint = did_you_mean(member, kGroupWords);
        if (!hint.empty()) {
          return fmt::format("fault.groups: {} is not a node or role{}", in_quotes(member), hint);
        }
        return fmt::format(
            "fault.groups: {} is not a node, role or 'rest' (expected e.g. "
            "groups=master-1,master-2|rest)",
            in_quotes(member));
      }
      if (std::find(seen.begin(), seen.end(), member) != seen.end()) {
        return fmt::format("fault.groups: {} appears more than once", in_quotes(member));
      }
      seen.push_back(member);
      members.emplace_back(member);
      if (comma == std::string_view::npos) break;
      mstart = comma + 1;
    }
    out.push_back(std::move(members));
    if (bar == std::string_view::npos) break;
    start = bar + 1;
  }
  if (out.size() < 2) {
    return fmt::format("fault.groups: a partition needs at least 2 groups separated by '|', got {}",
                       in_quotes(text));
  }
  return std::nullopt;
}

std::string join_groups(const std::vector<std::vector<std::string>>& groups) {
  std::string s;
  for (std::size_t g = 0; g < groups.size(); ++g) {
    if (g > 0) s += '|';
    for (std::size_t m = 0; m < groups[g].size(); ++m) {
      if (m > 0) s += ',';
      s += groups[g][m];
    }
  }
  return s;
}

}  // namespace

std::string TimeRef::to_string() const {
  if (absolute) return sim::format_duration(*absolute);
  std::string s = milestone;
  if (!node.empty()) s += "@" + node;
  // "@web-1h" alone would read back as a negative offset, so such a node keeps its "+0s".
  if (offset != sim::SimTime::zero() || ends_with_negative_offset(node)) {
    s += "+" + sim::format_duration(offset);
  }
  return s;
}

std::variant<TimeRef, std::string> parse_time_ref(std::string_view raw) {
  const std::string_view text = trim(raw);
  if (text.empty()) return std::string("missing time (expected e.g. 30s or zookeeper.quorum+4s)");
  TimeRef ref;
  if (is_digit(text.front())) {
    const auto d = sim::parse_duration(text);
    if (!d && sim::is_past_horizon(text)) {
      return fmt::format("time {} is past the simulated-time horizon, {}", in_quotes(text),
                         sim::kHorizonText);
    }
    if (!d || d->is_infinite()) {
      return fmt::format(
          "malformed time {} (expected a duration such as 30s, or milestone[@node][+offset] such "
          "as zookeeper.quorum+4s)",
          in_quotes(text));
    }
    ref.absolute = *d;
    return ref;
  }
  const std::size_t plus = text.find('+');
  const std::string_view base = trim(text.substr(0, plus));
  const std::size_t at = base.find('@');
  const std::string_view milestone = trim(base.substr(0, at));
  const std::string_view node =
      at == std::string_view::npos ? std::string_view{} : trim(base.substr(at + 1));
  const bool may_be_negative = plus == std::string_view::npos;
  if (!is_milestone(milestone)) {
    if (may_be_negative && at == std::string_view::npos && ends_with_negative_offset(milestone)) {
      return fmt::format(
          "negative offsets are not supported: {} (a fault can only follow a "
          "milestone; use an earlier one)",
          in_quotes(text));
    }
    return fmt::format("unknown milestone {}{}", in_quotes(milestone),
                       did_you_mean(milestone, milestone_names()));
  }
  if (at != std::string_view::npos) {
    if (node.empty()) return fmt::format("missing node after '@' in {}", in_quotes(text));
    if (may_be_negative && ends_with_negative_offset(node)) {
      // "agent.registered@agent-3-1s": a node name never ends in a duration.
      return fmt::format(
          "negative offsets are not supported: {} (a fault can only follow a "
          "milestone; use an earlier one)",
          in_quotes(text));
    }
    if (!is_plausible_node(node)) {
      return fmt::format("malformed node {} in {} (expected e.g. master-1 or a service name)",
                         in_quotes(node), in_quotes(text));
    }
    if (is_cluster_milestone(milestone)) {
      return fmt::format("'{}' is a cluster milestone; it takes no @node", milestone);
    }
    ref.node = std::string(node);
  }
  ref.milestone = std::string(milestone);
  if (plus != std::string_view::npos) {
    const std::string_view offset = trim(text.substr(plus + 1));
    if (offset.empty()) return fmt::format("missing offset after '+' in {}", in_quotes(text));
    const auto d = sim::parse_duration(offset);
    if (!d && sim::is_past_horizon(offset)) {
      return fmt::format("offset {} in {} is past the simulated-time horizon, {}",
                         in_quotes(offset), in_quotes(text), sim::kHorizonText);
    }
    if (!d || d->is_infinite()) {
      return fmt::format("malformed offset {} in {} {}", in_quotes(offset), in_quotes(text),
                         sim::kDurationHint);
    }
    ref.offset = *d;
  }
  return ref;
}

std::optional<NodeName> parse_node_name(std::string_view name) {
  NodeName n{NodeKind::kMaster, 0};
  std::string_view digits;
  if (name.starts_with("master-")) {
    n.kind = NodeKind::kMaster;
    digits = name.substr(7);
  } else if (name.starts_with("agent-")) {
    n.kind = NodeKind::kPrivateAgent;
    digits = name.substr(6);
  } else if (name.starts_with("public-agent-")) {
    n.kind = NodeKind::kPublicAgent;
    digits = name.substr(13);
  } else {
    return std::nullopt;
  }
  // 1-based, no leading zeros, small enough for any cluster (the counts cap at a million).
  if (digits.empty() || digits.size() > 9 || digits.front() == '0') return std::nullopt;
  if (!std::all_of(digits.begin(), digits.end(), is_digit)) return std::nullopt;
  std::from_chars(digits.data(), digits.data() + digits.size(), n.index);
  return n;
}

bool is_dns_server_unit(std::string_view unit) {
  return std::find(kDnsServerUnits.begin(), kDnsServerUnits.end(), unit) != kDnsServerUnits.end();
}

bool is_mesos_dns_unit(std::string_view unit) {
  return unit == "mesos-dns" || unit == "dcos-mesos-dns";
}

std::string_view fault_kind_name(FaultKind kind) {
  return kKinds.at(static_cast<std::size_t>(kind));
}

std::span<const std::string_view> fault_kind_names() {
  return kKinds;
}

std::optional<NodeGroup> parse_node_group(std::string_view name) {
  if (name == "all-masters") return NodeGroup{NodeKind::kMaster, 1, std::nullopt};
  if (name == "all-agents") return NodeGroup{std::nullopt, 1, std::nullopt};
  if (name == "all-private-agents") return NodeGroup{NodeKind::kPrivateAgent, 1, std::nullopt};
  if (name == "all-public-agents") return NodeGroup{NodeKind::kPublicAgent, 1, std::nullopt};
  // masters[1..2]: parsed as the node names master-1 and master-2 would be.
  const auto open = name.find('[');
  if (open == std::string_view::npos || !name.ends_with(']')) return std::nullopt;
  const std::string_view prefix = name.substr(0, open);
  const std::string_view range = name.substr(open + 1, name.size() - open - 2);
  const auto dots = range.find("..");
  if (dots == std::string_view::npos) return std::nullopt;
  const std::string singular = prefix == "masters"         ? "master-"
                               : prefix == "agents"        ? "agent-"
                               : prefix == "public-agents" ? "public-agent-"
                                                           : "";
  if (singular.empty()) return std::nullopt;
  const auto first = parse_node_name(singular + std::string(range.substr(0, dots)));
  const auto last = parse_node_name(singular + std::string(range.substr(dots + 2)));
  if (!first || !last || last->index < first->index) return std::nullopt;
  return NodeGroup{first->kind, first->index, last->index};
}

std::span<const std::string_view> fault_target_roles() {
  return kTargetRoles;
}

bool is_fault_target_role(std::string_view name) {
  return std::find(kTargetRoles.begin(), kTargetRoles.end(), name) != kTargetRoles.end();
}

std::optional<std::string> parse_zone_ref(std::string_view name) {
  if (!name.starts_with(kZoneRefPrefix)) return std::nullopt;
  const std::string_view zone = name.substr(kZoneRefPrefix.size());
  if (!is_zone_name(zone)) return std::nullopt;
  return std::string(zone);
}

FaultTarget split_fault_target(std::string_view target) {
  const std::size_t slash = target.find('/');
  if (slash == std::string_view::npos) return {std::string(target), {}};
  return {std::string(target.substr(0, slash)), std::string(target.substr(slash + 1))};
}

std::string format_fault(const FaultSpec& f) {
  std::string s = fmt::format("kind={}", fault_kind_name(f.kind));
  if (!f.groups.empty()) s += " groups=" + join_groups(f.groups);
  if (!f.target.empty()) s += " target=" + f.target;
  if (!f.name.empty()) s += " name=" + f.name;
  s += " at=" + f.at.to_string();
  const auto duration = [&](std::string_view key, const std::optional<sim::SimTime>& d) {
    if (d) s += fmt::format(" {}={}", key, sim::format_duration(*d));
  };
  duration("restart_after", f.restart_after);
  duration("resume_after", f.resume_after);
  duration("delay", f.delay);
  if (f.loss) s += fmt::format(" loss={}", *f.loss);
  if (f.duplicate) s += fmt::format(" duplicate={}", *f.duplicate);
  duration("dies_after", f.dies_after);
  if (f.factor_percent)
    s += fmt::format(" factor={}", static_cast<double>(*f.factor_percent) / 100);
  if (f.skew) {
    s += f.skew->ns() < 0 ? " skew=-" + sim::format_duration(sim::SimTime::zero() - *f.skew)
                          : " skew=" + sim::format_duration(*f.skew);
  }
  if (f.drift_ppm) s += fmt::format(" drift_ppm={}", *f.drift_ppm);
  if (f.answers) {
    s += f.answers == DnsOutageAnswer::kNothing ? " answers=nothing" : " answers=servfail";
  }
  duration("heal_after", f.heal_after);
  duration("for", f.for_);
  return s;
}

namespace {

InputError fail(const SourceLocation& loc, std::string message) {
  return InputError{loc, std::move(message)};
}

// Keys first: a typo in a key explains later "missing" errors. Returns the `kind` field.
std::variant<const FaultField*, InputError> check_keys(const std::vector<FaultField>& fields,
                                                       const SourceLocation& where) {
  const FaultField* kind_field = nullptr;
  for (std::size_t i = 0; i < fields.size(); ++i) {
    const FaultField& f = fields[i];
    if (std::find(kKeys.begin(), kKeys.end(), f.key) == kKeys.end()) {
      return fail(f.key_where, fmt::format("fault: unknown key {}{}", in_quotes(f.key),
                                           did_you_mean(f.key, kKeys)));
    }
    for (std::size_t j = 0; j < i; ++j) {
      if (fields[j].key == f.key) {
        return fail(f.key_where, fmt::format("fault: duplicate key '{}'", f.key));
      }
    }
    if (f.key == "kind") kind_field = &f;
  }
  if (kind_field == nullptr) {
    return fail(where, fmt::format("fault: missing 'kind' ({})", expected_kinds()));
  }
  return kind_field;
}

std::variant<FaultKind, InputError> check_kind(const FaultField& kind_field) {
  const std::string_view kind_text = trim(kind_field.value);
  const auto kind = parse_kind(kind_text);
  if (kind) return *kind;
  const std::string hint = did_you_mean(kind_text, kKinds);
  return fail(kind_field.value_where,
              fmt::format("fault.kind: unknown kind {}{}", in_quotes(kind_text),
                          hint.empty() ? fmt::format(" (expected {})", expected_kinds()) : hint));
}

// A duration field: restart_after, resume_after, heal_after, delay, dies_after, for.
std::optional<sim::SimTime>* duration_slot(FaultSpec& spec, std::string_view key) {
  if (key == "restart_after") return &spec.restart_after;
  if (key == "resume_after") return &spec.resume_after;
  if (key == "heal_after") return &spec.heal_after;
  if (key == "delay") return &spec.delay;
  if (key == "dies_after") return &spec.dies_after;
  if (key == "for") return &spec.for_;
  return nullptr;
}

// clock's skew: a duration, negative for a clock behind true time.
std::optional<InputError> apply_skew(const FaultField& f, std::string_view value, FaultSpec& spec) {
  const bool behind = value.starts_with('-');
  std::string error;
  const auto d = parse_field_duration("fault.skew", behind ? value.substr(1) : value, error);
  if (!d) return fail(f.value_where, error);
  spec.skew = behind ? sim::SimTime::zero() - *d : *d;
  return std::nullopt;
}

// A field whose value is not a duration, a target or groups.
std::optional<InputError> apply_scalar(const FaultField& f, std::string_view value,
                                       FaultSpec& spec) {
  const std::string field = "fault." + f.key;
  std::string error;
  if (f.key == "name") {
    if (!is_plausible_node(value)) {
      return fail(f.value_where, fmt::format("fault.name: {} is not a plausible name (lowercase "
                                             "letters, digits and '-')",
                                             in_quotes(value)));
    }
    spec.name = std::string(value);
  } else if (f.key == "loss" || f.key == "duplicate") {
    const auto p = parse_probability(field, value, error);
    if (!p) return fail(f.value_where, error);
    (f.key == "loss" ? spec.loss : spec.duplicate) = *p;
  } else if (f.key == "factor") {
    spec.factor_percent = parse_factor(value, error);
    if (!spec.factor_percent) return fail(f.value_where, error);
  } else if (f.key == "drift_ppm") {
    // ±50% is far past any real crystal (±100 ppm) yet keeps the clock moving forward.
    spec.drift_ppm = parse_integer(field, value, 500'000, error);
    if (!spec.drift_ppm) return fail(f.value_where, error);
  } else if (f.key == "skew") {
    return apply_skew(f, value, spec);
  } else if (f.key == "answers") {
    if (value != "servfail" && value != "nothing") {
      return fail(f.value_where, fmt::format("fault.answers: expected servfail or nothing, got {}",
                                             in_quotes(value)));
    }
    spec.answers = value == "nothing" ? DnsOutageAnswer::kNothing : DnsOutageAnswer::kServFail;
  }
  return std::nullopt;
}

// One field (other than kind) into `spec`, whose kind is already set.
std::optional<InputError> apply_field(const FaultField& f, FaultSpec& spec) {
  const std::string_view value = trim(f.value);
  const std::string field = "fault." + f.key;
  if (f.key != "at" && !kind_takes(spec.kind, f.key)) {
    if (f.key == "target" && kind_takes(spec.kind, "groups")) {
      return fail(f.key_where, fmt::format("fault.target: a {} takes groups (e.g. "
                                           "groups=mesos-leader|rest), not a target",
                                           fault_kind_name(spec.kind)));
    }
    return fail(f.key_where, fmt::format("{} applies only to {}, not kind={}", field,
                                         kinds_taking(f.key), fault_kind_name(spec.kind)));
  }
  std::string error;
  if (f.key == "target") {
    if (auto e = check_target(value, spec.kind)) return fail(f.value_where, std::move(*e));
    spec.target = std::string(value);
  } else if (f.key == "at") {
    auto ref = parse_time_ref(value);
    if (auto* e = std::get_if<std::string>(&ref)) return fail(f.value_where, "fault.at: " + *e);
    spec.at = std::get<TimeRef>(std::move(ref));
  } else if (auto* slot = duration_slot(spec, f.key)) {
    const auto d = parse_field_duration(field, value, error);
    if (!d) return fail(f.value_where, error);
    *slot = *d;
  } else if (f.key == "groups") {
    if (auto e = parse_groups(value, spec.groups)) return fail(f.value_where, std::move(*e));
    if (spec.kind == FaultKind::kOneWayPartition && spec.groups.size() != 2) {
      return fail(f.value_where,
                  "fault.groups: a one-way partition takes exactly 2 groups, "
                  "FROM|TO (FROM's messages to TO are lost)");
    }
  } else {
    return apply_scalar(f, value, spec);
  }
  return std::nullopt;
}

bool has_key(const std::vector<FaultField>& fields, std::string_view key) {
  return std::any_of(fields.begin(), fields.end(),
                     [&](const FaultField& f) { return f.key == key; });
}

// What a kind cannot do without, once every field is in.
std::optional<InputError> check_required(const std::vector<FaultField>& fields,
                                         const FaultSpec& spec, const SourceLocation& where) {
  const std::string_view needs = kind_keys(spec.kind).needs;
  if (needs == "groups" && !has_key(fields, "groups")) {
    return fail(where, "fault: missing 'groups' (e.g. groups=mesos-leader|rest)");
  }
  if (needs == "target" && !has_key(fields, "target")) {
    return fail(where, fmt::format("fault: missing 'target' (a {} needs a node, node/unit or role)",
                                   fault_kind_name(spec.kind)));
  }
  if (spec.kind == FaultKind::kLink && !spec.delay && !spec.loss && !spec.duplicate) {
    return fail(where, "fault: a link change needs delay, loss or duplicate (e.g. loss=0.3)");
  }
  if (spec.kind == FaultKind::kCrashLoop && !spec.dies_after) {
    return fail(where,
                "fault: missing 'dies_after' (a crash-loop kills the process this long "
                "after each start, e.g. dies_after=10s)");
  }
  if (spec.kind == FaultKind::kSlowDisk && !spec.factor_percent) {
    return fail(where,
                "fault: missing 'factor' (how many times slower the disk is, e.g. "
                "factor=10)");
  }
  if (spec.kind == FaultKind::kClock && !spec.skew && !spec.drift_ppm) {
    return fail(where, "fault: a clock fault needs skew or drift_ppm (e.g. skew=30s)");
  }
  return std::nullopt;
}

}  // namespace

std::variant<FaultSpec, InputError> build_fault(const std::vector<FaultField>& fields,
                                                const SourceLocation& where) {
  const auto kind_field = check_keys(fields, where);
  if (auto* e = std::get_if<InputError>(&kind_field)) return *e;
  const auto kind = check_kind(*std::get<const FaultField*>(kind_field));
  if (auto* e = std::get_if<InputError>(&kind)) return *e;
  FaultSpec spec;
  spec.kind = std::get<FaultKind>(kind);
  for (const FaultField& f : fields) {
    if (f.key == "kind") continue;
    if (auto e = apply_field(f, spec)) return *e;
  }
  if (!has_key(fields, "at")) {
    return fail(where, "fault: missing 'at' (e.g. at=30s or at=zookeeper.quorum+4s)");
  }
  if (auto e = check_required(fields, spec, where)) return *e;
  spec.where = where;
  spec.text = format_fault(spec);
  return spec;
}

std::variant<FaultSpec, InputError> parse_fault_line(std::string_view line,
                                                     const SourceLocation& where) {
  std::vector<FaultField> fields;
  std::size_t i = 0;
  while (i < line.size()) {
    while (i < line.size() && is_space(line[i])) ++i;
    if (i == line.size()) break;
    std::size_t end = i;
    while (end < line.size() && !is_space(line[end])) ++end;
    const std::string_view word = line.substr(i, end - i);
    const std::size_t eq = word.find('=');
    if (eq == std::string_view::npos || eq == 0) {
      return InputError{
          where, fmt::format("fault: malformed word {} (expected key=value)", in_quotes(word))};
    }
    fields.push_back(FaultField{std::string(word.substr(0, eq)), std::string(word.substr(eq + 1)),
                                where, where});
    i = end;
  }
  if (fields.empty()) {
    return InputError{where, "fault: empty (expected e.g. kind=crash target=master-1 at=30s)"};
  }
  return build_fault(fields, where);
}

}  // namespace bootsim::models
