// The built-in unit graphs: the YAML files load into exactly what the C++ profiles they replace
// built, real RestartSec values, the gates that order the boot, validation of hard orderings,
// and the DOT rendering.
#include <catch2/catch.hpp>
#include <fstream>
#include <sstream>

#include "models/dcos/profiles.hpp"
#include "models/run/registry.hpp"
#include "models/run/rules.hpp"
#include "models/systemd/profile.hpp"
#include "tests/bootsim_process.hpp"
#include "tests/legacy_profiles.hpp"
#include "tests/printers.hpp"

using namespace bootsim;
using namespace bootsim::models;

using bootsim::test_support::slurp;

namespace {

Profile load_builtin(const std::string& name) {
  auto loaded = load_builtin_profile(name);
  if (auto* e = std::get_if<InputError>(&loaded)) FAIL(e->format());
  return std::get<Profile>(std::move(loaded));
}

std::string gates_text(const UnitDef& u) {
  std::string out;
  for (const GateDef& g : u.gates)
    out += g.text() + (g.milestone.empty() ? "" : " [" + g.milestone + "]") + "; ";
  return out;
}

std::string roles_text(const UnitDef& u) {
  std::string out;
  for (const Role r : u.roles) out += std::string(role_name(r)) + " ";
  return out;
}

}  // namespace

TEST_CASE("the YAML profiles are the C++ profiles they replace, field by field", "[profile]") {
  const std::pair<std::string, Profile> cases[] = {{"dcos-1.9", legacy::dcos_1_9()},
                                                   {"dcos-2.3", legacy::dcos_2_3()}};
  for (const auto& [name, expected] : cases) {
    INFO(name);
    const Profile p = load_builtin(name);
    CHECK(p.name == expected.name);
    CHECK(p.description == expected.description);
    // The order too: it is the order units are created and started in.
    std::vector<std::string> names, expected_names;
    for (const UnitDef& u : p.units) names.push_back(u.name);
    for (const UnitDef& u : expected.units) expected_names.push_back(u.name);
    REQUIRE(names == expected_names);
    for (std::size_t i = 0; i < p.units.size(); ++i) {
      const UnitDef& u = p.units[i];
      const UnitDef& e = expected.units[i];
      INFO(u.name);
      CHECK(roles_text(u) == roles_text(e));
      CHECK(u.type == e.type);
      CHECK(u.restart_sec == e.restart_sec);
      CHECK(u.restart == e.restart);
      CHECK(u.wanted_by == e.wanted_by);
      CHECK(u.on_calendar == e.on_calendar);
      CHECK(gates_text(u) == gates_text(e));
      CHECK(u.after == e.after);
      CHECK(u.process == e.process);
      CHECK(u.start.to_string() == e.start.to_string());
      CHECK(u.milestone == e.milestone);
      CHECK(u.on_boot_sec == e.on_boot_sec);
      CHECK(u.on_unit_active_sec == e.on_unit_active_sec);
      CHECK(u.source == e.source);
      // And where the file declares it, for errors.
      CHECK(u.where.file == name + ".yaml");
      CHECK(u.where.line > 0);
      for (const GateDef& g : u.gates) CHECK(g.where.line > 0);
    }
    // The ordering rules that were code: the same rules, in the same order, with the same names.
    const std::vector<RuleSpec> rules = builtin_rules(p);
    const std::vector<RuleSpec> expected_rules = legacy::builtin_rules(name);
    REQUIRE(rules.size() == expected_rules.size());
    for (std::size_t i = 0; i < rules.size(); ++i) {
      CHECK(rules[i].name == expected_rules[i].name);
      CHECK(rules[i].before == expected_rules[i].before);
      CHECK(rules[i].after == expected_rules[i].after);
      CHECK(rules[i].same_node == expected_rules[i].same_node);
    }
  }
}

TEST_CASE("the built-in graphs are the DOT the C++ profiles drew", "[profile]") {
  // tests/profiles/*.dot: `bootsim graph` of the default scenario with each profile, captured
  // from the binary whose profiles and gate providers were C++ (commit b9215e7), with 1.9's
  // dcos-spartan-watchdog and Admin Router reload timers added since.
  for (const std::string name : {"dcos-1.9", "dcos-2.3"}) {
    INFO(name);
    CHECK(to_dot(load_builtin(name)) ==
          slurp(std::string(BOOTSIM_SOURCE_DIR) + "/tests/profiles/" + name + ".dot"));
  }
}

TEST_CASE("both built-in profiles validate clean", "[profile]") {
  CHECK(builtin_profile_names() == std::vector<std::string>{"dcos-1.9", "dcos-2.3"});
  for (const std::string& name : builtin_profile_names()) {
    INFO(name);
    const auto p = builtin_profile(name);
    REQUIRE(p.has_value());
    for (const ProfileProblem& problem : validate(*p, standard_registry())) {
      FAIL_CHECK(InputError{problem.where, problem.message}.format());
    }
    CHECK_FALSE(p->units_for(Role::kMaster).empty());
    CHECK_FALSE(p->units_for(Role::kPrivateAgent).empty());
    CHECK_FALSE(p->units_for(Role::kPublicAgent).empty());
  }
  CHECK_FALSE(builtin_profile("dcos-1.8").has_value());
}

TEST_CASE("DC/OS 1.9 units carry their real RestartSec and gates", "[profile]") {
  const Profile p = *builtin_profile("dcos-1.9");
  // dcos-1.9-units.md §2.1: mesos-master and marathon restart after 15 s, the rest after 5 s.
  CHECK(p.find("dcos-mesos-master")->restart_sec == sim::seconds(15));
  CHECK(p.find("dcos-marathon")->restart_sec == sim::seconds(15));
  CHECK(p.find("dcos-exhibitor")->restart_sec == sim::seconds(5));
  CHECK(p.find("dcos-mesos-dns")->restart_sec == sim::seconds(5));
  // No After= anywhere in 1.9.
  for (const UnitDef& u : p.units) CHECK(u.after.empty());
  // Masters' services wait for Exhibitor's all-serving status; agents ping leader.mesos
  // (1.9.0-1.9.4).
  const UnitDef* master = p.find("dcos-mesos-master");
  REQUIRE(master->gates.size() == 2);
  CHECK(master->gates[0].text() == "ping ready.spartan");
  CHECK(master->gates[1].text() == "bootstrap exhibitor-all-serving");
  const UnitDef* agent = p.find("dcos-mesos-slave");
  REQUIRE(agent->gates.size() == 3);
  CHECK(agent->gates[1].text() == "ping leader.mesos");
  CHECK(agent->gates[1].milestone == "agent.leader_pingable");
  // The resolv.conf timer: 5 s after boot, then every minute.
  const UnitDef* timer = p.find("dcos-gen-resolvconf");
  CHECK(timer->type == UnitType::kTimer);
  CHECK(timer->on_boot_sec == sim::seconds(5));
  CHECK(timer->on_unit_active_sec == sim::minutes(1));
}

TEST_CASE("DC/OS 2.3 has the cockroach, bouncer, adminrouter After= chain", "[profile]") {
  const Profile p = *builtin_profile("dcos-2.3");
  CHECK(p.find("dcos-bouncer")->after == std::vector<std::string>{"dcos-cockroach"});
  CHECK(p.find("dcos-adminrouter")->after == std::vector<std::string>{"dcos-bouncer"});
  CHECK(p.find("dcos-bouncer")->restart_sec == sim::seconds(20));
  CHECK(p.find("dcos-mesos-master")->gates[1].text() == "bootstrap zk-mode");
}

TEST_CASE("validation names an unknown unit and a cycle among After= orderings", "[profile]") {
  Profile p = *builtin_profile("dcos-2.3");
  SECTION("unknown unit") {
    p.find("dcos-marathon")->after.push_back("dcos-nonesuch");
    const auto problems = validate(p, standard_registry());
    REQUIRE(problems.size() == 1);
    CHECK(problems[0].unit == "dcos-marathon");
    CHECK(problems[0].message ==
          "unit 'dcos-marathon' is ordered After= unknown unit 'dcos-nonesuch'");
  }
  SECTION("cycle") {
    // cockroach → exhibitor already; close the loop through bouncer and adminrouter.
    p.find("dcos-exhibitor")->after.push_back("dcos-adminrouter");
    const auto problems = validate(p, standard_registry());
    REQUIRE(problems.size() == 1);
    CHECK(problems[0].message ==
          "cycle among After= orderings: dcos-exhibitor -> dcos-adminrouter -> dcos-bouncer -> "
          "dcos-cockroach -> dcos-exhibitor");
  }
  SECTION("unknown gate") {
    p.find("dcos-marathon")->gates.push_back(GateDef{"ping", "nonesuch.mesos", ""});
    const auto problems = validate(p, standard_registry());
    REQUIRE(problems.size() == 1);
    CHECK(problems[0].message ==
          "unit 'dcos-marathon' has an unknown gate 'ping nonesuch.mesos' (ping takes: "
          "ready.spartan, leader.mesos, marathon.mesos)");
  }
}

TEST_CASE("gate providers are the graph's edges", "[profile]") {
  const Profile p = *builtin_profile("dcos-1.9");
  const auto leader = gate_providers(p, GateDef{"ping", "leader.mesos", ""}, Role::kPrivateAgent);
  std::vector<std::string> names;
  for (const auto& g : leader) names.push_back(g.unit + (g.on_masters ? "@masters" : "@node"));
  CHECK(names == std::vector<std::string>{"dcos-spartan-agent@node", "dcos-gen-resolvconf@node",
                                          "dcos-mesos-dns@masters", "dcos-mesos-master@masters"});
}

TEST_CASE("the DOT graph has a cluster per role and labelled gate edges", "[profile]") {
  const std::string dot = to_dot(*builtin_profile("dcos-1.9"));
  CHECK(dot.starts_with("digraph \"dcos-1.9\" {"));
  CHECK(dot.find("subgraph \"cluster_master\"") != std::string::npos);
  CHECK(dot.find("subgraph \"cluster_agent\"") != std::string::npos);
  CHECK(dot.find("\"agent/dcos-mesos-slave\" -> \"master/dcos-mesos-dns\" [style=dashed, "
                 "label=\"ping leader.mesos\"];") != std::string::npos);
  CHECK(dot.back() == '\n');
}
