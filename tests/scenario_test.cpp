#include "models/scenario/scenario.hpp"
#include "tests/bootsim_process.hpp"

#include <algorithm>
#include <filesystem>
#include <fstream>
#include <map>
#include <sstream>
#include <string>
#include <variant>

#include <catch2/catch.hpp>

#include "models/core/milestones.hpp"
#include "models/run/cluster.hpp"

using bootsim::models::apply_settings;
using bootsim::models::check_node_names;
using bootsim::models::InputError;
using bootsim::models::load_scenario_file;
using bootsim::models::load_scenario_text;
using bootsim::models::Parameters;
using bootsim::models::parse_fault_line;
using bootsim::models::Scenario;
using bootsim::models::Setting;
using bootsim::models::SourceLocation;
namespace sim = bootsim::sim;

using bootsim::test_support::slurp;

namespace {

const std::string kSourceDir = BOOTSIM_SOURCE_DIR;
const std::string kBadDir = kSourceDir + "/tests/scenarios/bad/";

Scenario load_ok(std::string_view yaml) {
  auto r = load_scenario_text(yaml, "test.yaml");
  if (auto* e = std::get_if<InputError>(&r)) FAIL(e->format());
  return std::get<Scenario>(std::move(r));
}

// The error a scenario gives when loaded or, as `bootsim check` goes on, when its profile is
// resolved (the profile's name and the units it overrides); "" when there is none.
std::string first_error(const std::variant<Scenario, InputError>& r) {
  if (auto* e = std::get_if<InputError>(&r)) return e->format();
  const Scenario& s = std::get<Scenario>(r);
  Parameters params;
  if (auto e = apply_settings(s.settings, params)) return e->format();
  auto p = bootsim::models::resolve_profile(s, params);
  if (auto* e = std::get_if<InputError>(&p)) return e->format();
  return "";
}

std::string load_error(std::string_view yaml) {
  const std::string error = first_error(load_scenario_text(yaml, "test.yaml"));
  if (error.empty()) FAIL("accepted:\n" << yaml);
  return error;
}

// Each file in tests/scenarios/bad/ and the exact error it must give (after FILE:).
const std::map<std::string, std::string>& bad_cases() {
  static const std::map<std::string, std::string> cases{
      {"agents_negative.yaml", "3:21: error: cluster.agents.private must not be negative, got -2"},
      {"agents_not_map.yaml", "3:11: error: cluster.agents: expected a map, got '10'"},
      {"duplicate_key.yaml", "4:3: error: duplicate key 'masters' in 'cluster' (first at line 3)"},
      {"empty.yaml", "1:1: error: empty scenario (expected a map with at least 'name')"},
      {"fault_malformed_word.yaml",
       "3:5: error: fault: malformed word 'restart' (expected key=value)"},
      {"fault_partition_one_group.yaml",
       "4:13: error: fault.groups: a partition needs at least 2 groups separated by '|', got "
       "'master-1,master-2'"},
      {"fault_pause_without_unit.yaml",
       "3:27: error: fault.target: a pause stops a process, so give node/unit (e.g. "
       "master-2/mesos-dns), got 'master-2'"},
      {"fault_unknown_key.yaml",
       "3:46: error: fault: unknown key 'restart' (did you mean 'restart_after'?)"},
      {"fault_unknown_kind.yaml",
       "3:12: error: fault.kind: unknown kind 'explode' (expected crash, pause, partition, heal, "
       "one-way-partition, link, crash-loop, slow-disk, clock, dns-outage or zk-session-expiry)"},
      {"fault_unknown_node.yaml",
       "5:27: error: fault.target: no node 'master-4' in this cluster (masters are "
       "master-1..master-3)"},
      {"huge_number.yaml",
       "3:21: error: cluster.agents.private must be at most 1000000, got '99999999999999999999'"},
      {"link_loss_out_of_range.yaml", "5:46: error: link.loss must be between 0 and 1, got '1.5'"},
      {"link_unknown_node.yaml",
       "6:30: error: link: no node 'agent-11' in this cluster (private agents are "
       "agent-1..agent-10)"},
      {"malformed_distribution.yaml",
       "4:14: error: network.latency: malformed distribution 'lognormal(median=1s)': "
       "lognormal(median=D, p99=D) is missing 'p99='"},
      {"malformed_duration.yaml",
       "2:8: error: until: malformed duration '5 minutes' (expected e.g. 250ms, 2s, 1m30s)"},
      {"masters_even.yaml",
       "3:12: error: cluster.masters: DC/OS accepts 1, 3, 5, 7 or 9 masters, got 4"},
      {"masters_not_integer.yaml",
       "3:12: error: cluster.masters: expected an integer, got 'three'"},
      {"masters_zero.yaml", "3:12: error: cluster.masters must be positive, got 0"},
      {"missing_name.yaml", "2:1: error: missing required key 'name'"},
      {"name_null.yaml", "1:1: error: name: expected a string, got nothing"},
      {"parameter_malformed_duration.yaml",
       "3:23: error: zookeeper.tickTime: malformed duration 'abc' (expected e.g. 250ms, 2s, "
       "1m30s)"},
      {"rule_scope_mismatch.yaml",
       "3:5: error: rule: 'zookeeper.serving' happens on masters and 'agent.registered' on "
       "agents, never on the same node (use scope: cluster)"},
      {"service_marathon.yaml",
       "3:12: error: service.name: Marathon is always installed; do not list it"},
      {"top_level_list.yaml",
       "1:1: error: a scenario must be a map of keys (name, cluster, ...), got a list"},
      {"unit_restart_zero.yaml",
       "3:47: error: units.dcos-mesos-master.restart_sec must be positive, got '0s'"},
      {"unknown_key_in_cluster.yaml",
       "3:3: error: unknown key 'mastres' in 'cluster' (did you mean 'masters'?)"},
      {"unknown_milestone_in_budget.yaml",
       "3:16: error: budget.milestone: unknown milestone 'cluster.redy' (did you mean "
       "'cluster.ready'?)"},
      {"unknown_milestone_in_fault.yaml",
       "3:41: error: fault.at: unknown milestone 'zookeeper.qourum' (did you mean "
       "'zookeeper.quorum'?)"},
      {"unknown_milestone_in_rule.yaml",
       "3:43: error: rule.after: unknown milestone 'agent.registred' (did you mean "
       "'agent.registered'?)"},
      {"unknown_parameter.yaml",
       "4:3: error: unknown parameter 'zookeeper.tickTme' (did you mean 'zookeeper.tickTime'?)"},
      {"unknown_profile.yaml",
       "2:10: error: unknown profile 'dcos-1.10' (did you mean 'dcos-1.9'?)"},
      {"unknown_top_level_key.yaml",
       "2:1: error: unknown key 'seeed' at the top level (did you mean 'seed'?)"},
      {"yaml_syntax.yaml", "4:9: error: invalid YAML: end of sequence flow not found"},
      {"zone_agents_do_not_add_up.yaml",
       "3:21: error: cluster.agents.private is 30, but the zones' private agents add up to 25 "
       "(a 10, b 10, c 5); give either the total or every zone's count"},
      {"zone_agents_exceed_total.yaml",
       "3:21: error: the zones give 13 private agents (a 8, b 5), more than "
       "cluster.agents.private (10); the zones without a count share what is left"},
      {"zone_key_without_zones.yaml",
       "3:20: error: zones.a.latency: this scenario has no zones (give them in 'zones:')"},
      {"zone_master_in_two_zones.yaml",
       "4:17: error: zones.b.masters: master-2 is already in zone a (a host is in one zone)"},
      {"zone_name_uppercase.yaml",
       "3:3: error: zones: 'A' is not a zone name (a lowercase letter or digit, then lowercase "
       "letters, digits, '-' and '_')"},
      {"zone_pair_same_zone.yaml",
       "5:23: error: zones.latency.pairs: a pair joins two different zones, got 'a' twice (the "
       "latency within a zone is zones.a.latency)"},
      {"zone_unknown_in_fault.yaml",
       "6:5: error: fault.groups: no zone 'c' in this scenario (zones: a, b)"},
      {"zone_unknown_in_parameters.yaml",
       "6:28: error: zones.bb.agents.private: unknown zone 'bb' (did you mean 'b'?)"},
      {"zone_unknown_key.yaml",
       "3:28: error: unknown key 'agent' in 'zones.a' (did you mean 'agents'?)"},
      {"zone_unknown_master.yaml",
       "4:27: error: zones.a.masters: no node 'master-4' in this cluster (masters are "
       "master-1..master-3)"},
  };
  return cases;
}

}  // namespace

TEST_CASE("the default scenario loads", "[scenario]") {
  auto r = load_scenario_file(kSourceDir + "/scenarios/default.yaml");
  if (auto* e = std::get_if<InputError>(&r)) FAIL(e->format());
  const Scenario s = std::get<Scenario>(std::move(r));
  CHECK(s.name == "default");
  CHECK(s.profile == "dcos-1.9");
  CHECK(s.seed == 42);
  CHECK(s.masters == 3);
  CHECK(s.private_agents == 10);
  CHECK(s.public_agents == 1);
  CHECK(s.masters_where.line > 0);
  REQUIRE(s.services.size() == 1);
  CHECK(s.services[0].name == "kafka");
  CHECK(s.services[0].instances == 1);
  CHECK(s.faults.empty());
  REQUIRE(s.budgets.size() == 1);
  CHECK(s.budgets[0].milestone == "cluster.ready");
  CHECK(s.budgets[0].within == sim::minutes(10));

  Parameters p;
  REQUIRE_FALSE(apply_settings(s.settings, p).has_value());
  CHECK(p.integer("cluster.masters") == 3);
  CHECK(p.integer("cluster.agents.private") == 10);
  CHECK(p.integer("cluster.agents.public") == 1);
  CHECK_FALSE(check_node_names(s, p).has_value());
}

TEST_CASE("the README's example scenario loads", "[scenario]") {
  const std::string readme = slurp(kSourceDir + "/scenarios/README.md");
  const auto begin = readme.find("```yaml\n");
  REQUIRE(begin != std::string::npos);
  const auto end = readme.find("```", begin + 8);
  REQUIRE(end != std::string::npos);
  const Scenario s = load_ok(readme.substr(begin + 8, end - begin - 8));
  CHECK(s.name == "leader-crash");
  CHECK(s.until == sim::minutes(30));
  REQUIRE(s.links.size() == 1);
  CHECK(s.links[0].a == "master-1");
  CHECK(s.links[0].b == "agent-3");
  CHECK(s.links[0].loss == 0.01);
  REQUIRE(s.links[0].latency.has_value());
  CHECK(s.links[0].latency->is_constant());
  CHECK(s.faults.size() == 2);
  REQUIRE(s.zones.size() == 3);
  CHECK(s.zones[0].name == "a");
  REQUIRE(s.rules.size() == 1);
  CHECK_FALSE(s.rules[0].same_node);
  CHECK(s.rules[0].name == "mesos-master.leading before agent.registered");

  Parameters p;
  REQUIRE_FALSE(apply_settings(s.settings, p).has_value());
  CHECK(p.unit_restart_sec("dcos-mesos-master") == sim::seconds(15));
  CHECK(p.is_overridden("network.latency"));
  CHECK(p.is_overridden("network.loopback_latency"));
  CHECK(p.is_overridden("zookeeper.tickTime"));
}

TEST_CASE("settings keep file order and locations", "[scenario]") {
  const Scenario s = load_ok(R"(name: order
parameters:
  zookeeper.tickTime: 3s
cluster:
  masters: 5
  network: {latency: 1ms}
units:
  dcos-spartan: {restart_sec: 5s}
)");
  REQUIRE(s.settings.size() == 4);
  CHECK(s.settings[0].key == "zookeeper.tickTime");
  CHECK(s.settings[0].value == "3s");
  CHECK(s.settings[0].where == SourceLocation{"test.yaml", 3, 23});
  CHECK(s.settings[1].key == "cluster.masters");
  CHECK(s.settings[2].key == "network.latency");
  CHECK(s.settings[3].key == "units.dcos-spartan.restart_sec");
  CHECK(s.masters == 5);
  CHECK(s.masters_where == SourceLocation{"test.yaml", 5, 12});
  CHECK_FALSE(s.until.has_value());
  CHECK(s.seed == 1);
}

TEST_CASE("omitted counts take the parameter defaults", "[scenario]") {
  const Scenario s = load_ok("name: minimal\n");
  CHECK(s.masters == 3);
  CHECK(s.private_agents == 10);
  CHECK(s.public_agents == 1);
  CHECK(s.settings.empty());
  CHECK(s.profile == "dcos-1.9");
  // Empty lists and maps are fine.
  CHECK(load_ok("name: e\nfaults:\nrules: []\nparameters:\nunits: {}\n").faults.empty());
}

TEST_CASE("command-line --set and --fault are checked like the file", "[scenario]") {
  Scenario s = load_ok(R"(name: links
cluster:
  agents: {private: 10}
  network:
    links:
      - {between: [master-1, agent-10]}
)");
  Parameters p;
  REQUIRE_FALSE(apply_settings(s.settings, p).has_value());
  // --set cluster.agents.private=5 leaves the link pointing at a node that no longer exists.
  const std::vector<Setting> cli{{"cluster.agents.private", "5", SourceLocation{}}};
  REQUIRE_FALSE(apply_settings(cli, p).has_value());
  auto e = check_node_names(s, p);
  REQUIRE(e.has_value());
  CHECK(e->format() ==
        "test.yaml:6:9: error: link: no node 'agent-10' in this cluster (private agents are "
        "agent-1..agent-5)");

  // A bad --set reports on the command line.
  const std::vector<Setting> bad{{"zookeeper.tickTme", "2s", SourceLocation{}}};
  auto set_error = apply_settings(bad, p);
  REQUIRE(set_error.has_value());
  CHECK(set_error->format() ==
        "command line: error: unknown parameter 'zookeeper.tickTme' (did you mean "
        "'zookeeper.tickTime'?)");

  // A --fault line naming a node beyond the counts.
  Parameters fresh;
  REQUIRE_FALSE(apply_settings(s.settings, fresh).has_value());
  auto fault = parse_fault_line("kind=crash target=public-agent-2 at=30s", SourceLocation{});
  s.faults.push_back(std::get<bootsim::models::FaultSpec>(fault));
  e = check_node_names(s, fresh);
  REQUIRE(e.has_value());
  CHECK(e->format() ==
        "command line: error: fault.target: no node 'public-agent-2' in this cluster (public "
        "agents are public-agent-1 only)");
}

TEST_CASE("node names in faults are checked against the cluster", "[scenario]") {
  CHECK(load_error("name: f\ncluster: {agents: {public: 0}}\nfaults:\n"
                   "  - {kind: crash, target: public-agent-1, at: 1s}\n") ==
        "test.yaml:4:27: error: fault.target: no node 'public-agent-1' in this cluster (there "
        "are no public agents)");
  CHECK(
      load_error("name: f\nfaults:\n  - {kind: partition, groups: master-1|master-9, at: 1s}\n") ==
      "test.yaml:3:31: error: fault.groups: no node 'master-9' in this cluster (masters are "
      "master-1..master-3)");
  CHECK(load_error("name: f\nfaults:\n  - {kind: crash, target: master-1, at: "
                   "zookeeper.serving@agent-1+1s}\n") ==
        "test.yaml:3:41: error: fault.at: agent-1 never reaches 'zookeeper.serving' (a milestone "
        "of masters)");
  CHECK(load_error("name: f\nfaults:\n  - {kind: crash, target: master-1, at: "
                   "scheduler.registered@kafka}\n") ==
        "test.yaml:3:41: error: fault.at: no service 'kafka' (services: marathon)");
  // A service's milestone on that service, and roles, are fine.
  const Scenario s = load_ok(
      "name: f\nservices: [{name: kafka, start: 20s}]\nfaults:\n"
      "  - {kind: crash, target: mesos-leader, at: scheduler.registered@kafka+1s}\n"
      "  - {kind: crash, target: any-agent/dcos-mesos-slave, at: agent.registered@agent-2}\n"
      "  - {kind: partition, groups: [[zookeeper-leader], [rest]], at: 1s}\n");
  CHECK(s.faults.size() == 3);
}

namespace {
// (yaml, the error it gives)
constexpr std::pair<const char*, const char*> kMoreLoaderErrors[] = {
    {"name: x\nseed: -1\n",
     "test.yaml:2:7: error: seed: expected a non-negative integer, got '-1'"},
    {"name: x\nseed: 18446744073709551616\n",
     "test.yaml:2:7: error: seed: '18446744073709551616' is out of range (at most "
     "18446744073709551615)"},
    {"name: x\nuntil: 0s\n", "test.yaml:2:8: error: until must be positive, got '0s'"},
    {"name: ''\n", "test.yaml:1:7: error: name must not be empty"},
    {"name: [a]\n", "test.yaml:1:7: error: name: expected a string, got a list"},
    {"# comment\n  , models\nname: x\n",
     "test.yaml:2:3: error: a scenario must be a map of keys (name, cluster, ...), got nothing "
     "readable"},
    {"name: x\ncluster: 3\n", "test.yaml:2:10: error: cluster: expected a map, got '3'"},
    {"name: x\ncluster:\n  masters: {n: 3}\n",
     "test.yaml:3:12: error: cluster.masters: expected an integer, got a map"},
    {"name: x\n? [a, b]\n: c\n",
     "test.yaml:2:3: error: expected a key name at the top level, got a list"},
    {"name: x\n---\nname: y\n",
     "test.yaml:2:1: error: a scenario file holds one YAML document, found a second one"},
    {"name: x\ncluster: {network: {links: [{between: [master-1]}]}}\n",
     "test.yaml:2:39: error: link.between: expected a list of two node names, got 1 items"},
    {"name: x\ncluster: {network: {links: [{between: [master-1, master-1]}]}}\n",
     "test.yaml:2:50: error: link.between: a link joins two different nodes, got 'master-1' "
     "twice"},
    {"name: x\ncluster: {network: {links: [{between: [master-1, node-2]}]}}\n",
     "test.yaml:2:50: error: link: 'node-2' is not a node name (expected master-N, agent-N or "
     "public-agent-N)"},
    {"name: x\ncluster: {network: {links: [{latency: 1ms}]}}\n",
     "test.yaml:2:29: error: link: missing 'between' (e.g. between: [master-1, agent-3])"},
    {"name: x\ncluster:\n  network:\n    links:\n      - {between: [master-1, agent-1]}\n"
     "      - {between: [agent-1, master-1]}\n",
     "test.yaml:6:9: error: link: a second link between agent-1 and master-1 (first at line 5)"},
    {"name: x\nservices:\n  - {name: kafka}\n",
     "test.yaml:3:5: error: service: missing 'start' (a distribution, e.g. "
     "lognormal(median=20s, p99=60s))"},
    {"name: x\nservices:\n  - {name: Kafka_1, start: 1s}\n",
     "test.yaml:3:12: error: service.name: 'Kafka_1' is not a valid service name (lowercase "
     "letters, digits and '-', as Marathon app ids)"},
    {"name: x\nservices:\n  - {name: agent-1, start: 1s}\n",
     "test.yaml:3:12: error: service.name: 'agent-1' is also a node or role name"},
    {"name: x\nservices:\n  - {name: kafka, start: 1s, instances: 0}\n",
     "test.yaml:3:41: error: service.instances must be between 1 and 10000, got '0'"},
    {"name: x\nservices:\n  - {name: kafka, start: 1s}\n  - {name: kafka, start: 2s}\n",
     "test.yaml:4:12: error: service.name: a second service 'kafka' (first at line 3)"},
    {"name: x\nservices: {kafka: 1}\n",
     "test.yaml:2:11: error: services: expected a list, got a map"},
    {"name: x\nfaults:\n  - [kind, crash]\n",
     "test.yaml:3:5: error: fault: expected a map or a key=value line, got a list"},
    {"name: x\nfaults:\n  - {kind: crash, at: 1s}\n",
     "test.yaml:3:5: error: fault: missing 'target' (a crash needs a node, node/unit or role)"},
    {"name: x\nrules:\n  - {before: zookeeper.quorum, after: mesos-master.started}\n",
     "test.yaml:3:5: error: rule: 'zookeeper.quorum' is a cluster milestone, so the rule needs "
     "scope: cluster"},
    {"name: x\nrules:\n  - {before: agent.started, after: agent.registered, scope: host}\n",
     "test.yaml:3:61: error: rule.scope: unknown scope 'host' (expected node or cluster)"},
    {"name: x\nrules:\n  - {before: agent.started, after: agent.started}\n",
     "test.yaml:3:5: error: rule: 'before' and 'after' are the same milestone"},
    {"name: x\nrules:\n  - {after: agent.started}\n",
     "test.yaml:3:5: error: rule: missing 'before'"},
    {"name: x\nbudgets:\n  - {milestone: cluster.ready}\n",
     "test.yaml:3:5: error: budget: missing 'within' (e.g. within: 300s)"},
    {"name: x\nbudgets:\n  - {milestone: cluster.ready, within: 5m, witin: 1s}\n",
     "test.yaml:3:44: error: unknown key 'witin' in 'budget' (did you mean 'within'?)"},
    {"name: x\nunits:\n  dcos-spartan: {strat: 1s}\n",
     "test.yaml:3:18: error: unknown key 'strat' in 'units.dcos-spartan' (did you mean "
     "'start'?)"},
    {"name: x\nunits:\n  'bad unit': {start: 1s}\n",
     "test.yaml:3:3: error: units: 'bad unit' is not a plausible unit name"},
    {"name: x\nparameters:\n  zookeeper.tickTime: [2s]\n",
     "test.yaml:3:23: error: zookeeper.tickTime: expected a duration, got a list"},
    {"name: x\nparameters:\n  zookeeper.tickTime:\n",
     "test.yaml:3:3: error: zookeeper.tickTime: expected a duration, got nothing"},
    {"name: x\ncluster:\n  network: {loss: 2}\n",
     "test.yaml:3:19: error: network.loss must be between 0 and 1, got '2'"},
    {"name: \"\\xff\\x01\"\nprofile: \"\\x80\"\n",
     "test.yaml:2:10: error: unknown profile '\\xc2\\x80' (expected dcos-1.9, dcos-2.3 or a "
     "profile file ending in .yaml)"},
};
}  // namespace

TEST_CASE("more loader errors", "[scenario]") {
  for (const auto& [yaml, message] : kMoreLoaderErrors) {
    INFO(yaml);
    CHECK(load_error(yaml) == message);
  }
}

TEST_CASE("each bad scenario gives its exact error", "[scenario]") {
  // Every file has an expectation, and every expectation a file.
  std::vector<std::string> files;
  for (const auto& entry : std::filesystem::directory_iterator(kBadDir)) {
    if (entry.path().extension() == ".yaml") files.push_back(entry.path().filename().string());
  }
  std::sort(files.begin(), files.end());
  std::vector<std::string> expected;
  for (const auto& [file, message] : bad_cases()) expected.push_back(file);
  CHECK(files == expected);

  for (const auto& [file, message] : bad_cases()) {
    DYNAMIC_SECTION(file) {
      const std::string path = kBadDir + file;
      CHECK(first_error(load_scenario_file(path)) == path + ":" + message);
    }
  }
}

TEST_CASE("a missing file is an input error", "[scenario]") {
  auto r = load_scenario_file(kBadDir + "no-such-file.yaml");
  REQUIRE(std::holds_alternative<InputError>(r));
  CHECK(std::get<InputError>(r).format() ==
        kBadDir + "no-such-file.yaml: error: cannot open scenario file");
}

TEST_CASE("odd inputs never crash the loader", "[scenario][fuzz]") {
  const std::string odd[] = {
      "",
      "\n\n\n",
      "# only a comment\n",
      "~\n",
      "42\n",
      "'just a string'\n",
      "[1, 2, 3]\n",
      "name: x\nname: y\n",
      "name: &a x\ndescription: *a\n",
      "name: x\ncluster: &c {masters: 3}\nparameters: *c\n",
      "name: x\n<<: {seed: 1}\n",
      std::string(5000, '[') + std::string(5000, ']'),
      std::string(5000, '{'),
      "name: x\nseed: 1e10\n",
      "name: x\ncluster: {masters: 3.0}\n",
      "name: x\ncluster: {masters: 0x3}\n",
      "name: x\ncluster: {agents: {private: 1000000000000000000000000000000}}\n",
      "name: x\nuntil: 99999999999999999999h\n",
      "name: \xff\xfe\x00\x01\n",
      std::string("name: x\0y\n", 10),
      "\xef\xbb\xbfname: bom\n",
      "name: x\nfaults: [\"\"]\n",
      "name: x\nfaults: [{}]\n",
      "name: x\nfaults: [{groups: [[[a]]]}]\n",
      "name: x\nfaults: [{kind: partition, groups: [], at: 1s}]\n",
      "name: x\nrules: [{}]\nbudgets: [{}]\nservices: [{}]\n",
      "name: x\nunits: {a: ~}\n",
      "name: x\ncluster: {network: {links: [~]}}\n",
      "name: x\n? ~\n: ~\n",
      "name: !!binary aGVsbG8=\n",
      "name: x\ncluster: {masters: !!int 3}\n",
      "%YAML 1.2\n---\nname: x\n",
      "name: x\n...\n---\n",
      "\t\tname: x\n",
      // yaml-cpp 0.7's LoadAll loops forever, allocating, on these (jbeder/yaml-cpp#1040).
      ",",
      ", a\n",
      "# comment\n, models\nname: x\n",
      "name: x\n...\n,\n",
      "- !+(.,.)",
      "[:",
      "{:",
  };
  for (const std::string& text : odd) {
    INFO(text.substr(0, 80));
    auto r = load_scenario_text(text, "odd.yaml");
    if (auto* e = std::get_if<InputError>(&r)) {
      CHECK(e->where.line > 0);
      CHECK(e->where.column > 0);
      CHECK_FALSE(e->message.empty());
    }
  }
}

TEST_CASE("truncated and mutated default scenarios never crash the loader", "[scenario][fuzz]") {
  const std::string base = slurp(kSourceDir + "/scenarios/default.yaml") +
                           "faults:\n"
                           "  - {kind: crash, target: zookeeper-leader, at: zookeeper.quorum+4s, "
                           "restart_after: 30s}\n"
                           "  - \"kind=partition groups=mesos-leader|rest at=1m heal_after=60s\"\n"
                           "rules:\n"
                           "  - {before: mesos-master.leading, after: agent.registered, scope: "
                           "cluster}\n";
  REQUIRE(std::holds_alternative<Scenario>(load_scenario_text(base, "base.yaml")));

  std::size_t loaded = 0, rejected = 0;
  const auto check = [&](const std::string& text) {
    auto r = load_scenario_text(text, "fuzz.yaml");
    if (auto* e = std::get_if<InputError>(&r)) {
      ++rejected;
      if (e->where.line <= 0 || e->where.column <= 0) FAIL(e->format() << "\n---\n" << text);
      if (e->where.file != "fuzz.yaml") FAIL(e->format());
    } else {
      ++loaded;
    }
  };
  // Every prefix.
  for (std::size_t n = 0; n <= base.size(); ++n) check(base.substr(0, n));
  // Every byte replaced by characters that matter to YAML or to our parsers, deterministically.
  const char replacements[] = {' ', ':', '-',  '[',  '{', '"', '\'', '|', '#',    '0',
                               '9', 'x', '\n', '\t', '@', '+', '=',  ',', '\x00', '\xff'};
  for (std::size_t i = 0; i < base.size(); ++i) {
    for (const char c : replacements) {
      if (base[i] == c) continue;
      std::string mutated = base;
      mutated[i] = c;
      check(mutated);
    }
  }
  // Lines dropped or duplicated.
  std::vector<std::string> lines;
  std::istringstream in(base);
  for (std::string line; std::getline(in, line);) lines.push_back(line + "\n");
  for (std::size_t i = 0; i < lines.size(); ++i) {
    std::string dropped, doubled;
    for (std::size_t j = 0; j < lines.size(); ++j) {
      if (j != i) dropped += lines[j];
      doubled += lines[j];
      if (j == i) doubled += lines[j];
    }
    check(dropped);
    check(doubled);
  }
  CHECK(loaded > 0);
  CHECK(rejected > 0);
}

TEST_CASE("milestone vocabulary", "[scenario]") {
  using bootsim::models::is_milestone;
  using bootsim::models::milestone_names;
  CHECK(milestone_names().size() == 34);
  CHECK(is_milestone("cluster.ready"));
  CHECK(is_milestone("scheduler.first_task_running"));
  CHECK_FALSE(is_milestone("cluster.redy"));
  CHECK(bootsim::models::is_cluster_milestone("zookeeper.quorum"));
  CHECK_FALSE(bootsim::models::is_cluster_milestone("zookeeper.serving"));
}
