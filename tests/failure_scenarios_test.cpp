// The shipped failure scenarios (scenarios/failures/): each shows what its opening comment says
// a reader should see, and each replays identically from a record (bootsim run --record, then
// bootsim replay, through the real binary); a tampered record is refused.
#include <sys/wait.h>

#include <catch2/catch.hpp>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <string>
#include <vector>

#include "models/run/cluster.hpp"
#include "models/scenario/scenario.hpp"
#include "tests/bootsim_process.hpp"
#include "tests/printers.hpp"
#include "tests/run_helpers.hpp"

using namespace bootsim;
using namespace bootsim::models;

namespace {

RunResult run_shipped(const std::string& name) {
  auto loaded =
      load_scenario_file(std::string(BOOTSIM_SOURCE_DIR) + "/scenarios/failures/" + name + ".yaml");
  if (auto* e = std::get_if<InputError>(&loaded)) FAIL(e->format());
  return bootsim::testing::run(std::get<Scenario>(loaded));
}

using bootsim::testing::events;
using bootsim::testing::milestone_times;

using test_support::Outcome;
using test_support::run_bootsim;
using test_support::slurp;

std::string record_path(const std::string& name) {
  return (std::filesystem::temp_directory_path() /
          ("bootsim-rec-" + std::to_string(::getpid()) + "-" + name))
      .string();
}

}  // namespace

TEST_CASE("failures: the ZooKeeper leader killed just after quorum", "[failures]") {
  const RunResult r = run_shipped("zookeeper-leader-killed-after-quorum");
  const auto quorum = milestone_times(r, "zookeeper.quorum", "cluster");
  const auto kills = events(r, "", "fault", "process_crash");
  REQUIRE(kills.size() == 1);
  REQUIRE(quorum.size() >= 2);  // a second quorum, among the survivors
  CHECK(kills[0]->time == quorum[0] + sim::seconds(1));
  CHECK(quorum[1] > kills[0]->time);
  CHECK(quorum[1] < kills[0]->time + sim::seconds(10));
  CHECK(r.ready_at.has_value());
  CHECK(r.violations.empty());
}

TEST_CASE("failures: the leading master partitioned while agents register", "[failures]") {
  const RunResult r = run_shipped("leading-master-partitioned-during-registration");
  const auto partition = events(r, "cluster", "fault", "partition");
  REQUIRE(partition.size() == 1);
  const auto elected = r.trace.milestones_named("mesos-master.elected");
  REQUIRE(elected.size() >= 2);
  const auto first = r.trace.at(elected[0]);
  // The master elected last: one whose own session was on the cut-off ZooKeeper server may be
  // elected first and lose that session at once (its znode goes, the next one leads).
  const auto second = r.trace.at(elected.back());
  CHECK(first.detail() != second.detail());  // another master
  // master-3 also led ZooKeeper: the survivors first elect a new ZooKeeper leader (a second
  // zookeeper.quorum, after syncLimit·tickTime and an election), then it expires master-3's
  // session (10 s), then another master is elected.
  const auto quorum = milestone_times(r, "zookeeper.quorum", "cluster");
  REQUIRE(quorum.size() == 2);
  CHECK(quorum[1] > partition[0]->time);
  CHECK(second.time > quorum[1]);
  CHECK(second.time < quorum[1] + sim::seconds(15));
  // Agents registered again, with the new leader.
  bool admitted_by_new = false;
  for (const sim::RecordId id : r.trace.milestones_named("agent.registered")) {
    const auto& rec = r.trace.at(id);
    // "admitted <agent id> by <master>"
    const std::string by = " by " + std::string(second.detail());
    admitted_by_new = admitted_by_new ||
                      (rec.time > second.time && rec.detail().rfind("admitted ", 0) == 0 &&
                       rec.detail().size() > by.size() &&
                       rec.detail().compare(rec.detail().size() - by.size(), by.size(), by) == 0);
  }
  CHECK(admitted_by_new);
  CHECK(partition[0]->detail().find("(mesos-leader was " + std::string(first.detail()) + ")") !=
        std::string::npos);
  CHECK(events(r, "cluster", "fault", "heal").size() == 1);
  CHECK(r.ready_at.has_value());
}

TEST_CASE("failures: two of three masters down, and why nothing happened", "[failures]") {
  const RunResult r = run_shipped("two-of-three-masters-down");
  CHECK_FALSE(r.ready_at.has_value());
  CHECK(milestone_times(r, "zookeeper.quorum", "cluster").empty());
  CHECK(milestone_times(r, "mesos-master.elected", "cluster").empty());
  REQUIRE(r.not_reached.size() >= 2);
  CHECK(r.not_reached[0] == "zookeeper.quorum: no ZooKeeper quorum formed");
  CHECK(r.not_reached[1] == "mesos-master.elected: no Mesos master was elected");
  CHECK_FALSE(r.ok());
}

TEST_CASE("failures: a lossy link to one master slows it, loses nothing", "[failures]") {
  const RunResult r = run_shipped("lossy-link-to-one-master");
  CHECK(events(r, "cluster", "fault", "link_degraded").size() == 1);
  CHECK(r.ready_at.has_value());
  CHECK(r.violations.empty());
}

TEST_CASE("failures: a master with a skewed, fast clock", "[failures]") {
  const RunResult r = run_shipped("master-with-skewed-clock");
  CHECK(events(r, "master-2", "fault", "clock").size() == 1);
  CHECK(r.ready_at.has_value());
  CHECK(r.violations.empty());
}

TEST_CASE("failures: a crash-looping Marathon", "[failures]") {
  const RunResult r = run_shipped("crash-looping-marathon");
  const auto began = events(r, "", "fault", "crash_loop");
  REQUIRE(began.size() == 3);  // one per master
  const auto ended = events(r, "cluster", "fault", "crash_loop_ends");
  REQUIRE(ended.size() == 1);
  const auto kills = events(r, "", "fault", "process_crash");
  CHECK(kills.size() >= 6);
  for (const auto* k : kills) CHECK(k->time <= ended[0]->time);
  // Marathon registers again after each comeback, about every 35 s (20 s up, RestartSec 15 s),
  // and once more after the loop ends.
  const auto registered = milestone_times(r, "scheduler.registered", "marathon");
  CHECK(registered.size() >= 8);
  // The last comes from a Marathon that the loop, ended meanwhile, no longer kills.
  CHECK(registered.back() > ended[0]->time - sim::seconds(35));
  for (const auto* k : kills) CHECK(k->time < registered.back());
  REQUIRE(r.ready_at.has_value());
  CHECK(*r.ready_at < ended[0]->time);  // readiness counts first reaches
}

TEST_CASE("failures: Mesos-DNS down at boot holds leader.mesos back until it answers",
          "[failures]") {
  const RunResult r = run_shipped("mesos-dns-down-at-boot");
  const sim::SimTime end = sim::minutes(4);
  REQUIRE(events(r, "", "fault", "dns_outage").size() == 3);
  const auto restored = events(r, "", "fault", "dns_restored");
  REQUIRE(restored.size() == 3);
  for (const auto* e : restored) CHECK(e->time == end);
  for (const char* m : {"master-1", "master-2", "master-3"}) {
    INFO(m);
    // Mesos-DNS works: its records are built long before the outage ends.
    REQUIRE(!milestone_times(r, "mesos-dns.leader_record", m).empty());
    CHECK(milestone_times(r, "mesos-dns.leader_record", m).front() < sim::seconds(120));
    REQUIRE(!milestone_times(r, "marathon.started", m).empty());
    CHECK(milestone_times(r, "marathon.started", m).front() > end);
  }
  // Nobody resolves leader.mesos before it ends, everybody at its next lookup after: no later
  // than the longest RestartSec of a unit whose gate looks it up (dcos-marathon's 15 s) and
  // the 1 s that one try of a lookup can take.
  for (const char* n : {"master-1", "master-2", "master-3", "agent-1", "agent-2"}) {
    INFO(n);
    const auto resolvable = milestone_times(r, "dns-proxy.leader_resolvable", n);
    REQUIRE(!resolvable.empty());
    CHECK(resolvable.front() > end);
    CHECK(resolvable.front() < end + sim::seconds(16));
  }
  // Marathon's gate kept failing on the silence while the outage lasted.
  bool gate_failed = false;
  for (const sim::TraceRecord& rec : r.trace.records()) {
    gate_failed =
        gate_failed || (rec.time < end && rec.detail().find("leader.mesos: no answer from "
                                                            "198.51.100.") != std::string::npos);
  }
  CHECK(gate_failed);
  REQUIRE(r.ready_at.has_value());
  CHECK(*r.ready_at > end);
  CHECK(*r.ready_at < end + sim::seconds(30));
  CHECK(r.violations.empty());
  bool liveness_held = false;
  for (const RuleResult& rr : r.rules) {
    liveness_held = liveness_held || (rr.within && rr.checked == 1 && rr.violations.empty());
  }
  CHECK(liveness_held);
}

TEST_CASE("failures: every shipped scenario replays identically, and a tampered record is refused",
          "[failures][replay][cli]") {
  for (const char* name :
       {"zookeeper-leader-killed-after-quorum", "leading-master-partitioned-during-registration",
        "two-of-three-masters-down", "lossy-link-to-one-master", "master-with-skewed-clock",
        "crash-looping-marathon", "mesos-dns-down-at-boot"}) {
    INFO(name);
    const std::string rec = record_path(name);
    const Outcome ran = run_bootsim(std::string("run scenarios/failures/") + name +
                                    ".yaml --out /dev/null --record " + rec);
    CHECK(ran.err.empty());
    const Outcome replayed = run_bootsim("replay " + rec);
    CHECK(replayed.status == 0);
    CHECK(replayed.out.find(": identical (") != std::string::npos);
    // One byte of the trace changed: refused before anything runs.
    std::string text = slurp(rec);
    const auto at = text.find("\nrecords ");
    REQUIRE(at != std::string::npos);
    text[text.find('\t', at + 20) + 1] ^= 1;
    std::ofstream(rec, std::ios::binary | std::ios::trunc) << text;
    const Outcome refused = run_bootsim("replay " + rec);
    CHECK(refused.status == 2);
    CHECK(refused.err.find("the record was altered or cut short") != std::string::npos);
    std::filesystem::remove(rec);
  }
}

TEST_CASE("replay reports the first divergent record of a forged record", "[replay][cli]") {
  const std::string rec = record_path("forged");
  REQUIRE(run_bootsim("run scenarios/failures/two-of-three-masters-down.yaml --out /dev/null "
                      "--record " +
                      rec)
              .err.empty());
  // A record re-sealed after an edit of one trace record (its checksum recomputed, as a forger
  // would) passes the checksum, and the replay names the record that differs.
  std::string text = slurp(rec);
  const auto line = text.find("host_crash", text.find("\nrecords "));
  REQUIRE(line != std::string::npos);
  text.replace(line, 10, "host_CRASH");
  text.resize(text.rfind("checksum "));
  std::uint64_t h = 14695981039346656037ull;  // FNV-1a 64, as tools/record.cpp seals
  for (const char c : text) {
    h ^= static_cast<unsigned char>(c);
    h *= 1099511628211ull;
  }
  char sum[17];
  std::snprintf(sum, sizeof sum, "%016llx", static_cast<unsigned long long>(h));
  text += std::string("checksum ") + sum + "\n";
  std::ofstream(rec, std::ios::binary | std::ios::trunc) << text;
  const Outcome o = run_bootsim("replay " + rec);
  CHECK(o.status == 1);
  CHECK(o.out.find("the run differs from its record\nfirst divergent record #") !=
        std::string::npos);
  CHECK(o.out.find("host_CRASH") != std::string::npos);
  std::filesystem::remove(rec);
}

TEST_CASE("replay refuses a record whose scenario file changed since", "[replay][cli]") {
  const auto dir =
      std::filesystem::temp_directory_path() / ("bootsim-changed-" + std::to_string(::getpid()));
  std::filesystem::create_directories(dir);
  const std::string scenario = (dir / "s.yaml").string();
  std::ofstream(scenario) << "name: s\nuntil: 2m\ncluster: {masters: 1, agents: {private: 1, "
                             "public: 0}}\n";
  const std::string rec = (dir / "s.rec").string();
  REQUIRE(run_bootsim("run " + scenario + " --out /dev/null --record " + rec).err.empty());
  CHECK(run_bootsim("replay " + rec).status == 0);
  std::ofstream(scenario, std::ios::app) << "seed: 9\n";
  const Outcome o = run_bootsim("replay " + rec);
  CHECK(o.status == 2);
  CHECK(o.err.find("has changed since the run was recorded") != std::string::npos);
  std::filesystem::remove_all(dir);
}

// --trace none keeps only the records something reads back (sim/trace.hpp). What the run reports
// from them must be what a full trace gives: a model that names a record it did not keep would
// cut a critical chain short or lose a violation's evidence.
TEST_CASE("every shipped scenario reports the same at --trace none as with every record",
          "[failures][trace]") {
  for (const char* name :
       {"failures/zookeeper-leader-killed-after-quorum",
        "failures/leading-master-partitioned-during-registration",
        "failures/two-of-three-masters-down", "failures/lossy-link-to-one-master",
        "failures/master-with-skewed-clock", "failures/crash-looping-marathon",
        "failures/mesos-dns-down-at-boot", "failures/zone-partitioned", "default", "multi-zone"}) {
    INFO(name);
    auto loaded =
        load_scenario_file(std::string(BOOTSIM_SOURCE_DIR) + "/scenarios/" + name + ".yaml");
    if (auto* e = std::get_if<InputError>(&loaded)) FAIL(e->format());
    const Scenario& s = std::get<Scenario>(loaded);
    const RunResult full = bootsim::testing::run(s);
    RunOptions o;
    o.trace_level = sim::TraceLevel::kNone;
    const RunResult none = bootsim::testing::run(s, o);
    CHECK(none.trace.dropped_but_named() == 0);
    CHECK(none.fingerprint == full.fingerprint);
    CHECK(none.critical_chain == full.critical_chain);
    CHECK(none.ready_at == full.ready_at);
    CHECK(none.not_reached == full.not_reached);
    CHECK(none.ineffective_faults() == full.ineffective_faults());
    REQUIRE(none.violations.size() == full.violations.size());
    for (std::size_t i = 0; i < full.violations.size(); ++i) {
      CHECK(none.violations[i].rule == full.violations[i].rule);
      CHECK(none.violations[i].evidence == full.violations[i].evidence);
      CHECK(none.violations[i].explanation == full.violations[i].explanation);
    }
    REQUIRE(none.rules.size() == full.rules.size());
    for (std::size_t i = 0; i < full.rules.size(); ++i) {
      CHECK(none.rules[i].checked == full.rules[i].checked);
      CHECK(none.rules[i].violations.size() == full.rules[i].violations.size());
    }
    // Each record on the chain is the same record, read back.
    for (const sim::RecordId id : none.critical_chain) {
      CHECK(none.trace.at(id).name() == full.trace.at(id).name());
      CHECK(none.trace.at(id).time == full.trace.at(id).time);
    }
    CHECK(none.trace.records().size() < full.trace.size() / 4);
  }
}
