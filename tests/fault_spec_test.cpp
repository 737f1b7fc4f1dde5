#include "models/scenario/fault_spec.hpp"

#include <string>
#include <variant>

#include <catch2/catch.hpp>

#include "models/scenario/scenario.hpp"

using bootsim::models::FaultKind;
using bootsim::models::FaultSpec;
using bootsim::models::InputError;
using bootsim::models::parse_fault_line;
using bootsim::models::parse_node_name;
using bootsim::models::parse_time_ref;
using bootsim::models::Scenario;
using bootsim::models::SourceLocation;
using bootsim::models::TimeRef;
namespace sim = bootsim::sim;

namespace {

const SourceLocation kCommandLine{};

FaultSpec parse_ok(std::string_view line) {
  auto r = parse_fault_line(line, kCommandLine);
  if (auto* e = std::get_if<InputError>(&r)) FAIL(e->format());
  return std::get<FaultSpec>(std::move(r));
}

std::string parse_error(std::string_view line) {
  auto r = parse_fault_line(line, kCommandLine);
  if (std::holds_alternative<FaultSpec>(r)) FAIL("accepted: " << line);
  return std::get<InputError>(r).format();
}

std::string time_error(std::string_view text) {
  auto r = parse_time_ref(text);
  if (std::holds_alternative<TimeRef>(r)) FAIL("accepted: " << text);
  return std::get<std::string>(r);
}

}  // namespace

TEST_CASE("time references", "[fault]") {
  auto abs = std::get<TimeRef>(parse_time_ref("1m30s"));
  CHECK(abs.absolute == sim::seconds(90));
  CHECK(abs.to_string() == "1m30s");

  auto rel = std::get<TimeRef>(parse_time_ref("zookeeper.quorum+4s"));
  CHECK_FALSE(rel.absolute.has_value());
  CHECK(rel.milestone == "zookeeper.quorum");
  CHECK(rel.node.empty());
  CHECK(rel.offset == sim::seconds(4));
  CHECK(rel.to_string() == "zookeeper.quorum+4s");

  auto at_node = std::get<TimeRef>(parse_time_ref("agent.registered@agent-3 + 1s"));
  CHECK(at_node.milestone == "agent.registered");
  CHECK(at_node.node == "agent-3");
  CHECK(at_node.offset == sim::seconds(1));
  CHECK(at_node.to_string() == "agent.registered@agent-3+1s");

  auto bare = std::get<TimeRef>(parse_time_ref("mesos-master.elected"));
  CHECK(bare.offset == sim::SimTime::zero());
  CHECK(bare.to_string() == "mesos-master.elected");

  // A node whose name ends like a negative offset keeps "+0s", or its text would not read back
  // (found by the fault fuzzer).
  auto odd_node = std::get<TimeRef>(parse_time_ref("agent.registered@web-1h+0s"));
  CHECK(odd_node.node == "web-1h");
  CHECK(odd_node.to_string() == "agent.registered@web-1h+0s");
  CHECK(std::get<TimeRef>(parse_time_ref(odd_node.to_string())).node == "web-1h");

  CHECK(time_error("") == "missing time (expected e.g. 30s or zookeeper.quorum+4s)");
  CHECK(time_error("30") ==
        "malformed time '30' (expected a duration such as 30s, or milestone[@node][+offset] "
        "such as zookeeper.quorum+4s)");
  CHECK(time_error("zookeeper.quorom+4s") ==
        "unknown milestone 'zookeeper.quorom' (did you mean 'zookeeper.quorum'?)");
  CHECK(time_error("zookeeper.quorum@master-1+4s") ==
        "'zookeeper.quorum' is a cluster milestone; it takes no @node");
  CHECK(time_error("mesos-master.elected-5s") ==
        "negative offsets are not supported: 'mesos-master.elected-5s' (a fault can only follow "
        "a milestone; use an earlier one)");
  CHECK(time_error("agent.registered@agent-3-1s") ==
        "negative offsets are not supported: 'agent.registered@agent-3-1s' (a fault can only "
        "follow a milestone; use an earlier one)");
  CHECK(time_error("agent.registered@") == "missing node after '@' in 'agent.registered@'");
  CHECK(time_error("agent.registered@Agent_3") ==
        "malformed node 'Agent_3' in 'agent.registered@Agent_3' (expected e.g. master-1 or a "
        "service name)");
  CHECK(time_error("zookeeper.quorum+") == "missing offset after '+' in 'zookeeper.quorum+'");
  CHECK(time_error("zookeeper.quorum+soon") ==
        "malformed offset 'soon' in 'zookeeper.quorum+soon' (expected e.g. 250ms, 2s, 1m30s)");
}

TEST_CASE("node names", "[fault]") {
  CHECK(parse_node_name("master-1")->index == 1);
  CHECK(parse_node_name("agent-17")->kind == bootsim::models::NodeKind::kPrivateAgent);
  CHECK(parse_node_name("public-agent-2")->kind == bootsim::models::NodeKind::kPublicAgent);
  for (const char* bad : {"master-0", "master-01", "master-", "master-x", "agent", "node-1",
                          "public-agent-", "agent-1234567890", "Master-1"}) {
    INFO(bad);
    CHECK_FALSE(parse_node_name(bad).has_value());
  }
}

TEST_CASE("valid fault lines", "[fault]") {
  SECTION("crash a role with restart") {
    const FaultSpec f =
        parse_ok("kind=crash target=zookeeper-leader at=zookeeper.quorum+4s restart_after=30s");
    CHECK(f.kind == FaultKind::kCrash);
    CHECK(f.target == "zookeeper-leader");
    CHECK(f.at.milestone == "zookeeper.quorum");
    CHECK(f.at.offset == sim::seconds(4));
    CHECK(f.restart_after == sim::seconds(30));
    CHECK_FALSE(f.heal_after.has_value());
    CHECK(f.text == "kind=crash target=zookeeper-leader at=zookeeper.quorum+4s restart_after=30s");
  }
  SECTION("the canonical text reads back to the same fault") {
    // The fault fuzzer's finding: "+0s" after a node ending in "-1s" was dropped from the text.
    const FaultSpec f = parse_ok("kind=crash target=master-1 at=agent.registered@agent-3-1s+0s");
    CHECK(f.text == "kind=crash target=master-1 at=agent.registered@agent-3-1s+0s");
    CHECK(parse_ok(f.text) == f);
  }
  SECTION("crash a process, fields in any order, extra spaces") {
    const FaultSpec f = parse_ok("  at=90s   target=master-2/mesos-dns\tkind=crash ");
    CHECK(f.target == "master-2/mesos-dns");
    CHECK(f.at.absolute == sim::seconds(90));
    CHECK_FALSE(f.restart_after.has_value());
    CHECK(f.text == "kind=crash target=master-2/mesos-dns at=1m30s");
  }
  SECTION("pause a role's unit") {
    const FaultSpec f = parse_ok(
        "kind=pause target=mesos-leader/mesos-master at=mesos-master.elected+5s "
        "resume_after=20s");
    CHECK(f.kind == FaultKind::kPause);
    CHECK(f.resume_after == sim::seconds(20));
  }
  SECTION("partition") {
    const FaultSpec f =
        parse_ok("kind=partition groups=mesos-leader|rest at=agent.registered+1s heal_after=60s");
    CHECK(f.kind == FaultKind::kPartition);
    CHECK(f.target.empty());
    CHECK(f.groups == std::vector<std::vector<std::string>>{{"mesos-leader"}, {"rest"}});
    CHECK(f.heal_after == sim::seconds(60));
    CHECK(f.text == "kind=partition groups=mesos-leader|rest at=agent.registered+1s heal_after=1m");
  }
  SECTION("partition with several members") {
    const FaultSpec f =
        parse_ok("kind=partition groups=master-1,agent-1|master-2|public-agent-1,rest at=10s");
    CHECK(f.groups == std::vector<std::vector<std::string>>{
                          {"master-1", "agent-1"}, {"master-2"}, {"public-agent-1", "rest"}});
  }
  SECTION("the canonical text reads back to the same fault") {
    for (const char* line :
         {"kind=crash target=any-agent at=agent.registered@agent-3+1.5s restart_after=0s",
          "kind=pause target=master-1/zookeeper at=0s",
          "kind=partition groups=master-1|master-2|master-3 at=zookeeper.quorum"}) {
      INFO(line);
      const FaultSpec f = parse_ok(line);
      CHECK(parse_ok(f.text) == f);
    }
  }
}

TEST_CASE("invalid fault lines", "[fault]") {
  const std::pair<const char*, const char*> cases[] = {
      {"", "fault: empty (expected e.g. kind=crash target=master-1 at=30s)"},
      {"kind=crash target=master-1 at=30s restart",
       "fault: malformed word 'restart' (expected key=value)"},
      {"kind=crash =master-1 at=30s", "fault: malformed word '=master-1' (expected key=value)"},
      {"kind=explode target=master-1 at=30s",
       "fault.kind: unknown kind 'explode' (expected crash, pause, partition, heal, "
       "one-way-partition, link, crash-loop, slow-disk, clock, dns-outage or zk-session-expiry)"},
      {"kind=crsh target=master-1 at=30s",
       "fault.kind: unknown kind 'crsh' (did you mean 'crash'?)"},
      {"target=master-1 at=30s",
       "fault: missing 'kind' (crash, pause, partition, heal, one-way-partition, link, crash-loop, "
       "slow-disk, clock, dns-outage or zk-session-expiry)"},
      {"kind=crash at=30s", "fault: missing 'target' (a crash needs a node, node/unit or role)"},
      {"kind=crash target=master-1", "fault: missing 'at' (e.g. at=30s or at=zookeeper.quorum+4s)"},
      {"kind=crash target=master-1 at=30s restart=10s",
       "fault: unknown key 'restart' (did you mean 'restart_after'?)"},
      {"kind=crash target=master-1 at=30s at=40s", "fault: duplicate key 'at'"},
      {"kind=crash target=master-1 at=30s restart_after=10",
       "fault.restart_after: malformed duration '10' (expected e.g. 250ms, 2s, 1m30s)"},
      {"kind=crash target=master-1 at=30s restart_after=-1s",
       "fault.restart_after must not be negative, got '-1s'"},
      {"kind=crash target=master-1 at=30s heal_after=10s",
       "fault.heal_after applies only to kind=partition, one-way-partition or link, not "
       "kind=crash"},
      {"kind=pause target=master-1/zookeeper at=30s restart_after=1s",
       "fault.restart_after applies only to kind=crash, not kind=pause"},
      {"kind=crash target=master-1 at=zookeeper.quorm",
       "fault.at: unknown milestone 'zookeeper.quorm' (did you mean 'zookeeper.quorum'?)"},
      {"kind=crash target=zookeeper-leder at=30s",
       "fault.target: 'zookeeper-leder' is not a node or role (did you mean 'zookeeper-leader'?)"},
      {"kind=crash target=node-7 at=30s",
       "fault.target: 'node-7' is not a node or role (expected master-N, agent-N, "
       "public-agent-N, zookeeper-leader, mesos-leader, any-master, any-agent, all-masters, "
       "all-agents, a range such as masters[1..2] or a zone such as zone:b)"},
      {"kind=crash target=rest at=30s",
       "fault.target: 'rest' is only meaningful in partition groups"},
      {"kind=crash target=master-1/ at=30s", "fault.target: missing unit after '/' in 'master-1/'"},
      {"kind=crash target=master-1/mesos/dns at=30s",
       "fault.target: 'mesos/dns' is not a plausible unit name"},
      {"kind=pause target=master-2 at=30s",
       "fault.target: a pause stops a process, so give node/unit (e.g. master-2/mesos-dns), got "
       "'master-2'"},
      {"kind=partition target=master-1 at=30s",
       "fault.target: a partition takes groups (e.g. groups=mesos-leader|rest), not a target"},
      {"kind=partition groups=master-1,master-2 at=30s",
       "fault.groups: a partition needs at least 2 groups separated by '|', got "
       "'master-1,master-2'"},
      {"kind=partition groups=master-1||rest at=30s",
       "fault.groups: empty group in 'master-1||rest'"},
      {"kind=partition groups=master-1,|rest at=30s",
       "fault.groups: empty member in 'master-1,|rest'"},
      {"kind=partition groups=master-1|master-1 at=30s",
       "fault.groups: 'master-1' appears more than once"},
      {"kind=partition groups=rest|rest at=30s", "fault.groups: 'rest' appears more than once"},
      {"kind=partition groups=master-1/zookeeper|rest at=30s",
       "fault.groups: a partition separates hosts, but 'master-1/zookeeper' names a process"},
      {"kind=partition groups=master-1|rst at=30s",
       "fault.groups: 'rst' is not a node or role (did you mean 'rest'?)"},
      {"kind=partition at=30s", "fault: missing 'groups' (e.g. groups=mesos-leader|rest)"},
  };
  for (const auto& [line, message] : cases) {
    INFO(line);
    CHECK(parse_error(line) == std::string("command line: error: ") + message);
  }
}

TEST_CASE("fault errors carry the given location", "[fault]") {
  auto r = parse_fault_line("kind=boom", SourceLocation{"s.yaml", 7, 5});
  REQUIRE(std::holds_alternative<InputError>(r));
  CHECK(std::get<InputError>(r).format() ==
        "s.yaml:7:5: error: fault.kind: unknown kind 'boom' (expected crash, pause, partition, "
        "heal, one-way-partition, link, crash-loop, slow-disk, clock, dns-outage or "
        "zk-session-expiry)");
}

TEST_CASE("the YAML map form and the line form give the same fault", "[fault]") {
  const char* yaml = R"(name: forms
faults:
  - {kind: crash, target: zookeeper-leader, at: zookeeper.quorum+4s, restart_after: 30s}
  - "kind=crash target=zookeeper-leader at=zookeeper.quorum+4s restart_after=30s"
  - kind: partition
    groups: [[master-1, agent-1], [rest]]
    at: agent.registered + 1s
    heal_after: 60s
  - {kind: partition, groups: "master-1,agent-1|rest", at: agent.registered+1s, heal_after: 1m}
  - kind=partition groups=master-1,agent-1|rest at=agent.registered+1s heal_after=60s
  - {kind: partition, groups: ["master-1,agent-1", rest], at: agent.registered+1s, heal_after: 60s}
  - {kind: pause, target: master-2/mesos-dns, at: 1m, resume_after: 10s}
  - kind=pause target=master-2/mesos-dns at=60s resume_after=10s
)";
  auto r = bootsim::models::load_scenario_text(yaml, "forms.yaml");
  if (auto* e = std::get_if<InputError>(&r)) FAIL(e->format());
  const Scenario s = std::get<Scenario>(std::move(r));
  REQUIRE(s.faults.size() == 8);
  const auto same_but_where = [](FaultSpec a, FaultSpec b) {
    a.where = b.where = SourceLocation{};
    return a == b;
  };
  CHECK(same_but_where(s.faults[0], s.faults[1]));
  CHECK(same_but_where(s.faults[2], s.faults[3]));
  CHECK(same_but_where(s.faults[2], s.faults[4]));
  CHECK(same_but_where(s.faults[2], s.faults[5]));
  CHECK(same_but_where(s.faults[6], s.faults[7]));
  // ... and the same as --fault gives.
  CHECK(same_but_where(
      s.faults[0],
      parse_ok("kind=crash target=zookeeper-leader at=zookeeper.quorum+4s restart_after=30s")));
  CHECK(s.faults[0].where == SourceLocation{"forms.yaml", 3, 5});
  CHECK(s.faults[1].where == SourceLocation{"forms.yaml", 4, 5});
  CHECK(s.faults[2].where == SourceLocation{"forms.yaml", 5, 5});
}
