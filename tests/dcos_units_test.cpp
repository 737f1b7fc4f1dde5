// The DC/OS 1.9 units of the built-in profile in whole runs: bootstrap's consensus znodes,
// dcos-signal (Restart=on-failure, its hourly timer) and the agents' zk-N.zk sessions.
#include <fmt/format.h>
#include <catch2/catch.hpp>

#include <set>
#include <string>
#include <string_view>
#include <vector>

#include "models/run/cluster.hpp"
#include "tests/run_helpers.hpp"

using namespace bootsim;
using bootsim::testing::events;
using bootsim::testing::records;
using bootsim::testing::run_text;

namespace {

constexpr const char* kUnitsCluster = R"(
name: units
seed: 7
until: 30m
cluster:
  masters: 3
  agents: {private: 2, public: 1}
)";

std::string text_arg(const models::RunResult& r, const sim::TraceRecord& rec,
                     std::string_view key) {
  const auto v = r.trace.text_arg(rec, key);
  return v ? std::string(*v) : std::string();
}

// The `consensus` events on `znode`: which value each bootstrap read.
std::vector<const sim::TraceRecord*> consensus_on(const models::RunResult& r,
                                                  std::string_view znode) {
  std::vector<const sim::TraceRecord*> out;
  for (const sim::TraceRecord* rec : records(r, "consensus")) {
    if (text_arg(r, *rec, "znode") == znode) out.push_back(rec);
  }
  return out;
}

// The state changes of `unit` on `node`, in time order.
std::vector<const sim::TraceRecord*> states(const models::RunResult& r, std::string_view node,
                                            std::string_view unit) {
  std::vector<const sim::TraceRecord*> out;
  for (const sim::TraceRecord& rec : r.trace.records()) {
    if (rec.type == sim::RecordType::kStateChange && rec.node() == node &&
        rec.component() == unit) {
      out.push_back(&rec);
    }
  }
  return out;
}

}  // namespace

TEST_CASE("1.9: /cluster-id is created once and every bootstrap reads the same value",
          "[dcos-units]") {
  const models::RunResult r = run_text(kUnitsCluster, {});
  INFO(r.ended_by);
  const auto created = records(r, "created /cluster-id");
  REQUIRE(created.size() == 1);  // NodeExistsError for every later proposer
  const std::string creator = fmt::format("{}/{}", created[0]->node(), created[0]->component());
  const auto reads = consensus_on(r, "/cluster-id");
  std::set<std::string> readers;
  for (const sim::TraceRecord* rec : reads) {
    CHECK(text_arg(r, *rec, "value") == "uuid4 of " + creator);
    readers.insert(fmt::format("{}/{}", rec->node(), rec->component()));
  }
  // dcos-metrics-master on each master, dcos-metrics-agent on each agent (read-only).
  for (const std::string_view m : {"master-1", "master-2", "master-3"}) {
    CHECK(readers.count(std::string(m) + "/dcos-metrics-master") == 1);
  }
  for (const std::string_view a : {"agent-1", "agent-2", "public-agent-1"}) {
    CHECK(readers.count(std::string(a) + "/dcos-metrics-agent") == 1);
  }
}

TEST_CASE("1.9: dcos-oauth's bootstraps agree on one /dcos/auth-token-secret", "[dcos-units]") {
  const models::RunResult r = run_text(kUnitsCluster, {});
  const auto created = records(r, "created /dcos/auth-token-secret");
  REQUIRE(created.size() == 1);
  CHECK(created[0]->component() == "dcos-oauth");
  const auto reads = consensus_on(r, "/dcos/auth-token-secret");
  std::set<std::string> nodes;
  for (const sim::TraceRecord* rec : reads) {
    CHECK(rec->component() == "dcos-oauth");
    CHECK(text_arg(r, *rec, "value") == fmt::format("uuid4 of {}/dcos-oauth", created[0]->node()));
    nodes.emplace(rec->node());
  }
  CHECK(nodes == std::set<std::string>{"master-1", "master-2", "master-3"});
}

TEST_CASE(
    "1.9: dcos-signal retries its leader.mesos ping every 20 s, then posts once and stays "
    "inactive",
    "[dcos-units]") {
  const models::RunResult r = run_text(kUnitsCluster, {});
  // At boot leader.mesos does not resolve: the first attempt fails at the ping.
  const auto failed = events(r, "master-1", "dcos-signal", "gate_failed");
  REQUIRE_FALSE(failed.empty());
  CHECK(r.trace.text_arg(*failed[0], "gate") == "ping -c1 leader.mesos");
  // Restart=on-failure, RestartSec=20: each failed attempt is followed by the next 20 s later.
  const auto st = states(r, "master-1", "dcos-signal");
  std::vector<sim::SimTime> auto_restart, start_pre;
  for (const sim::TraceRecord* s : st) {
    if (s->name() == "auto-restart") auto_restart.push_back(s->time);
    if (s->name() == "start-pre") start_pre.push_back(s->time);
  }
  REQUIRE(auto_restart.size() == failed.size());
  REQUIRE(start_pre.size() == failed.size() + 1);
  for (std::size_t i = 0; i < auto_restart.size(); ++i) {
    CHECK(start_pre[i + 1] - auto_restart[i] == sim::seconds(20));
  }
  // The last attempt passes both gates, posts its report and exits 0: inactive for good
  // (the hourly timer is the only thing that starts it again).
  const auto exits = events(r, "master-1", "dcos-signal", "exited");
  REQUIRE(exits.size() == 1);
  CHECK(r.trace.text_arg(*exits[0], "reason") == "status 0: telemetry report posted");
  REQUIRE_FALSE(st.empty());
  CHECK(st.back()->name() == "inactive");
  CHECK(st.back()->time == exits[0]->time);
  // It is wanted on masters only: no agent starts it at boot.
  CHECK(states(r, "agent-1", "dcos-signal").empty());
  // Its bootstrap read the cluster's one /cluster-id.
  bool read = false;
  for (const sim::TraceRecord* rec : consensus_on(r, "/cluster-id")) {
    read = read || (rec->node() == "master-1" && rec->component() == "dcos-signal");
  }
  CHECK(read);
}

TEST_CASE("1.9: dcos-signal's hourly timer starts it on every role, at the top of the hour",
          "[dcos-units]") {
  const std::string yaml = R"(
name: hourly
seed: 3
until: 62m
cluster:
  masters: 1
  agents: {private: 1, public: 0}
faults:
  - "kind=crash target=agent-1 at=61m"
)";
  const models::RunResult r = run_text(yaml, {});
  for (const std::string_view node : {"master-1", "agent-1"}) {
    INFO(node);
    const auto timer = events(r, node, "dcos-signal", "timer");
    REQUIRE(timer.size() == 1);
    CHECK(timer[0]->time == sim::hours(1));
    // On the agent: `bootstrap dcos-signal` through zk-N.zk, the same /cluster-id, exit 0.
    const auto exits = events(r, node, "dcos-signal", "exited");
    REQUIRE_FALSE(exits.empty());
    CHECK(exits.back()->time > sim::hours(1));
    CHECK(r.trace.text_arg(*exits.back(), "reason") == "status 0: telemetry report posted");
  }
  const auto created = records(r, "created /cluster-id");
  REQUIRE(created.size() == 1);
  for (const sim::TraceRecord* rec : consensus_on(r, "/cluster-id")) {
    CHECK(text_arg(r, *rec, "value") ==
          fmt::format("uuid4 of {}/{}", created[0]->node(), created[0]->component()));
  }
}

TEST_CASE("1.9: an agent's bootstrap looks up zk-N.zk, and fails while its resolver cannot",
          "[dcos-units]") {
  const models::RunResult r = run_text(kUnitsCluster, {});
  // dcos-3dt-agent has no ping gate: its first bootstrap runs before resolv.conf points at
  // Spartan, so every zk-N.zk lookup fails and kazoo times out; a later one connects.
  const auto failed = events(r, "agent-1", "dcos-3dt-agent", "gate_failed");
  REQUIRE_FALSE(failed.empty());
  const std::string reason = text_arg(r, *failed[0], "reason");
  CHECK(reason.rfind("kazoo: Connection time-out (zk-", 0) == 0);
  // bootstrap.kazoo_timeout after the first attempt, made when the host booted.
  const auto boot = events(r, "agent-1", "systemd", "boot");
  REQUIRE(boot.size() == 1);
  CHECK(failed[0]->time == boot[0]->time + sim::seconds(15));
  CHECK_FALSE(events(r, "agent-1", "dcos-3dt-agent", "exec").empty());
}
