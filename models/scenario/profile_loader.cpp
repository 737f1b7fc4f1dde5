#include "models/scenario/profile_loader.hpp"

#include <algorithm>
#include <array>
#include <filesystem>
#include <optional>
#include <utility>
#include <vector>

#include <fmt/format.h>

#include "models/core/parameters.hpp"
#include "models/scenario/yaml_input.hpp"

namespace bootsim::models {

namespace {

namespace fs = std::filesystem;

constexpr InputKind kProfileInput{"profile", "name, units, ..."};
constexpr std::array<std::string_view, 8> kProfileKeys{
    "name", "description", "base", "source", "remove", "units", "providers", "rules"};
constexpr std::array<std::string_view, 16> kProfileUnitKeys{
    "roles",       "type",    "restart_sec",   "restart",     "wanted_by",   "gates",
    "after",       "process", "start",         "milestone",   "on_boot_sec", "on_unit_active_sec",
    "on_calendar", "source",  "insert_before", "insert_after"};
constexpr std::array<std::string_view, 3> kGateKeys{"kind", "arg", "milestone"};
constexpr std::array<std::string_view, 2> kProviderKeys{"node", "masters"};
constexpr std::array<std::string_view, 3> kRemoveKeys{"units", "providers", "rules"};
constexpr std::array<std::string_view, 3> kProfileRoles{"master", "agent", "public-agent"};
constexpr std::array<std::string_view, 2> kTypes{"service", "timer"};
constexpr std::array<std::string_view, 2> kRestarts{"always", "on-failure"};
// OnCalendar= shorthands whose elapses are multiples of a period from an hour's start.
constexpr std::array<std::string_view, 2> kCalendars{"minutely", "hourly"};

// A profile's own rules are named as `bootsim rules` lists them.
std::string rule_name(const RuleSpec& r) {
  return r.before + " < " + r.after + (r.same_node ? "" : " (cluster)");
}

class ProfileLoader;

// One profile file being read. Its base, if any, is loaded first (through the ProfileLoader,
// which guards against cycles); then its removals, units, providers and rules apply on top.
class ProfileFile : private YamlInput {
 public:
  ProfileFile(ProfileLoader& loader, std::string file, std::optional<std::string> dir)
      : YamlInput(std::move(file)), loader_(loader), dir_(std::move(dir)) {}

  Profile load(const YAML::Node& root, const std::optional<SourceLocation>& second,
               std::string_view text);

 private:
  struct Top {
    std::optional<YAML::Node> name, description, base, source, remove, units, providers, rules;
  };
  Top top_entries(const YAML::Node& root) const;
  void remove(const YAML::Node& map, const std::string& base);
  void load_units(const YAML::Node& map);
  void load_unit(const YAML::Node& key, const YAML::Node& fields);
  void set_field(UnitDef& u, UnitLocations& at, const std::string& field, const YAML::Node& v,
                 const std::string& path) const;
  void place(const std::string& unit, const YAML::Node& value, bool before);
  void check_required(const UnitDef& u, const YAML::Node& key,
                      const std::vector<std::string>& given) const;
  std::vector<Role> roles(const YAML::Node& list, const std::string& path) const;
  std::vector<GateDef> gates(const YAML::Node& list, const std::string& path) const;
  GateDef gate(const YAML::Node& item, const std::string& path) const;
  void load_providers(const YAML::Node& map);
  void load_rules(const YAML::Node& list);
  std::string unit_name(const YAML::Node& n, std::string_view path) const;

  ProfileLoader& loader_;
  std::optional<std::string> dir_;  // nullopt: a built-in profile (bases are built-ins only)
  Profile p_;
  std::optional<std::string> source_;  // the file's default `source` for its units
};

// Resolves references to profiles, built-in or files, and the chain of bases being loaded.
class ProfileLoader {
 public:
  explicit ProfileLoader(std::span<const ProfileText> builtins) : builtins_(builtins) {}

  // `dir`: where a relative path starts; nullopt inside a built-in profile.
  Profile load_ref(std::string_view ref, const std::optional<std::string>& dir,
                   const SourceLocation& where);
  Profile load_text(std::string_view yaml, const std::string& file,
                    const std::optional<std::string>& dir, std::string identity,
                    const SourceLocation& where);

 private:
  std::span<const ProfileText> builtins_;
  // The profiles being loaded, outermost first: (identity, name in messages).
  std::vector<std::pair<std::string, std::string>> chain_;
};

Profile ProfileLoader::load_ref(std::string_view ref, const std::optional<std::string>& dir,
                                const SourceLocation& where) {
  if (!is_profile_file(ref)) {
    std::vector<std::string_view> names;
    for (const ProfileText& b : builtins_) {
      if (b.name == ref) {
        return load_text(b.yaml, std::string(b.file), std::nullopt, "built-in " + std::string(ref),
                         where);
      }
      names.push_back(b.name);
    }
    const std::string hint = did_you_mean(ref, names);
    throw LoadFailure{InputError{
        where, fmt::format("unknown profile {}{}", models::in_quotes(ref),
                           hint.empty() ? fmt::format(" (expected {} or a profile file ending "
                                                      "in .yaml)",
                                                      fmt::join(names, ", "))
                                        : hint)}};
  }
  if (!dir) {
    throw LoadFailure{
        InputError{where, "a built-in profile's base must be a built-in profile, got a file"}};
  }
  const fs::path path = (dir->empty() ? fs::path(ref) : fs::path(*dir) / ref).lexically_normal();
  auto text = read_input_file(path.string(), "profile");
  if (auto* e = std::get_if<InputError>(&text)) {
    throw LoadFailure{InputError{where, e->message + " " + models::in_quotes(path.string())}};
  }
  std::error_code ec;
  const fs::path canonical = fs::weakly_canonical(path, ec);
  return load_text(std::get<std::string>(text), path.string(), path.parent_path().string(),
                   ec ? path.string() : canonical.string(), where);
}

Profile ProfileLoader::load_text(std::string_view yaml, const std::string& file,
                                 const std::optional<std::string>& dir, std::string identity,
                                 const SourceLocation& where) {
  const auto seen = std::find_if(chain_.begin(), chain_.end(),
                                 [&](const auto& link) { return link.first == identity; });
  if (seen != chain_.end()) {
    std::vector<std::string> names;
    for (auto it = seen; it != chain_.end(); ++it) names.push_back(it->second);
    names.push_back(seen->second);
    throw LoadFailure{
        InputError{where, fmt::format("cycle of profile bases: {}", fmt::join(names, " -> "))}};
  }
  chain_.emplace_back(std::move(identity), file);
  auto loaded =
      load_yaml<Profile>(yaml, file, "profile",
                         [&](const YAML::Node& root, const std::optional<SourceLocation>& second) {
                           ProfileFile reader(*this, file, dir);
                           return reader.load(root, second, yaml);
                         });
  chain_.pop_back();
  if (auto* e = std::get_if<InputError>(&loaded)) throw LoadFailure{*e};
  return std::get<Profile>(std::move(loaded));
}

ProfileFile::Top ProfileFile::top_entries(const YAML::Node& root) const {
  Top t;
  for (const auto& [key, value] : entries(root, "", kProfileKeys)) {
    const std::string& k = key.Scalar();
    std::optional<YAML::Node>& slot = k == "name"          ? t.name
                                      : k == "description" ? t.description
                                      : k == "base"        ? t.base
                                      : k == "source"      ? t.source
                                      : k == "remove"      ? t.remove
                                      : k == "units"       ? t.units
                                      : k == "providers"   ? t.providers
                                                           : t.rules;
    slot = value;
  }
  return t;
}

Profile ProfileFile::load(const YAML::Node& root, const std::optional<SourceLocation>& second,
                          std::string_view text) {
  check_root(root, second, text, kProfileInput);
  const Top t = top_entries(root);
  if (!t.name) fail(root, "missing required key 'name'");
  const std::string name = scalar(*t.name, "name", "a string");
  if (name.empty()) fail(*t.name, "name must not be empty");
  if (t.base) {
    p_ = loader_.load_ref(scalar(*t.base, "base", "a profile name or file"), dir_, loc(*t.base));
  }
  const std::string base_name = p_.name;
  p_.name = name;
  if (t.description) p_.description = scalar(*t.description, "description", "a string");
  if (t.source) source_ = scalar(*t.source, "source", "a string");
  if (t.remove) {
    if (!t.base) fail(*t.remove, "remove: only an overlay (a profile with a 'base') removes");
    remove(*t.remove, base_name);
  }
  if (t.units) load_units(*t.units);
  if (t.providers) load_providers(*t.providers);
  if (t.rules) load_rules(*t.rules);
  if (p_.units.empty()) fail(t.units ? *t.units : root, "a profile needs at least one unit");
  return std::move(p_);
}

void ProfileFile::remove(const YAML::Node& map, const std::string& base) {
  if (map.IsNull()) return;
  for (const auto& [key, value] : entries(map, "remove", kRemoveKeys)) {
    const std::string path = "remove." + key.Scalar();
    for (const auto& item : scalar_list(value, path, "names")) {
      // Not a structured binding: Clang 14 (the sanitizer build) cannot capture one.
      const auto& name = item.first;
      const auto& at = item.second;
      bool found = false;
      if (key.Scalar() == "units") {
        const auto it = std::find_if(p_.units.begin(), p_.units.end(),
                                     [&](const UnitDef& u) { return u.name == name; });
        found = it != p_.units.end();
        if (found) p_.units.erase(it);
        p_.locations.erase(name);
      } else if (key.Scalar() == "providers") {
        const auto it = std::find_if(p_.providers.begin(), p_.providers.end(),
                                     [&](const GateProviders& g) { return g.gate == name; });
        found = it != p_.providers.end();
        if (found) p_.providers.erase(it);
      } else {
        const auto it = std::find_if(p_.rules.begin(), p_.rules.end(),
                                     [&](const RuleSpec& r) { return r.name == name; });
        found = it != p_.rules.end();
        if (found) p_.rules.erase(it);
      }
      if (!found) fail(at, fmt::format("{}: no {} in {}", path, models::in_quotes(name), base));
    }
  }
}

std::string ProfileFile::unit_name(const YAML::Node& n, std::string_view path) const {
  const std::string name = scalar(n, path, "a unit name");
  if (!is_plausible_unit_name(name)) {
    fail(n, fmt::format("{}: {} is not a plausible unit name", path, models::in_quotes(name)));
  }
  return name;
}

void ProfileFile::load_units(const YAML::Node& map) {
  if (map.IsNull()) return;
  for (const auto& [key, value] : entries(map, "units", {})) load_unit(key, value);
}

// One entry of `units`: a new unit, or a drop-in on a unit of the base whose fields replace
// the base's (lists whole).
void ProfileFile::load_unit(const YAML::Node& key, const YAML::Node& fields) {
  const std::string name = unit_name(key, "units");
  const std::string path = "units." + name;
  const bool is_new = p_.find(name) == nullptr;
  if (is_new) {
    p_.units.push_back(UnitDef{});
    p_.units.back().name = name;
  }
  UnitDef& u = *p_.find(name);
  u.where = loc(key);
  std::vector<std::string> given;
  std::optional<std::pair<YAML::Node, bool>> placement;  // (value, before)
  for (const auto& [k, v] : fields.IsNull() ? Entries{} : entries(fields, path, kProfileUnitKeys)) {
    const std::string& f = k.Scalar();
    given.push_back(f);
    if (f == "insert_before" || f == "insert_after") {
      if (placement) fail(k, fmt::format("{}: give insert_before or insert_after, not both", path));
      placement = std::pair{v, f == "insert_before"};
      continue;
    }
    set_field(u, p_.locations[name], f, v, path + "." + f);
  }
  if (source_ && std::find(given.begin(), given.end(), "source") == given.end()) {
    u.source = *source_;
  }
  const bool retyped = std::find(given.begin(), given.end(), "type") != given.end();
  if (is_new || retyped) check_required(u, key, given);
  for (const Role r : u.wanted_by) {
    if (!u.runs_on(r)) {
      fail(key, fmt::format("{}.wanted_by: {} is not one of the unit's roles", path, role_name(r)));
    }
  }
  if (u.type == UnitType::kTimer && u.on_calendar > sim::SimTime{}) {
    fail(key, fmt::format("{}: on_calendar belongs to a service (its .timer starts it)", path));
  }
  if (placement) place(name, placement->first, placement->second);
}

void ProfileFile::set_field(UnitDef& u, UnitLocations& at, const std::string& f,
                            const YAML::Node& v, const std::string& path) const {
  if (f == "roles") {
    u.roles = roles(v, path);
  } else if (f == "type") {
    const std::string type = scalar(v, path, "service or timer");
    if (type != "service" && type != "timer") {
      fail(v, fmt::format("{}: unknown type {}{}", path, models::in_quotes(type),
                          did_you_mean(type, kTypes)));
    }
    u.type = type == "timer" ? UnitType::kTimer : UnitType::kService;
  } else if (f == "restart_sec") {
    u.restart_sec = positive_duration(v, path);
  } else if (f == "restart") {
    const std::string r = scalar(v, path, "always or on-failure");
    if (std::find(kRestarts.begin(), kRestarts.end(), r) == kRestarts.end()) {
      fail(v, fmt::format("{}: unknown Restart= {}{}", path, models::in_quotes(r),
                          did_you_mean(r, kRestarts)));
    }
    u.restart = r == "always" ? RestartPolicy::kAlways : RestartPolicy::kOnFailure;
  } else if (f == "wanted_by") {
    u.wanted_by = roles(v, path);
  } else if (f == "on_calendar") {
    const std::string c = scalar(v, path, "minutely or hourly");
    if (std::find(kCalendars.begin(), kCalendars.end(), c) == kCalendars.end()) {
      fail(v, fmt::format("{}: unsupported OnCalendar= {} (minutely or hourly){}", path,
                          models::in_quotes(c), did_you_mean(c, kCalendars)));
    }
    u.on_calendar = c == "hourly" ? sim::hours(1) : sim::minutes(1);
  } else if (f == "gates") {
    u.gates = gates(v, path);
  } else if (f == "after") {
    u.after.clear();
    at.after.clear();
    for (const auto& [a, where] : scalar_list(v, path, "unit names")) {
      u.after.push_back(a);
      at.after.push_back(where);
    }
  } else if (f == "process") {
    u.process = scalar(v, path, "a process model name");
    at.process = loc(v);
  } else if (f == "start") {
    u.start = distribution(v, path);
  } else if (f == "milestone") {
    u.milestone = milestone(v, path);
  } else if (f == "on_boot_sec") {
    u.on_boot_sec = positive_duration(v, path);
  } else if (f == "on_unit_active_sec") {
    u.on_unit_active_sec = positive_duration(v, path);
  } else if (f == "source") {
    u.source = scalar(v, path, "a string");
  }
}

// A new unit (or one whose type an overlay changes) gives what its type needs: no hidden
// defaults for the values that time a boot.
void ProfileFile::check_required(const UnitDef& u, const YAML::Node& key,
                                 const std::vector<std::string>& given) const {
  std::vector<std::string_view> needed{"roles"};
  if (u.type == UnitType::kTimer) {
    needed.insert(needed.end(), {"on_boot_sec", "on_unit_active_sec"});
  } else {
    needed.insert(needed.end(), {"restart_sec", "start"});
  }
  for (const std::string_view n : needed) {
    if (std::find(given.begin(), given.end(), n) == given.end()) {
      fail(key,
           fmt::format("units.{}: missing '{}' (a new {} gives {})", u.name, n,
                       u.type == UnitType::kTimer ? "timer" : "service", fmt::join(needed, ", ")));
    }
  }
}

// Moves `unit` before or after the unit `value` names: the order units start in on a node.
void ProfileFile::place(const std::string& unit, const YAML::Node& value, bool before) {
  const std::string path =
      fmt::format("units.{}.{}", unit, before ? "insert_before" : "insert_after");
  const std::string anchor = unit_name(value, path);
  if (anchor == unit) fail(value, fmt::format("{}: a unit cannot be placed next to itself", path));
  if (p_.find(anchor) == nullptr) {
    fail(value, fmt::format("{}: no unit '{}' in the profile (so far)", path, anchor));
  }
  const auto from = std::find_if(p_.units.begin(), p_.units.end(),
                                 [&](const UnitDef& u) { return u.name == unit; });
  UnitDef moved = std::move(*from);
  p_.units.erase(from);
  auto to = std::find_if(p_.units.begin(), p_.units.end(),
                         [&](const UnitDef& u) { return u.name == anchor; });
  if (!before) ++to;
  p_.units.insert(to, std::move(moved));
}

std::vector<Role> ProfileFile::roles(const YAML::Node& list, const std::string& path) const {
  std::vector<Role> out;
  if (!list.IsSequence() || list.size() == 0) {
    fail(list, fmt::format("{}: expected a list of roles (master, agent, public-agent), got {}",
                           path, list.IsSequence() ? "an empty list" : describe(list)));
  }
  for (const YAML::Node& item : list) {
    const std::string name = scalar(item, path, "a role");
    const auto role = parse_role(name);
    if (!role) {
      const std::string hint = did_you_mean(name, kProfileRoles);
      fail(item, fmt::format("{}: unknown role {}{}", path, models::in_quotes(name),
                             hint.empty() ? " (expected master, agent or public-agent)" : hint));
    }
    if (std::find(out.begin(), out.end(), *role) != out.end()) {
      fail(item, fmt::format("{}: role '{}' twice", path, name));
    }
    out.push_back(*role);
  }
  return out;
}

std::vector<GateDef> ProfileFile::gates(const YAML::Node& list, const std::string& path) const {
  std::vector<GateDef> out;
  if (!list.IsNull() && !list.IsSequence()) {
    fail(list, fmt::format("{}: expected a list of gates, got {}", path, describe(list)));
  }
  for_each_item(list, path, [&](const YAML::Node& item) { out.push_back(gate(item, path)); });
  return out;
}

// A gate: "KIND" or "KIND ARG" as the graph labels it, or {kind, arg, milestone}.
GateDef ProfileFile::gate(const YAML::Node& item, const std::string& path) const {
  GateDef g;
  g.where = loc(item);
  if (item.IsMap()) {
    for (const auto& [k, v] : entries(item, path, kGateKeys)) {
      const std::string& f = k.Scalar();
      if (f == "kind") g.kind = scalar(v, path + ".kind", "a gate kind");
      if (f == "arg") g.arg = scalar(v, path + ".arg", "a gate argument");
      if (f == "milestone") g.milestone = milestone(v, path + ".milestone");
    }
    if (g.kind.empty()) fail(item, fmt::format("{}: a gate needs a 'kind'", path));
    return g;
  }
  const std::string text = scalar(item, path, "a gate (KIND or 'KIND ARG') or a map");
  const std::size_t space = text.find(' ');
  g.kind = text.substr(0, space);
  if (space != std::string::npos) g.arg = text.substr(space + 1);
  if (g.kind.empty() || g.arg.find(' ') != std::string::npos ||
      (space != std::string::npos && g.arg.empty())) {
    fail(item, fmt::format("{}: expected a gate as KIND or 'KIND ARG', got {}", path,
                           models::in_quotes(text)));
  }
  return g;
}

void ProfileFile::load_providers(const YAML::Node& map) {
  if (map.IsNull()) return;
  for (const auto& [key, value] : entries(map, "providers", {})) {
    GateProviders gp;
    gp.gate = key.Scalar();
    gp.where = loc(key);
    const std::string path = "providers." + gp.gate;
    for (const auto& [k, v] : entries(value, path, kProviderKeys)) {
      const bool node = k.Scalar() == "node";
      for (auto& [name, at] : scalar_list(v, path + "." + k.Scalar(), "unit names")) {
        (node ? gp.node : gp.masters).push_back(std::move(name));
        (node ? gp.node_where : gp.masters_where).push_back(at);
      }
    }
    const auto it = std::find_if(p_.providers.begin(), p_.providers.end(),
                                 [&](const GateProviders& g) { return g.gate == gp.gate; });
    if (it != p_.providers.end()) {
      *it = std::move(gp);  // an overlay's entry replaces its base's
    } else {
      p_.providers.push_back(std::move(gp));
    }
  }
}

void ProfileFile::load_rules(const YAML::Node& list) {
  for_each_item(list, "rules", [&](const YAML::Node& item) {
    RuleSpec r = rule(item);
    if (r.name.empty()) r.name = rule_name(r);
    for (const RuleSpec& other : p_.rules) {
      if (other.name == r.name) {
        fail(item, fmt::format("rules: a second rule '{}' (first at {}:{})", r.name,
                               other.where.file, other.where.line));
      }
    }
    p_.rules.push_back(std::move(r));
  });
}

}  // namespace

bool is_profile_file(std::string_view ref) {
  return ref.find('/') != std::string_view::npos || ref.ends_with(".yaml") || ref.ends_with(".yml");
}

std::variant<Profile, InputError> load_profile(std::string_view ref, const std::string& dir,
                                               std::span<const ProfileText> builtins,
                                               const SourceLocation& where) {
  try {
    ProfileLoader loader(builtins);
    return loader.load_ref(ref, dir, where);
  } catch (const LoadFailure& f) {
    return f.error;
  }
}

std::variant<Profile, InputError> load_profile_text(std::string_view yaml, const std::string& file,
                                                    std::span<const ProfileText> builtins) {
  try {
    ProfileLoader loader(builtins);
    return loader.load_text(yaml, file, fs::path(file).parent_path().string(), file,
                            SourceLocation{file, 1, 1});
  } catch (const LoadFailure& f) {
    return f.error;
  }
}

}  // namespace bootsim::models
