// Zones (scenarios/README.md, Zones): where the loader and --set put each host, the latencies
// between zones, and one zone as a fault target and partition side.
#include <catch2/catch.hpp>

#include <algorithm>
#include <fstream>
#include <iterator>
#include <sstream>
#include <string>
#include <variant>
#include <vector>

#include "models/run/cluster.hpp"
#include "models/scenario/scenario.hpp"
#include "models/scenario/zones.hpp"
#include "tests/bootsim_process.hpp"
#include "tests/printers.hpp"
#include "tests/run_helpers.hpp"

using namespace bootsim;
using namespace bootsim::models;
using bootsim::testing::events;

using bootsim::testing::load_text;

namespace {

Scenario load_file(const std::string& relative) {
  auto loaded = load_scenario_file(std::string(BOOTSIM_SOURCE_DIR) + "/" + relative);
  if (auto* e = std::get_if<InputError>(&loaded)) FAIL(e->format());
  return std::get<Scenario>(std::move(loaded));
}

RunOptions with_sets(const std::vector<std::pair<std::string, std::string>>& sets) {
  RunOptions o;
  for (const auto& [k, v] : sets) o.settings.push_back(Setting{k, v, {}});
  return o;
}

PreparedRun prepared(const Scenario& s, const RunOptions& o = {}) {
  auto p = prepare_run(s, o);
  if (auto* e = std::get_if<InputError>(&p)) FAIL(e->format());
  return std::get<PreparedRun>(std::move(p));
}

std::string prepare_error(const Scenario& s, const RunOptions& o) {
  auto p = prepare_run(s, o);
  if (auto* e = std::get_if<InputError>(&p)) return e->format();
  return "(accepted)";
}

std::string latency_text(const ZoneLayout& z, std::size_t i, std::size_t j) {
  const auto& d = z.between(i, j);
  return d ? d->to_string() : "network.latency";
}

using Zones = std::vector<std::uint32_t>;

}  // namespace

TEST_CASE("zones: multi-zone.yaml puts one master in each zone and the agents zone by zone",
          "[zones]") {
  const Scenario s = load_file("scenarios/multi-zone.yaml");
  REQUIRE(s.zones.size() == 3);
  CHECK(s.private_agents == 10);  // the zones' 4 + 3 + 3
  CHECK(s.public_agents == 3);
  const PreparedRun p = prepared(s);
  CHECK(p.zones.names == std::vector<std::string>{"a", "b", "c"});
  CHECK(p.zones.masters == Zones{0, 1, 2});
  CHECK(p.zones.private_agents == Zones{0, 0, 0, 0, 1, 1, 1, 2, 2, 2});
  CHECK(p.zones.public_agents == Zones{0, 1, 2});
  CHECK(p.params.integer("cluster.agents.private") == 10);
  CHECK(p.params.integer("cluster.agents.public") == 3);
  CHECK(latency_text(p.zones, 1, 1) == "uniform(50us, 250us)");
  CHECK(latency_text(p.zones, 0, 1) == "uniform(500us, 1ms)");
  CHECK(latency_text(p.zones, 1, 2) == "uniform(500us, 1ms)");
  CHECK(latency_text(p.zones, 0, 2) == "uniform(750us, 1.25ms)");
  CHECK(latency_text(p.zones, 2, 0) == "uniform(750us, 1.25ms)");
}

TEST_CASE("zones: zones without a count share the total, unlisted masters are dealt in turn",
          "[zones]") {
  const Scenario s = load_text(R"(name: spread
cluster: {masters: 3, agents: {private: 10, public: 1}}
zones:
  a: {masters: [master-2]}
  b: {latency: 1ms}
  c: {agents: {private: 1}}
)");
  const PreparedRun p = prepared(s);
  CHECK(p.zones.masters == Zones{0, 0, 1});  // master-1 and master-3 dealt to a, then b
  // c has 1; a and b share the other 9, the first one more.
  CHECK(p.zones.private_agents == Zones{0, 0, 0, 0, 0, 1, 1, 1, 1, 2});
  CHECK(p.zones.public_agents == Zones{0});
  CHECK(latency_text(p.zones, 1, 1) == "1ms");
  CHECK(latency_text(p.zones, 0, 0) == "network.latency");  // nothing set: the default
  CHECK(latency_text(p.zones, 0, 1) == "network.latency");
  // Five masters: the two new ones dealt to the zones in turn too.
  const PreparedRun five = prepared(s, with_sets({{"cluster.masters", "5"}}));
  CHECK(five.zones.masters == Zones{0, 0, 1, 2, 0});
  // A larger total is shared again.
  const PreparedRun more = prepared(s, with_sets({{"cluster.agents.private", "5"}}));
  CHECK(more.zones.private_agents == Zones{0, 0, 1, 1, 2});
}

TEST_CASE("zones: --set reaches zone counts and latencies, totals must add up", "[zones]") {
  const Scenario s = load_file("scenarios/multi-zone.yaml");
  const PreparedRun big = prepared(s, with_sets({{"zones.b.agents.private", "50"}}));
  CHECK(big.params.integer("cluster.agents.private") == 57);
  REQUIRE(big.zones.private_agents.size() == 57);
  CHECK(std::count(big.zones.private_agents.begin(), big.zones.private_agents.end(), 1u) == 50);
  CHECK(big.zones.private_agents[4] == 1);  // agent-5 is b's first
  CHECK(big.zones.private_agents[54] == 2);
  // Written either way round, one pair.
  const PreparedRun pair = prepared(s, with_sets({{"zones.latency.c.a", "5ms"}}));
  CHECK(latency_text(pair.zones, 0, 2) == "5ms");
  CHECK(prepare_error(s, with_sets({{"cluster.agents.private", "20"}})) ==
        "command line: error: cluster.agents.private is 20, but the zones' private agents add "
        "up to 10 (a 4, b 3, c 3); give either the total or every zone's count");
  CHECK(prepare_error(s, with_sets({{"zones.d.agents.private", "1"}})) ==
        "command line: error: zones.d.agents.private: unknown zone 'd' (zones: a, b, c)");
  CHECK(
      prepare_error(s, with_sets({{"zones.b.agents.privat", "1"}}))
          .find("command line: error: unknown parameter 'zones.b.agents.privat' (zone keys are ") ==
      0);
  CHECK(prepare_error(s, with_sets({{"zones.b.agents.private", "-1"}})) ==
        "command line: error: zones.b.agents.private must not be negative, got -1");
  CHECK(prepare_error(s, with_sets({{"zones.latency.b.b", "1ms"}})) ==
        "command line: error: zones.latency.b.b: the latency within zone b is zones.b.latency");
  // A master a zone lists must exist.
  CHECK(
      prepare_error(s, with_sets({{"cluster.masters", "1"}}))
          .ends_with(
              "scenarios/multi-zone.yaml:34:17: error: zones.b.masters: no node 'master-2' in this "
              "cluster (masters are master-1 only)"));
}

TEST_CASE("zones: the Zones section's example of scenarios/README.md loads as it says", "[zones]") {
  std::ifstream in(std::string(BOOTSIM_SOURCE_DIR) + "/scenarios/README.md");
  const std::string readme((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
  const auto section = readme.find("\n## Zones\n");
  REQUIRE(section != std::string::npos);
  const auto begin = readme.find("```yaml\n", section);
  const auto end = readme.find("```", begin + 8);
  REQUIRE(end != std::string::npos);
  const Scenario s = load_text("name: zones\n" + readme.substr(begin + 8, end - begin - 8));
  const PreparedRun p = prepared(s);
  CHECK(p.zones.private_agents == Zones{0, 0, 0, 0, 1, 1, 1, 2, 2, 2});
  CHECK(p.zones.public_agents == Zones{0, 1, 2});
  CHECK(latency_text(p.zones, 1, 1) == "100us");  // b's own
  CHECK(latency_text(p.zones, 2, 2) == "uniform(50us, 250us)");
  const PreparedRun five = prepared(s, with_sets({{"cluster.masters", "5"}}));
  CHECK(five.zones.masters == Zones{0, 1, 2, 0, 1});  // master-4 to a, master-5 to b
}

TEST_CASE("zones: more located errors of the zones section", "[zones]") {
  const auto error = [](const std::string& yaml) {
    auto loaded = load_scenario_text("name: z\n" + yaml, "z.yaml");
    if (auto* e = std::get_if<InputError>(&loaded)) return e->format();
    return std::string("(accepted)");
  };
  CHECK(error("zones:\n  a: {masters: master-1}\n") ==
        "z.yaml:3:16: error: zones.a.masters: expected a list of master names (e.g. [master-1]), "
        "got 'master-1'");
  CHECK(error("zones:\n  a: {masters: [agent-1]}\n") ==
        "z.yaml:3:17: error: zones.a.masters: 'agent-1' is not a master (master-N)");
  CHECK(error("zones:\n  latency: {pairs: [{between: [a], latency: 1ms}]}\n  a: {}\n") ==
        "z.yaml:3:31: error: zones.latency.pairs: between: expected a list of two zone names, "
        "got 1 items");
  CHECK(error("zones:\n  latency: {pairs: [{between: [a, b]}]}\n  a: {}\n  b: {}\n") ==
        "z.yaml:3:21: error: zones.latency.pairs: missing 'latency'");
  CHECK(error("zones:\n  a: {}\nparameters: {zones.latency.a.b: 1ms}\n") ==
        "z.yaml:4:33: error: zones.latency.a.b: unknown zone 'b' (zones: a)");
  CHECK(error("zones:\n  a: {agents: {private: 1000000}}\n  b: {agents: {private: 1}}\n") ==
        "z.yaml:3:25: error: the zones' private agents add up to 1000001: cluster.agents.private "
        "must be at most 1000000, got 1000001");
  CHECK(error("zones: {}\n").find("z.yaml:2:8: error: zones: expected a map of zone names") == 0);
  CHECK(error("zones:\n  latency: {within: 1ms}\n") ==
        "z.yaml:3:3: error: zones: no zone given, only their latencies");
  CHECK(error("zones:\n  a: {}\n  b: {}\nfaults: [\"kind=crash target=zone:c at=1s\"]\n") ==
        "z.yaml:5:10: error: fault.target: no zone 'c' in this scenario (zones: a, b)");
}

// The planner's failure case (scenarios/failures/zone-partitioned.yaml): zone c (master-3 and
// its agents) cut off from zones a and b once the cluster is ready, never healed. With its seed
// the ZooKeeper leader (master-2) and the Mesos leader (master-1) are in zones a and b, which
// hold a quorum: nothing is elected again. The leader pings every agent each
// mesos-master.agent_ping_timeout (15 s) and marks it unreachable at the ping that finds
// mesos-master.max_agent_ping_timeouts (DC/OS: 20) in a row unanswered: the first unanswered
// ping goes out within 15 s after the cut, the 21st 300 s after it, so zone c's agents are
// marked 300 to 315 s after the cut; the agents of a and b stay; no safety property is violated.
TEST_CASE("zones: partitioning zone c away keeps a quorum and a leader on the other two",
          "[zones][faults]") {
  const Scenario s = load_file("scenarios/failures/zone-partitioned.yaml");
  auto ran = run_scenario(s);
  if (auto* e = std::get_if<InputError>(&ran)) FAIL(e->format());
  const RunResult& r = std::get<RunResult>(ran);
  REQUIRE(r.ready_at.has_value());
  const auto cut = events(r, "cluster", "fault", "partition");
  REQUIRE(cut.size() == 1);
  CHECK(cut[0]->time == *r.ready_at + sim::seconds(10));
  CHECK(cut[0]->detail().find("(zone:c was master-3,agent-8,agent-9,agent-10,public-agent-3)") !=
        std::string::npos);
  const auto quorum = r.trace.milestones_named("zookeeper.quorum");
  REQUIRE(quorum.size() == 1);
  CHECK(r.trace.at(quorum[0]).detail().find("leader master-2") == 0);
  const auto elected = r.trace.milestones_named("mesos-master.elected");
  REQUIRE(elected.size() == 1);
  CHECK(r.trace.at(elected[0]).detail() == "master-1");
  // Zone c's agents, and only they, are marked unreachable 300 to 315 s after the cut.
  std::vector<std::string> marked;
  for (const auto* rec : events(r, "", "mesos-master", "marking_unreachable")) {
    INFO(rec->node() << " at " << rec->time.ns() << " ns");
    CHECK(rec->time > cut[0]->time + sim::seconds(300));
    CHECK(rec->time <= cut[0]->time + sim::seconds(315));
    marked.emplace_back(rec->node());
  }
  std::sort(marked.begin(), marked.end());
  CHECK(marked == std::vector<std::string>{"agent-10", "agent-8", "agent-9", "public-agent-3"});
  CHECK(r.violations.empty());
  CHECK(r.leader_overlaps.empty());
}

// The same cut of multi-zone.yaml with seed 6, where the Mesos leader is master-3, in zone c:
// the two zones left elect another master (zone c's agents cannot reach it), and the old leader
// steps down, so that there is still at most one leader at a time.
TEST_CASE("zones: cutting off the zone of the Mesos leader elects one on the other side",
          "[zones][faults]") {
  const Scenario s = load_file("scenarios/multi-zone.yaml");
  RunOptions o;
  auto fault = parse_fault_line("kind=partition groups=zone:c|rest at=cluster.ready+10s", {});
  REQUIRE(std::holds_alternative<FaultSpec>(fault));
  o.faults.push_back(std::get<FaultSpec>(fault));
  o.seed = 6;
  o.until = sim::minutes(5);
  auto ran = run_scenario(s, o);
  if (auto* e = std::get_if<InputError>(&ran)) FAIL(e->format());
  const RunResult& r = std::get<RunResult>(ran);
  const auto elected = r.trace.milestones_named("mesos-master.elected");
  REQUIRE(elected.size() == 2);
  CHECK(r.trace.at(elected[0]).detail() == "master-3");
  const std::string next(r.trace.at(elected[1]).detail());
  CHECK((next == "master-1" || next == "master-2"));
  const auto cut = events(r, "cluster", "fault", "partition");
  REQUIRE(cut.size() == 1);
  CHECK(r.trace.at(elected[1]).time > cut[0]->time);
  CHECK(r.violations.empty());
}

// bootsim sweep --vary over one zone's size, as a planner runs it: the grid point of 50 agents
// in zone b is exactly a sweep with --set zones.b.agents.private=50 (the same seeds), differs
// from the point of 10, and --jobs 1 and --jobs 2 give the same bytes.
TEST_CASE("zones: a sweep varies a zone's size, the same with --jobs 1 and 2", "[zones][sweep]") {
  using bootsim::test_support::run_bootsim;
  const std::string sweep = "sweep scenarios/multi-zone.yaml --runs 6 --format csv";
  const auto one = run_bootsim(sweep + " --jobs 1 --vary zones.b.agents.private=10,50");
  const auto two = run_bootsim(sweep + " --jobs 2 --vary zones.b.agents.private=10,50");
  REQUIRE(one.status == 0);
  CHECK(one.err.empty());
  CHECK(one.out == two.out);
  // The CSV's rows of cluster.agents_ready, per point, without the point and key columns.
  const auto agents_ready = [](const std::string& csv, const std::string& prefix) {
    std::istringstream in(csv);
    for (std::string line; std::getline(in, line);) {
      if (line.rfind(prefix, 0) == 0 &&
          line.find(",milestone,cluster.agents_ready,") != std::string::npos) {
        return line.substr(line.find(",milestone,"));
      }
    }
    return std::string("(none)");
  };
  const std::string ten = agents_ready(one.out, "1,\"10\",");
  const std::string fifty = agents_ready(one.out, "2,\"50\",");
  CHECK(ten.find(",milestone,cluster.agents_ready,6,6,") == 0);
  CHECK(fifty.find(",milestone,cluster.agents_ready,6,6,") == 0);
  CHECK(ten != fifty);
  const auto set = run_bootsim(sweep + " --set zones.b.agents.private=50");
  REQUIRE(set.status == 0);
  CHECK(agents_ready(set.out, "1,") == fifty);
  // bootsim params lists the zone keys.
  const auto params = run_bootsim("params");
  CHECK(params.out.find("\nzones.<zone>.agents.private ") != std::string::npos);
  CHECK(params.out.find("\nzones.latency.<zone>.<zone> ") != std::string::npos);
  // A zone the scenario does not have is refused before anything runs.
  const auto bad = run_bootsim(sweep + " --vary zones.d.agents.private=1,2");
  CHECK(bad.status == 2);
  CHECK(bad.out.empty());
  CHECK(bad.err.find("zones.d.agents.private: unknown zone 'd' (zones: a, b, c)") !=
        std::string::npos);
}
