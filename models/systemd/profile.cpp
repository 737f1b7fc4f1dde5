#include "models/systemd/profile.hpp"

#include "models/core/registry.hpp"

#include <fmt/format.h>
#include <algorithm>
#include <boost/graph/adjacency_list.hpp>
#include <functional>
#include <map>

namespace bootsim::models {

namespace {

bool has_unit_on(const Profile& p, std::string_view unit, Role role) {
  const UnitDef* u = p.find(unit);
  return u != nullptr && u->runs_on(role);
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

std::vector<GateProvider> gate_providers(const Profile& profile, const GateDef& gate, Role role) {
  std::vector<GateProvider> out;
  auto local = [&](std::string_view unit) {
    if (has_unit_on(profile, unit, role)) out.push_back({std::string(unit), false});
  };
  auto masters = [&](std::string_view unit) {
    if (has_unit_on(profile, unit, Role::kMaster)) out.push_back({std::string(unit), true});
  };
  // The DNS proxy of this node, whichever version provides it.
  auto dns_proxy = [&] {
    for (const UnitDef& u : profile.units) {
      if (u.process == "dns-proxy" && u.runs_on(role)) out.push_back({u.name, false});
    }
  };
  const std::string_view kind = gate.kind;
  const std::string_view arg = gate.arg;
  if (kind == "ping") {
    dns_proxy();
    local("dcos-gen-resolvconf");
    if (arg == "leader.mesos") {
      masters("dcos-mesos-dns");
      masters("dcos-mesos-master");
    } else if (arg == "marathon.mesos") {
      masters("dcos-mesos-dns");
      masters("dcos-marathon");
    }
  } else if (kind == "bootstrap") {
    if (arg != "noop") masters("dcos-exhibitor");
    if (arg == "cluster-id-read") {
      for (const UnitDef& u : profile.units) {
        for (const GateDef& g : u.gates) {
          if (g.kind == "bootstrap" && g.arg.ends_with("+cluster-id") && u.runs_on(Role::kMaster)) {
            out.push_back({u.name, true});
          }
        }
      }
    }
  } else if (kind == "file" && arg == "cluster-id") {
    for (const UnitDef& u : profile.units) {
      for (const GateDef& g : u.gates) {
        if (g.kind == "bootstrap" &&
            (g.arg.ends_with("+cluster-id") || g.arg == "cluster-id-read") && u.runs_on(role)) {
          out.push_back({u.name, false});
        }
      }
    }
  } else if (kind == "http") {
    local(arg == "oauth" ? "dcos-oauth" : "dcos-bouncer");
  } else if (kind == "socket") {
    local(role == Role::kMaster ? "dcos-telegraf" : "dcos-telegraf-agent");
  }
  return out;
}

namespace {

using AfterGraph = boost::adjacency_list<boost::vecS, boost::vecS, boost::directedS>;

}  // namespace

std::vector<ProfileProblem> validate(const Profile& profile, const ModelRegistry& registry) {
  std::vector<ProfileProblem> problems;
  std::map<std::string, std::size_t> index;
  for (std::size_t i = 0; i < profile.units.size(); ++i) index[profile.units[i].name] = i;
  AfterGraph g(profile.units.size());
  for (std::size_t i = 0; i < profile.units.size(); ++i) {
    const UnitDef& u = profile.units[i];
    for (const std::string& a : u.after) {
      const auto it = index.find(a);
      if (it == index.end()) {
        problems.push_back(
            {u.name, fmt::format("unit '{}' is ordered After= unknown unit '{}'", u.name, a)});
        continue;
      }
      boost::add_edge(i, it->second, g);  // u waits for a
    }
    for (const GateDef& gd : u.gates) {
      if (!registry.accepts(gd)) {
        problems.push_back(
            {u.name, fmt::format("unit '{}' has an unknown gate '{}'", u.name, gd.text())});
      }
    }
    if (!registry.has_process(u.process)) {
      problems.push_back({u.name, fmt::format("unit '{}' names an unknown process model '{}'",
                                              u.name, u.process)});
    }
  }
  // A cycle among After= orderings would deadlock systemd's transaction. A depth-first walk
  // that keeps its path names the whole cycle, not only the back edge Boost's visitor reports.
  std::vector<std::size_t> stack_path;
  std::vector<int> state(profile.units.size(), 0);  // 0 new, 1 on stack, 2 done
  std::vector<std::string> cycle;
  std::function<bool(std::size_t)> visit = [&](std::size_t v) {
    state[v] = 1;
    stack_path.push_back(v);
    for (auto [e, end] = boost::out_edges(v, g); e != end; ++e) {
      const std::size_t w = boost::target(*e, g);
      if (state[w] == 1) {
        auto from = std::find(stack_path.begin(), stack_path.end(), w);
        for (auto it = from; it != stack_path.end(); ++it) cycle.push_back(profile.units[*it].name);
        cycle.push_back(profile.units[w].name);
        return true;
      }
      if (state[w] == 0 && visit(w)) return true;
    }
    stack_path.pop_back();
    state[v] = 2;
    return false;
  };
  for (std::size_t v = 0; v < profile.units.size() && cycle.empty(); ++v) {
    if (state[v] == 0) visit(v);
  }
  if (!cycle.empty()) {
    problems.push_back(
        {cycle.front(), fmt::format("cycle among After= orderings: {}", fmt::join(cycle, " -> "))});
  }
  return problems;
}

std::string to_dot(const Profile& profile) {
  std::string out =
      fmt::format("digraph \"{}\" {{\n  rankdir=LR;\n  node [shape=box];\n", profile.name);
  for (const Role role : {Role::kMaster, Role::kPrivateAgent, Role::kPublicAgent}) {
    const std::string_view r = role_name(role);
    out += fmt::format("  subgraph \"cluster_{}\" {{\n    label=\"{}\";\n", r, r);
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
