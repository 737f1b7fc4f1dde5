// Mesos master election over the ZooKeeper model: contenders, detectors, the master's reaction
// to session loss, and the single-leader check.
#include <catch2/catch.hpp>

#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "models/mesos/group.hpp"
#include "models/mesos/leadership_monitor.hpp"
#include "tests/zk_world.hpp"

using namespace bootsim;
using bootsim::models::DetectedMaster;
using bootsim::models::ElectionState;
using bootsim::models::LeadershipMonitor;
using bootsim::models::MasterDetector;
using bootsim::models::MesosMasterElection;
using bootsim::testing::ZkWorld;

namespace {

constexpr sim::SimTime kGroupLatency = sim::milliseconds(1);  // one-way latency of every link
constexpr sim::SimTime kGroupTick = sim::seconds(2);          // zookeeper.tickTime default
constexpr std::int64_t kGroupSyncLimit = 5;                   // zookeeper.syncLimit default
constexpr sim::SimTime kGroupQuorumBy = sim::seconds(3);

// A minimal Mesos master around the election: it leads as soon as it is elected (the registry
// recovery of mesos_master.cpp is left out), and exits when it loses leadership, as
// SystemdUnit::exit does: the process dies (its connections reset), then the model forgets it.
// The single-leader check observes it as it observes MesosMaster: by its `leading` phase event
// and the unit machine's report of its exit.
struct TestMaster {
  TestMaster(ZkWorld& world, int index, MesosMasterElection::Options o)
      : w(world),
        name("master-" + std::to_string(index)),
        process(w.net.add_process(w.node(index), "mesos-master")),
        options(o) {}

  void start() {
    if (!w.net.process_up(process)) w.net.start_process(process);
    MesosMasterElection::Callbacks cb;
    cb.on_elected = [this] {
      elected_at.push_back(w.engine.now());
      w.ctx->event(name, "mesos-master", "leading", "elected, no registry to recover");
      w.ctx->milestone(name, "mesos-master.leading", "no registry recovery in this test");
    };
    cb.on_lost_leadership = [this](const std::string& reason) {
      stepped_down_at = w.engine.now();
      lost_reason = reason;
      w.net.crash_process(process);  // the process exits ...
      gone();                        // ... and the unit forgets it, inside the callback
    };
    election = std::make_unique<MesosMasterElection>(*w.ctx, process, cb, options);
    election->start();
  }
  // The process is gone (exit, crash): what MesosMaster::on_exit does, then the unit machine's
  // report.
  void gone() {
    election.reset();
    w.ctx->process_exited({name, "dcos-mesos-master", "mesos-master", process});
  }

  ZkWorld& w;
  std::string name;
  sim::ProcessId process;
  MesosMasterElection::Options options;
  std::unique_ptr<MesosMasterElection> election;
  std::vector<sim::SimTime> elected_at;
  std::optional<sim::SimTime> stepped_down_at;
  std::string lost_reason;
};

// Three masters with ZooKeeper (quorum by 3 s), their Mesos masters, one agent with a detector.
struct ElectionWorld {
  explicit ElectionWorld(std::uint64_t seed = 1, MesosMasterElection::Options o = {})
      : w(3, kGroupLatency, {{"zookeeper.server_start", "1s"}}, {}, seed, 1), monitor(*w.ctx) {
    w.launch_all(sim::SimTime::zero());
    for (int i = 1; i <= 3; ++i) {
      masters.push_back(
          std::make_unique<TestMaster>(w, i, i == 1 ? o : MesosMasterElection::Options{}));
    }
    agent = w.net.add_process(w.topology.agents[0].node, "mesos-agent");
    w.net.start_process(agent);
    w.engine.run_until(kGroupQuorumBy);
    REQUIRE(w.ensemble->serving_leader() != 0);
  }
  // Starts master i at `at` (absolute).
  void start_at(int i, sim::SimTime at) {
    w.engine.schedule_at(at, [this, i] { masters.at(i - 1)->start(); });
  }
  void start_agent_detector() {
    detector = std::make_unique<MasterDetector>(
        *w.ctx, agent, models::zookeeper_servers(w.topology),
        w.params.duration("mesos-master.zk_session_timeout"),
        [this](const std::optional<DetectedMaster>& m) {
          agent_saw.push_back(m ? m->info.hostname : std::string("none"));
        });
    detector->start();
  }
  // The usual start: master-1 first, then 2 and 3, 500 ms apart.
  void boot() {
    start_at(1, kGroupQuorumBy);
    start_at(2, kGroupQuorumBy + sim::milliseconds(500));
    start_at(3, kGroupQuorumBy + sim::seconds(1));
    w.engine.run_until(kGroupQuorumBy + sim::seconds(3));
  }
  TestMaster& m(int i) { return *masters.at(i - 1); }
  void run_until(sim::SimTime t) { w.engine.run_until(t); }
  sim::SimTime timeout() const { return w.params.duration("mesos-master.zk_session_timeout"); }

  ZkWorld w;
  LeadershipMonitor monitor;
  std::vector<std::unique_ptr<TestMaster>> masters;
  sim::ProcessId agent;
  std::unique_ptr<MasterDetector> detector;
  std::vector<std::string> agent_saw;
};

}  // namespace

TEST_CASE("mesos election: the first znode leads, every detector sees it", "[mesos][election]") {
  ElectionWorld e;
  e.start_agent_detector();
  e.boot();
  INFO(e.w.dump());
  REQUIRE(e.m(1).election);
  CHECK(e.m(1).election->state() == ElectionState::kElected);
  CHECK(e.m(2).election->state() == ElectionState::kCandidate);
  CHECK(e.m(3).election->state() == ElectionState::kCandidate);
  CHECK(e.w.details("mesos-master.contending") == std::vector<std::string>{"json.info_0000000000",
                                                                           "json.info_0000000001",
                                                                           "json.info_0000000002"});
  CHECK(e.w.details("mesos-master.elected") == std::vector<std::string>{"master-1"});
  // The elected master is also a typed field of the cluster milestone (the fault resolver's
  // mesos-leader), not only its detail text.
  const auto elected = e.w.ctx->latest_milestone("mesos-master.elected", "cluster");
  REQUIRE(elected.has_value());
  CHECK(e.w.ctx->subject(*elected) == std::optional<std::string_view>("master-1"));
  for (int i = 1; i <= 3; ++i) {
    REQUIRE(e.m(i).election->leader().has_value());
    CHECK(e.m(i).election->leader()->info.hostname == "master-1");
    CHECK(e.m(i).election->leader()->znode == "json.info_0000000000");
  }
  REQUIRE(e.detector->leader().has_value());
  CHECK(e.detector->leader()->node == e.w.node(1));
  CHECK(e.agent_saw == std::vector<std::string>{"master-1"});
  // Elected within a few ZooKeeper round trips of joining (connect, create path, create znode,
  // get children, get data): well under 100 ms with 1 ms links.
  REQUIRE(e.m(1).elected_at.size() == 1);
  CHECK(e.m(1).elected_at[0] - kGroupQuorumBy < sim::milliseconds(100));
  CHECK(e.w.ctx->violations().empty());
}

namespace {

// What a partition of the leading master's host (master-1 | rest) at `P` did.
struct PartitionOutcome {
  bool sessions_on_own_host = false;  // both of master-1's sessions on master-1's own server
  std::optional<sim::SimTime> stepped_down;
  std::vector<std::string> elected;  // mesos-master.elected details after the partition
  std::optional<sim::SimTime> new_leader_at;
  std::vector<std::string> agent_saw;
  std::vector<models::Violation> violations;
  std::vector<LeadershipMonitor::Overlap> overlaps;
  std::string trace;
};

constexpr sim::SimTime kPartitionAt = sim::seconds(10);

PartitionOutcome partition_leader(std::uint64_t seed, MesosMasterElection::Options o = {}) {
  ElectionWorld e(seed, o);
  e.start_agent_detector();
  e.boot();
  e.run_until(kPartitionAt);
  REQUIRE(e.m(1).election->elected());
  PartitionOutcome out;
  const auto c = e.m(1).election->contender().connected_server();
  const auto d = e.m(1).election->detector().connected_server();
  out.sessions_on_own_host = c && d && c->node == e.w.node(1) && d->node == e.w.node(1);
  e.w.net.partition({{e.w.node(1)}});
  e.run_until(kPartitionAt + sim::seconds(60));
  out.stepped_down = e.m(1).stepped_down_at;
  const auto all = e.w.details("mesos-master.elected");
  const auto times = e.w.times("mesos-master.elected");
  for (std::size_t i = 0; i < all.size(); ++i) {
    if (times[i] < kPartitionAt) continue;
    out.elected.push_back(all[i]);
    if (!out.new_leader_at) out.new_leader_at = times[i];
  }
  out.agent_saw = e.agent_saw;
  out.violations = e.w.ctx->violations();
  out.overlaps = e.monitor.overlaps();
  out.trace = e.w.dump();
  return out;
}

}  // namespace

// The leader's host is cut off from every other host; its own ZooKeeper server (a follower:
// the ZooKeeper leader is master-3, the highest sid) is cut off with it.
//
// The new leader: the ZooKeeper leader expires master-1's contender session one session timeout
// T after it last heard of it, at its next whole-tick check (sessions expire in tick-sized
// buckets). The client pings after T/3 of silence; a follower forwards the touches it saw with
// its answer to the leader's next ping (every tick/2). So the leader last heard of the session
// between P − T/3 − tick/2 and P + tick/2. Then master-2's detector reads the group (a few ms).
//   ⇒ elected in [P + T − T/3 − tick/2, P + T + 3·tick/2 + 100 ms].
// The old leader steps down when the first of its two sessions (contender, detector) expires
// locally: T after the client last heard from its server.
// - If that server is on another host, it last heard at most T/3 before P:
//   ⇒ steps down in [P + 2T/3 − 10 ms, P + T], before the new leader is elected: no overlap.
// - If both sessions are on its own host's server, that follower keeps answering pings until it
//   notices the silent ZooKeeper leader, syncLimit·tick after it last heard from it (at most
//   tick/2 before P); only then does it close its clients:
//   ⇒ steps down in [P + syncLimit·tick − tick/2 + 2T/3 − 10 ms, P + syncLimit·tick + T], after
//   the new leader was elected. That is real ZooKeeper 3.4 + Mesos behaviour (followers answer
//   pings locally; Mesos' local expiry timer only starts at the disconnection), and the
//   single-leader check reports the overlap.
// Seeds decide, through each client's shuffled server list, which case a run is in; both are
// enumerated here.
TEST_CASE("mesos election: a partition isolating the leading master from ZooKeeper",
          "[mesos][election][partition]") {
  models::Parameters params;
  const sim::SimTime T = params.duration("mesos-master.zk_session_timeout");
  const sim::SimTime tick = params.duration("zookeeper.tickTime");
  const sim::SimTime sync_limit = tick * params.integer("zookeeper.syncLimit");
  const sim::SimTime P = kPartitionAt;
  REQUIRE(tick == kGroupTick);
  REQUIRE(sync_limit == kGroupTick * kGroupSyncLimit);
  int safe_runs = 0, hazard_runs = 0;
  for (std::uint64_t seed = 1; seed <= 16; ++seed) {
    const PartitionOutcome r = partition_leader(seed);
    INFO("seed " << seed << "\n" << r.trace);
    // Another master leads after about the session timeout; the agent follows.
    REQUIRE(r.elected == std::vector<std::string>{"master-2"});
    CHECK(*r.new_leader_at >= P + T - T / 3 - tick / 2);
    CHECK(*r.new_leader_at <= P + T + tick * 3 / 2 + sim::milliseconds(100));
    CHECK(r.agent_saw.back() == "master-2");
    // The old leader stops leading.
    REQUIRE(r.stepped_down.has_value());
    if (!r.sessions_on_own_host) {
      ++safe_runs;
      CHECK(*r.stepped_down >= P + T * 2 / 3 - sim::milliseconds(10));
      CHECK(*r.stepped_down <= P + T);
      CHECK(*r.stepped_down < *r.new_leader_at);
      CHECK(r.violations.empty());
      CHECK(r.overlaps.empty());
    } else {
      ++hazard_runs;
      CHECK(*r.stepped_down >= P + sync_limit - tick / 2 + T * 2 / 3 - sim::milliseconds(10));
      CHECK(*r.stepped_down <= P + sync_limit + T);
      REQUIRE(r.violations.size() == 1);
      CHECK(r.violations[0].rule == "single-mesos-leader");
      CHECK(r.violations[0].nodes == "master-1,master-2");
      CHECK(r.violations[0].time == *r.new_leader_at);
      REQUIRE(r.overlaps.size() == 1);
      CHECK(r.overlaps[0].from == *r.new_leader_at);
      CHECK(r.overlaps[0].to == r.stepped_down);
    }
  }
  // Both placements occur among these seeds.
  CHECK(safe_runs > 0);
  CHECK(hazard_runs > 0);
}

TEST_CASE("mesos election: a leader that does not step down is caught by the single-leader check",
          "[mesos][election][partition]") {
  MesosMasterElection::Options broken;
  broken.testing_skip_step_down = true;
  const PartitionOutcome r = partition_leader(1, broken);
  INFO(r.trace);
  CHECK_FALSE(r.stepped_down.has_value());
  REQUIRE(r.elected == std::vector<std::string>{"master-2"});
  REQUIRE(r.violations.size() == 1);
  CHECK(r.violations[0].rule == "single-mesos-leader");
  CHECK(r.violations[0].nodes == "master-1,master-2");
  CHECK(r.violations[0].time == *r.new_leader_at);
  CHECK_THAT(r.violations[0].detail, Catch::Contains("master-2 leads from") &&
                                         Catch::Contains("while master-1 has led since"));
  REQUIRE(r.overlaps.size() == 1);
  CHECK(r.overlaps[0].first == "master-1");
  CHECK(r.overlaps[0].second == "master-2");
  CHECK_FALSE(r.overlaps[0].to.has_value());  // master-1 never stops
}

// The leading master's process dies with its host alive: the host resets its ZooKeeper
// connections at once, but a closed connection does not end a ZooKeeper session. The znode
// stays until the ZooKeeper leader expires the session, one session timeout after it last heard
// of it (between T/3 + tick/2 before and tick/2 after the crash, as above), at its next
// whole-tick check: ⇒ master-2 is elected in [crash + T − T/3 − tick/2, crash + T + 3·tick/2 +
// 100 ms], seconds after the crash, not milliseconds.
TEST_CASE("mesos election: a crashed leader's znode outlives it by the session timeout",
          "[mesos][election][crash]") {
  ElectionWorld e;
  e.start_agent_detector();
  e.boot();
  const sim::SimTime crash = sim::seconds(10);
  e.run_until(crash);
  REQUIRE(e.m(1).election->elected());
  e.w.net.crash_process(e.m(1).process);
  e.m(1).gone();
  e.run_until(crash + sim::seconds(30));
  INFO(e.w.dump());
  const sim::SimTime T = e.timeout();
  const sim::SimTime tick = e.w.params.duration("zookeeper.tickTime");
  REQUIRE(e.m(2).elected_at.size() == 1);
  const sim::SimTime elected = e.m(2).elected_at[0];
  CHECK(elected >= crash + T - T / 3 - tick / 2);
  CHECK(elected <= crash + T + tick * 3 / 2 + sim::milliseconds(100));
  CHECK(elected - crash > sim::seconds(5));  // not within milliseconds of the crash
  CHECK(e.agent_saw == std::vector<std::string>{"master-1", "master-2"});
  CHECK(e.w.ctx->violations().empty());
}

// A master that is not leading loses its session (its host is cut off for longer than the
// session timeout): it contends again once it can reach ZooKeeper, with a new znode behind the
// others; the leader does not change.
TEST_CASE("mesos election: a follower whose session expired contends again at the back",
          "[mesos][election]") {
  ElectionWorld e;
  e.boot();
  const sim::SimTime cut = sim::seconds(10);
  e.run_until(cut);
  REQUIRE(e.m(1).election->elected());
  REQUIRE(e.m(2).election->contender().sequence() == 1);
  e.w.net.partition({{e.w.node(2)}});
  e.run_until(cut + sim::seconds(30));
  e.w.net.heal();
  e.run_until(cut + sim::seconds(60));
  INFO(e.w.dump());
  CHECK(e.m(1).election->elected());
  CHECK(e.w.details("mesos-master.elected") == std::vector<std::string>{"master-1"});
  REQUIRE(e.m(2).election);
  CHECK(e.m(2).election->state() == ElectionState::kCandidate);
  const auto seq = e.m(2).election->contender().sequence();
  REQUIRE(seq.has_value());
  CHECK(*seq > *e.m(3).election->contender().sequence());
  const auto contending = e.w.details("mesos-master.contending");
  REQUIRE(contending.size() == 4);
  CHECK(contending.back() == *e.m(2).election->contender().znode());
  REQUIRE(e.m(2).election->leader().has_value());
  CHECK(e.m(2).election->leader()->info.hostname == "master-1");
  CHECK(e.w.ctx->violations().empty());
}

TEST_CASE("mesos election: master info round-trips through the znode data", "[mesos][election]") {
  const models::MasterInfo info{"master-2", "master-2-3"};
  CHECK(info.to_json() == R"({"hostname":"master-2","id":"master-2-3"})");
  CHECK(models::MasterInfo::from_json(info.to_json()) == info);
  CHECK_FALSE(models::MasterInfo::from_json("master-2").has_value());
}

TEST_CASE("mesos election: runs are a pure function of the seed", "[mesos][election]") {
  const PartitionOutcome a = partition_leader(7);
  const PartitionOutcome b = partition_leader(7);
  CHECK(a.trace == b.trace);
}
