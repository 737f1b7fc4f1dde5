#include "models/systemd/profile.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <boost/graph/adjacency_list.hpp>
#include <functional>
#include <map>

#include "models/core/registry.hpp"

namespace bootsim::models {

namespace {

bool has_unit_on(const Profile& p, std::string_view unit, Role role) {
  const UnitDef* u = p.find(unit);
  return u != nullptr && u->runs_on(role);
}

// The location of `list[i]`, or `fallback` when the list holds fewer (a profile built in code).
SourceLocation at_or(const std::vector<SourceLocation>& list, std::size_t i,
                     const SourceLocation& fallback) {
  return i < list.size() ? list[i] : fallback;
}

std::string joined(const std::vector<std::string>& names) {
  return fmt::format("{}", fmt::join(names, ", "));
}

// What a name the registry refuses could have been: the closest known one, or all of them.
std::string hint(std::string_view name, const std::vector<std::string>& known,
                 std::string_view list_intro) {
  const std::vector<std::string_view> views(known.begin(), known.end());
  const std::string close = did_you_mean(name, views);
  return close.empty() ? fmt::format(" ({}: {})", list_intro, joined(known)) : close;
}

std::string gate_hint(const ModelRegistry& registry, const GateDef& gate) {
  if (!registry.has_gate(gate.kind)) return hint(gate.kind, registry.gate_kinds(), "gate kinds");
  const std::vector<std::string>& args = registry.gate_arguments(gate.kind);
  if (args.size() == 1 && args.front().empty()) {
    return fmt::format(" ({} takes no argument)", gate.kind);
  }
  return hint(gate.arg, args, gate.kind + " takes");
}

using AfterGraph = boost::adjacency_list<boost::vecS, boost::vecS, boost::directedS>;

// A cycle among After= orderings would deadlock systemd's transaction. A depth-first walk that
// keeps its path names the whole cycle, not only the back edge Boost's visitor reports.
// Returns the unit indices of the first cycle found (the first unit repeated at the end).
std::vector<std::size_t> find_cycle(const AfterGraph& g, std::size_t n) {
  std::vector<std::size_t> stack_path;
  std::vector<int> state(n, 0);  // 0 new, 1 on stack, 2 done
  std::vector<std::size_t> cycle;
  std::function<bool(std::size_t)> visit = [&](std::size_t v) {
    state[v] = 1;
    stack_path.push_back(v);
    for (auto [e, end] = boost::out_edges(v, g); e != end; ++e) {
      const std::size_t w = boost::target(*e, g);
      if (state[w] == 1) {
        cycle.assign(std::find(stack_path.begin(), stack_path.end(), w), stack_path.end());
        cycle.push_back(w);
        return true;
      }
      if (state[w] == 0 && visit(w)) return true;
    }
    stack_path.pop_back();
    state[v] = 2;
    return false;
  };
  for (std::size_t v = 0; v < n && cycle.empty(); ++v) {
    if (state[v] == 0) visit(v);
  }
  return cycle;
}

void check_providers(const Profile& profile, const ModelRegistry& registry,
                     std::vector<ProfileProblem>& problems) {
  for (const GateProviders& gp : profile.providers) {
    const std::size_t space = gp.gate.find(' ');
    const GateDef gate{gp.gate.substr(0, space),
                       space == std::string::npos ? std::string() : gp.gate.substr(space + 1), "",
                       gp.where};
    if (!registry.accepts(gate)) {
      problems.push_back(
          {"", fmt::format("providers: unknown gate '{}'{}", gp.gate, gate_hint(registry, gate)),
           gp.where});
    }
    for (const auto* list : {&gp.node, &gp.masters}) {
      const auto& where = list == &gp.node ? gp.node_where : gp.masters_where;
      for (std::size_t i = 0; i < list->size(); ++i) {
        if (profile.find((*list)[i]) != nullptr) continue;
        problems.push_back(
            {"", fmt::format("providers of '{}': unknown unit '{}'", gp.gate, (*list)[i]),
             at_or(where, i, gp.where)});
      }
    }
  }
}

}  // namespace

std::vector<const UnitDef*> Profile::units_for(Role role) const {
  std::vector<const UnitDef*> out;
  for (const UnitDef& u : units) {
    if (u.runs_on(role)) out.push_back(&u);
  }
  return out;
}

const UnitDef* Profile::find(std::string_view unit) const {
  for (const UnitDef& u : units) {
    if (u.name == unit) return &u;
  }
  return nullptr;
}
UnitDef* Profile::find(std::string_view unit) {
  for (UnitDef& u : units) {
    if (u.name == unit) return &u;
  }
  return nullptr;
}

const GateProviders* Profile::providers_of(std::string_view gate_text) const {
  for (const GateProviders& gp : providers) {
    if (gp.gate == gate_text) return &gp;
  }
  return nullptr;
}

std::string_view role_name(Role role) {
  switch (role) {
    case Role::kMaster:
      return "master";
    case Role::kPrivateAgent:
      return "agent";
    case Role::kPublicAgent:
      return "public-agent";
  }
  return "?";
}

std::optional<Role> parse_role(std::string_view name) {
  for (const Role r : {Role::kMaster, Role::kPrivateAgent, Role::kPublicAgent}) {
    if (role_name(r) == name) return r;
  }
  return std::nullopt;
}

std::vector<GateProvider> gate_providers(const Profile& profile, const GateDef& gate, Role role) {
  std::vector<GateProvider> out;
  const GateProviders* gp = profile.providers_of(gate.text());
  if (gp == nullptr) return out;
  for (const std::string& unit : gp->node) {
    if (has_unit_on(profile, unit, role)) out.push_back({unit, false});
  }
  for (const std::string& unit : gp->masters) {
    if (has_unit_on(profile, unit, Role::kMaster)) out.push_back({unit, true});
  }
  return out;
}

std::vector<ProfileProblem> validate(const Profile& profile, const ModelRegistry& registry) {
  std::vector<ProfileProblem> problems;
  std::map<std::string, std::size_t, std::less<>> index;
  for (std::size_t i = 0; i < profile.units.size(); ++i) index[profile.units[i].name] = i;
  const UnitLocations nowhere;  // a unit of a profile built in code
  auto locations = [&](const std::string& unit) -> const UnitLocations& {
    const auto it = profile.locations.find(unit);
    return it == profile.locations.end() ? nowhere : it->second;
  };
  AfterGraph g(profile.units.size());
  for (std::size_t i = 0; i < profile.units.size(); ++i) {
    const UnitDef& u = profile.units[i];
    const UnitLocations& at = locations(u.name);
    for (std::size_t a = 0; a < u.after.size(); ++a) {
      const auto it = index.find(u.after[a]);
      if (it == index.end()) {
        problems.push_back(
            {u.name,
             fmt::format("unit '{}' is ordered After= unknown unit '{}'", u.name, u.after[a]),
             at_or(at.after, a, u.where)});
        continue;
      }
      boost::add_edge(i, it->second, g);  // u waits for u.after[a]
    }
    for (const GateDef& gd : u.gates) {
      if (!registry.accepts(gd)) {
        problems.push_back({u.name,
                            fmt::format("unit '{}' has an unknown gate '{}'{}", u.name, gd.text(),
                                        gate_hint(registry, gd)),
                            gd.where});
      }
    }
    if (!registry.has_process(u.process)) {
      problems.push_back(
          {u.name,
           fmt::format("unit '{}' names an unknown process model '{}'{}", u.name, u.process,
                       hint(u.process, registry.process_names(), "models")),
           at.process.line > 0 ? at.process : u.where});
    }
  }
  const std::vector<std::size_t> cycle = find_cycle(g, profile.units.size());
  if (!cycle.empty()) {
    std::vector<std::string> names;
    for (const std::size_t v : cycle) names.push_back(profile.units[v].name);
    // Located at the first ordering of the cycle: the first unit's After= of the second.
    const UnitDef& first = profile.units[cycle[0]];
    const auto entry = std::find(first.after.begin(), first.after.end(), names[1]);
    problems.push_back({first.name,
                        fmt::format("cycle among After= orderings: {}", fmt::join(names, " -> ")),
                        at_or(locations(first.name).after,
                              static_cast<std::size_t>(entry - first.after.begin()), first.where)});
  }
  check_providers(profile, registry, problems);
  return problems;
}

std::string to_dot(const Profile& profile) {
  std::string out =
      fmt::format("digraph \"{}\" {{\n  rankdir=LR;\n  node [shape=box];\n", profile.name);
  for (const Role role : {Role::kMaster, Role::kPrivateAgent, Role::kPublicAgent}) {
    const std::string_view r = role_name(role);
    // Units coloured by the role they run on: masters blue, private agents green, public
    // agents orange (ColorBrewer pastels).
    const std::string_view fill = role == Role::kMaster         ? "#c6dbef"
                                  : role == Role::kPrivateAgent ? "#c7e9c0"
                                                                : "#fdd0a2";
    out += fmt::format(
        "  subgraph \"cluster_{}\" {{\n    label=\"{}\";\n    node [style=filled, "
        "fillcolor=\"{}\"];\n",
        r, r, fill);
    for (const UnitDef* u : profile.units_for(role)) {
      const std::string label =
          u->milestone.empty() ? u->name : fmt::format("{}\\n[{}]", u->name, u->milestone);
      out += fmt::format("    \"{}/{}\" [label=\"{}\"{}];\n", r, u->name, label,
                         u->type == UnitType::kTimer ? ", shape=ellipse" : "");
    }
    out += "  }\n";
  }
  for (const Role role : {Role::kMaster, Role::kPrivateAgent, Role::kPublicAgent}) {
    const std::string_view r = role_name(role);
    for (const UnitDef* u : profile.units_for(role)) {
      for (const std::string& a : u->after) {
        out += fmt::format("  \"{}/{}\" -> \"{}/{}\" [label=\"After=\"];\n", r, u->name, r, a);
      }
      for (const GateDef& gd : u->gates) {
        for (const GateProvider& p : gate_providers(profile, gd, role)) {
          if (p.unit == u->name) continue;
          out += fmt::format("  \"{}/{}\" -> \"{}/{}\" [style=dashed, label=\"{}\"];\n", r, u->name,
                             p.on_masters ? "master" : r, p.unit, gd.text());
        }
      }
    }
  }
  out += "}\n";
  return out;
}

}  // namespace bootsim::models
