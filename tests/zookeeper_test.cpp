// ZooKeeper server model: quorum formation timed by hand, fail-over, the single-leader check.
#include <catch2/catch.hpp>

#include <algorithm>

#include "models/zookeeper/client.hpp"
#include "tests/zk_world.hpp"

using namespace bootsim;
using bootsim::models::CreateMode;
using bootsim::models::SessionEvent;
using bootsim::models::SessionState;
using bootsim::models::WatchEvent;
using bootsim::models::WatchEventType;
using bootsim::models::ZkError;
using bootsim::models::ZooKeeperClient;
using bootsim::models::ZooKeeperState;
using bootsim::testing::ZkWorld;

namespace {

constexpr sim::SimTime kZkLatency = sim::milliseconds(1);   // one-way latency of every link
constexpr sim::SimTime kZkStart = sim::seconds(1);          // zookeeper.server_start (constant)
constexpr sim::SimTime kSetup = sim::milliseconds(300);     // zookeeper.setup_before_looking
constexpr sim::SimTime kFinalize = sim::milliseconds(200);  // zookeeper.finalizeWait
constexpr sim::SimTime kLearnerRetry = sim::seconds(1);     // Learner.java 3.4 retry sleep
constexpr sim::SimTime kZkTick = sim::seconds(2);
constexpr std::int64_t kZkSyncLimit = 5;

// Constant start and no snapshot cost, so that quorum times can be computed by hand.
std::vector<std::pair<std::string, std::string>> constant_start() {
  return {{"zookeeper.server_start", "1s"}, {"zookeeper.snapshot_write", "0s"}};
}

int count_events(const ZkWorld& w, std::string_view node, std::string_view event) {
  int n = 0;
  for (const auto& r : w.trace.records()) {
    if (r.node() == node && r.name() == event) ++n;
  }
  return n;
}

}  // namespace

TEST_CASE("zookeeper: 3 servers reach quorum at the hand-computed time", "[zookeeper]") {
  ZkWorld w(3, kZkLatency, constant_start());
  w.launch_all(sim::SimTime::zero());
  w.engine.run_until(sim::seconds(10));
  INFO(w.dump());

  // All three bind their client port at kZkStart and enter LOOKING together at T.
  const sim::SimTime T = kZkStart + kSetup;
  // Vote exchange. Election connects are synchronous, one peer after the other, and only the
  // larger sid's connection survives (a round trip 2L, then the vote, L). Each server first
  // connects to its lowest peer:
  //   T+3L  sid 1 gets the votes of 2 and 3 (their first connections): switches to 3, and
  //         now has {1:3, 3:3}, a quorum; the finalize window opens.
  //   T+4L  sid 2 gets sid 1's vote for 3 and switches: quorum {1:3, 2:3}.
  //   T+5L  sid 1 gets sid 2's new vote and sid 2 gets sid 3's (3 reached 2 second): neither
  //         is better, each restarts its 200 ms window -> followers decide at T+5L+fW.
  //   T+6L  sid 3 gets sid 2's vote, the last one it hears -> it decides at T+6L+fW.
  const sim::SimTime follower_decides = T + kZkLatency * 5 + kFinalize;
  const sim::SimTime leader_decides = T + kZkLatency * 6 + kFinalize;
  // Zab. A follower's SYN reaches sid 3 at follower_decides + L = leader_decides, the instant
  // sid 3 binds 2888 (its timer was armed first, so it runs first): no refused connect.
  //   +2L SYN/SYN-ACK, +L FOLLOWERINFO (a quorum with the leader: epoch 1), +L LEADERINFO,
  //   +L ACKEPOCH (quorum), +L DIFF+NEWLEADER, +L ACK (quorum: the leader serves),
  //   +L UPTODATE (followers serve, and so the quorum).
  const sim::SimTime leader_serves = follower_decides + kZkLatency * 7;
  const sim::SimTime quorum = leader_serves + kZkLatency;
  REQUIRE(leader_decides == follower_decides + kZkLatency);

  REQUIRE(w.times("zookeeper.started") == std::vector<sim::SimTime>(3, kZkStart));
  REQUIRE(w.times("zookeeper.quorum") == std::vector<sim::SimTime>{quorum});
  REQUIRE(w.details("zookeeper.quorum") == std::vector<std::string>{"leader master-3, epoch 1"});
  const auto serving = w.times("zookeeper.serving");
  REQUIRE(serving == std::vector<sim::SimTime>{leader_serves, quorum, quorum});
  CHECK(quorum == sim::milliseconds(1513));
  CHECK(w.zk(3).state() == ZooKeeperState::kLeading);
  CHECK(w.zk(1).state() == ZooKeeperState::kFollowing);
  CHECK(w.zk(2).current_epoch() == 1);
  CHECK(w.ctx->violations().empty());
}

TEST_CASE("zookeeper: 5 servers reach quorum at the hand-computed time", "[zookeeper]") {
  ZkWorld w(5, kZkLatency, constant_start());
  w.launch_all(sim::SimTime::zero());
  w.engine.run_until(sim::seconds(10));
  INFO(w.dump());

  const sim::SimTime T = kZkStart + kSetup;
  // Vote exchange: sids 1 and 2 hear their last (not better) vote at T+5L as with 3 servers,
  // sid 3 at T+7L, sid 4 at T+9L. Sid 5 opens its connections to 1, 2, 3, 4 one after the
  // other (2L each) and hears sid 4's vote last, at T+10L. Each decides fW later.
  const sim::SimTime leader_decides = T + kZkLatency * 10 + kFinalize;
  const sim::SimTime first_followers_decide = T + kZkLatency * 5 + kFinalize;  // sids 1 and 2
  // Sids 1, 2 and 3 reach sid 5's port 2888 before it is bound: refused (SYN L, RST L), then
  // Learner.connectToLeader sleeps 1 s (3.4) and tries again. Sid 4 decides at T+9L+fW; its
  // SYN arrives with the leader's decision and is accepted, but the leader and sid 4 are only
  // 2 of the 3 the epoch needs. So the quorum waits for the retry of sids 1 and 2:
  //   +2L refused, +1 s, +2L SYN/SYN-ACK, +L FOLLOWERINFO (quorum: epoch 1), +L LEADERINFO,
  //   +L ACKEPOCH, +L NEWLEADER, +L ACK (leader serves), +L UPTODATE.
  const sim::SimTime retried_info =
      first_followers_decide + kZkLatency * 2 + kLearnerRetry + kZkLatency * 3;
  const sim::SimTime leader_serves = retried_info + kZkLatency * 4;
  const sim::SimTime quorum = leader_serves + kZkLatency;
  REQUIRE(leader_decides < retried_info);

  REQUIRE(w.times("zookeeper.quorum") == std::vector<sim::SimTime>{quorum});
  REQUIRE(w.details("zookeeper.quorum") == std::vector<std::string>{"leader master-5, epoch 1"});
  REQUIRE(w.times("zookeeper.serving").front() == leader_serves);
  CHECK(quorum == sim::milliseconds(2515));
  for (int sid = 1; sid <= 4; ++sid) CHECK(w.zk(sid).state() == ZooKeeperState::kFollowing);
  CHECK(count_events(w, "master-1", "leader_connect_retry") == 1);
  CHECK(count_events(w, "master-4", "leader_connect_retry") == 0);
}

TEST_CASE("zookeeper: a single server runs standalone and serves once its port is bound",
          "[zookeeper]") {
  ZkWorld w(1, kZkLatency, constant_start());
  w.launch_all(sim::seconds(2));
  w.engine.run_until(sim::seconds(10));
  REQUIRE(w.times("zookeeper.serving") == std::vector<sim::SimTime>{sim::seconds(3)});
  REQUIRE(w.details("zookeeper.serving") == std::vector<std::string>{"standalone"});
  REQUIRE(w.details("zookeeper.quorum") == std::vector<std::string>{"standalone master-1"});
  REQUIRE(w.zk(1).state() == ZooKeeperState::kStandalone);
}

TEST_CASE("zookeeper: 7 servers elect the highest sid", "[zookeeper]") {
  ZkWorld w(7, sim::microseconds(200), constant_start());
  w.launch_all(sim::SimTime::zero());
  w.engine.run_until(sim::seconds(20));
  INFO(w.dump());
  REQUIRE(w.details("zookeeper.quorum") == std::vector<std::string>{"leader master-7, epoch 1"});
  // Within one learner retry of the election.
  REQUIRE(w.times("zookeeper.quorum").front() <
          kZkStart + kSetup + kFinalize + kLearnerRetry + sim::milliseconds(20));
  w.engine.run_until(sim::seconds(30));
  for (int sid = 1; sid <= 6; ++sid) CHECK(w.zk(sid).serving());
}

TEST_CASE("zookeeper: staggered starts still elect the best vote", "[zookeeper]") {
  ZkWorld w(3, kZkLatency, constant_start());
  w.launch_at(1, sim::SimTime::zero());
  w.launch_at(2, sim::seconds(5));
  w.launch_at(3, sim::seconds(10));
  w.engine.run_until(sim::seconds(20));
  INFO(w.dump());
  // Sids 1 and 2 form the first quorum (2 of 3) with sid 2 leading; sid 3 joins it later
  // through the FOLLOWING/LEADING notifications, without a new election.
  REQUIRE(w.details("zookeeper.quorum") == std::vector<std::string>{"leader master-2, epoch 1"});
  REQUIRE(w.zk(3).state() == ZooKeeperState::kFollowing);
  REQUIRE(w.zk(3).leader_sid() == 2);
  CHECK(w.times("zookeeper.serving").back() <
        sim::seconds(10) + kZkStart + kSetup + sim::milliseconds(50));
}

TEST_CASE("zookeeper: a killed leader process is replaced within milliseconds plus election",
          "[zookeeper][failover]") {
  ZkWorld w(3, kZkLatency, constant_start());
  w.launch_all(sim::SimTime::zero());
  const sim::SimTime kill_at = sim::seconds(5);
  w.engine.schedule_at(kill_at, [&] { w.net.crash_process(w.zk(3).process()); });
  w.engine.run_until(sim::seconds(30));
  INFO(w.dump());
  const auto quorums = w.times("zookeeper.quorum");
  REQUIRE(quorums.size() == 2);
  REQUIRE(w.details("zookeeper.quorum")[1] == "leader master-2, epoch 2");
  // The host resets the dead process's connections: the followers see it one latency later,
  // vote (a few L), wait finalizeWait, and sync (the learner may lose the race with the
  // leader's bind once: one retry sleep).
  const sim::SimTime took = quorums[1] - kill_at;
  CHECK(took >= kFinalize);
  CHECK(took <= kFinalize + kLearnerRetry + kZkLatency * 30);
  CHECK(w.zk(2).current_epoch() == 2);
  CHECK(w.zk(1).leader_sid() == 2);
  CHECK(w.ctx->violations().empty());
}

TEST_CASE("zookeeper: a crashed leader host is noticed only after syncLimit ticks",
          "[zookeeper][failover]") {
  ZkWorld w(3, kZkLatency, constant_start());
  w.launch_all(sim::SimTime::zero());
  const sim::SimTime crash_at = sim::seconds(5);
  w.engine.schedule_at(crash_at, [&] { w.net.crash_node(w.node(3)); });
  w.engine.run_until(sim::seconds(60));
  INFO(w.dump());
  const auto quorums = w.times("zookeeper.quorum");
  REQUIRE(quorums.size() == 2);
  REQUIRE(w.details("zookeeper.quorum")[1] == "leader master-2, epoch 2");
  // Nothing tells the followers: each gives up after syncLimit ticks without a packet (the
  // last ping came at most half a tick before the crash), then the same election and sync.
  const sim::SimTime took = quorums[1] - crash_at;
  const sim::SimTime silence = kZkTick * kZkSyncLimit;
  CHECK(took >= silence - kZkTick / 2 + kFinalize);
  CHECK(took <= silence + kFinalize + kLearnerRetry + kZkLatency * 30);
  CHECK(w.ctx->violations().empty());
}

TEST_CASE("zookeeper: a paused leader process is noticed only after syncLimit ticks",
          "[zookeeper][failover]") {
  // SIGSTOP: the process is alive and its connections stay open, so, as with a crashed host,
  // only the followers' syncLimit timeout tells them; when it resumes it finds no quorum, steps
  // down and follows the new leader.
  ZkWorld w(3, kZkLatency, constant_start());
  w.launch_all(sim::SimTime::zero());
  const sim::SimTime pause_at = sim::seconds(5);
  const sim::SimTime resume_at = sim::seconds(20);
  w.engine.schedule_at(pause_at, [&] { w.net.pause_process(w.zk(3).process()); });
  w.engine.schedule_at(resume_at, [&] { w.net.resume_process(w.zk(3).process()); });
  w.engine.run_until(sim::seconds(60));
  INFO(w.dump());
  const auto quorums = w.times("zookeeper.quorum");
  REQUIRE(quorums.size() == 2);
  CHECK(w.details("zookeeper.quorum")[1] == "leader master-2, epoch 2");
  const sim::SimTime took = quorums[1] - pause_at;
  const sim::SimTime silence = kZkTick * kZkSyncLimit;
  CHECK(took >= silence - kZkTick / 2 + kFinalize);
  CHECK(took <= silence + kFinalize + kLearnerRetry + kZkLatency * 30);
  // After the resume the old leader rejoins under the new epoch.
  CHECK(w.zk(3).state() == ZooKeeperState::kFollowing);
  CHECK(w.zk(3).leader_sid() == 2);
  CHECK(w.ctx->violations().empty());
}

TEST_CASE("zookeeper: killing a minority follower changes nothing", "[zookeeper][failover]") {
  ZkWorld w(3, kZkLatency, constant_start());
  w.launch_all(sim::SimTime::zero());
  w.engine.schedule_at(sim::seconds(5), [&] { w.net.crash_process(w.zk(1).process()); });
  w.engine.run_until(sim::seconds(60));
  INFO(w.dump());
  REQUIRE(w.times("zookeeper.quorum").size() == 1);
  REQUIRE(w.zk(3).state() == ZooKeeperState::kLeading);
  REQUIRE(w.zk(2).state() == ZooKeeperState::kFollowing);
  REQUIRE(w.zk(3).serving_epoch() == 1);
  REQUIRE(count_events(w, "master-3", "step_down") == 0);
  REQUIRE(count_events(w, "master-2", "step_down") == 0);
}

TEST_CASE("zookeeper: with a majority down there is never a quorum, and the run ends",
          "[zookeeper][failover]") {
  ZkWorld w(3, kZkLatency, constant_start());
  w.launch_all(sim::SimTime::zero());
  w.engine.schedule_at(sim::seconds(5), [&] {
    w.net.crash_process(w.zk(1).process());
    w.net.crash_process(w.zk(2).process());
  });
  const auto outcome = w.engine.run_until(sim::minutes(10));
  INFO(w.dump());
  REQUIRE(outcome == sim::RunOutcome::kReachedLimit);
  REQUIRE(w.engine.now() == sim::minutes(10));
  REQUIRE(w.times("zookeeper.quorum").size() == 1);
  // The leader loses its synced quorum at its next whole-tick check and looks forever.
  REQUIRE(w.zk(3).state() == ZooKeeperState::kLooking);
  REQUIRE(count_events(w, "master-3", "step_down") == 1);
  REQUIRE(w.ensemble->serving_leader() == 0);
}

TEST_CASE("zookeeper: restarted servers keep their epochs, a new election raises the epoch",
          "[zookeeper][failover]") {
  ZkWorld w(3, kZkLatency, constant_start());
  w.launch_all(sim::SimTime::zero());
  w.engine.schedule_at(sim::seconds(5), [&] {
    for (int sid = 1; sid <= 3; ++sid) w.zk(sid).kill();
  });
  w.launch_all(sim::seconds(10));
  w.engine.run_until(sim::seconds(30));
  INFO(w.dump());
  REQUIRE(w.details("zookeeper.quorum") ==
          std::vector<std::string>{"leader master-3, epoch 1", "leader master-3, epoch 2"});
  REQUIRE(w.zk(1).accepted_epoch() == 2);
}

TEST_CASE("zookeeper: the single-leader check catches a leader that does not step down",
          "[zookeeper][safety]") {
  const bool broken = GENERATE(false, true);
  models::ZooKeeperServer::Options options;
  options.testing_skip_step_down = broken;
  ZkWorld w(3, kZkLatency, constant_start(), options);
  w.launch_all(sim::SimTime::zero());
  // Isolate the leader from both followers.
  w.engine.schedule_at(sim::seconds(5), [&] { w.net.partition({{w.node(3)}}); });
  w.engine.run_until(sim::seconds(60));
  INFO(w.dump());
  // Either way the majority side elects a new leader with a higher epoch.
  REQUIRE(w.details("zookeeper.quorum").size() == 2);
  REQUIRE(w.details("zookeeper.quorum")[1] == "leader master-2, epoch 2");
  const auto& v = w.ctx->violations();
  if (broken) {
    REQUIRE(v.size() == 1);
    CHECK(v[0].rule == "single-zookeeper-leader");
    CHECK(v[0].nodes == "master-2,master-3");
    CHECK(w.zk(3).state() == ZooKeeperState::kLeading);
  } else {
    REQUIRE(v.empty());
    CHECK(w.zk(3).state() == ZooKeeperState::kLooking);
  }
}

// ------------------------------------------------------------------------------------------
// Sessions, znodes, watches.

namespace {

// A world with a formed quorum and a client process on each agent.
struct SessionWorld {
  explicit SessionWorld(int agents = 2) : w(3, kZkLatency, constant_start(), {}, 1, agents) {
    w.launch_all(sim::SimTime::zero());
    for (int i = 0; i < agents; ++i) {
      const sim::ProcessId p = w.net.add_process(w.topology.agents[i].node, "client");
      w.net.start_process(p);
      procs.push_back(p);
    }
    w.engine.run_until(sim::seconds(2));
    REQUIRE(w.ensemble->serving_leader() == 3);
  }
  std::unique_ptr<ZooKeeperClient> client(int agent, sim::SimTime timeout,
                                          ZooKeeperClient::Options o = {}) {
    auto c = std::make_unique<ZooKeeperClient>(*w.ctx, procs.at(agent),
                                               w.ensemble->client_addresses(), timeout, o);
    c->connect();
    return c;
  }
  void run_for(sim::SimTime d) { w.engine.run_until(w.engine.now() + d); }
  ZkWorld w;
  std::vector<sim::ProcessId> procs;
};

}  // namespace

TEST_CASE("zookeeper client: negotiated timeout is clamped to 2..20 ticks", "[zookeeper][client]") {
  SessionWorld s;
  auto short_one = s.client(0, sim::seconds(1));
  auto long_one = s.client(1, sim::seconds(100));
  s.run_for(sim::seconds(3));
  REQUIRE(short_one->state() == SessionState::kConnected);
  REQUIRE(long_one->state() == SessionState::kConnected);
  CHECK(short_one->negotiated_timeout() == sim::seconds(4));
  CHECK(long_one->negotiated_timeout() == sim::seconds(40));
  CHECK(short_one->session_id() != long_one->session_id());
}

TEST_CASE("zookeeper client: sequential names increase, watches fire once", "[zookeeper][client]") {
  SessionWorld s;
  auto a = s.client(0, sim::seconds(10));
  auto b = s.client(1, sim::seconds(10));
  std::vector<std::string> created;
  a->create("/mesos", "", CreateMode::kPersistent,
            [](ZkError e, const std::string&) { REQUIRE(e == ZkError::kOk); });
  for (int i = 0; i < 3; ++i) {
    a->create("/mesos/json.info_", "m", CreateMode::kEphemeralSequential,
              [&](ZkError e, const std::string& path) {
                REQUIRE(e == ZkError::kOk);
                created.push_back(path);
              });
  }
  s.run_for(sim::seconds(1));
  REQUIRE(created == std::vector<std::string>{"/mesos/json.info_0000000000",
                                              "/mesos/json.info_0000000001",
                                              "/mesos/json.info_0000000002"});
  int fired = 0;
  std::vector<std::string> seen;
  b->get_children(
      "/mesos",
      [&](const WatchEvent& e) {
        ++fired;
        CHECK(e.type == WatchEventType::kNodeChildrenChanged);
      },
      [&](ZkError e, const std::vector<std::string>& children) {
        REQUIRE(e == ZkError::kOk);
        seen = children;
      });
  s.run_for(sim::seconds(1));
  REQUIRE(seen.size() == 3);
  a->remove("/mesos/json.info_0000000000", [](ZkError e) { REQUIRE(e == ZkError::kOk); });
  a->remove("/mesos/json.info_0000000001", [](ZkError e) { REQUIRE(e == ZkError::kOk); });
  s.run_for(sim::seconds(1));
  CHECK(fired == 1);  // one-shot
  a->create("/mesos/x", "", CreateMode::kPersistent,
            [](ZkError e, const std::string&) { CHECK(e == ZkError::kOk); });
  a->create("/mesos/x", "", CreateMode::kPersistent,
            [](ZkError e, const std::string&) { CHECK(e == ZkError::kNodeExists); });
  a->remove("/nope", [](ZkError e) { CHECK(e == ZkError::kNoNode); });
  a->create("/mesos/json.info_0000000002/child", "", CreateMode::kPersistent,
            [](ZkError e, const std::string&) { CHECK(e == ZkError::kNoChildrenForEphemerals); });
  s.run_for(sim::seconds(1));
}

TEST_CASE("zookeeper client: a crashed client host's ephemeral nodes vanish after the timeout",
          "[zookeeper][client]") {
  SessionWorld s;
  auto a = s.client(0, sim::seconds(10));
  auto b = s.client(1, sim::seconds(10));
  a->create("/leader", "a", CreateMode::kEphemeral,
            [](ZkError e, const std::string&) { REQUIRE(e == ZkError::kOk); });
  s.run_for(sim::seconds(1));
  std::optional<sim::SimTime> deleted_at;
  b->exists(
      "/leader",
      [&](const WatchEvent& e) {
        CHECK(e.type == WatchEventType::kNodeDeleted);
        deleted_at = s.w.engine.now();
      },
      [](ZkError e, bool exists) {
        REQUIRE(e == ZkError::kOk);
        REQUIRE(exists);
      });
  s.run_for(sim::seconds(1));
  const sim::SimTime crash_at = s.w.engine.now();
  s.w.net.crash_node(s.w.topology.agents[0].node);
  s.run_for(sim::seconds(30));
  INFO(s.w.dump());
  REQUIRE(deleted_at.has_value());
  // The leader last heard of the session at most a ping interval (timeout/3) before the
  // crash; it expires it at its first whole-tick check after the timeout.
  CHECK(*deleted_at - crash_at >= sim::seconds(10) - sim::seconds(10) / 3);
  CHECK(*deleted_at - crash_at <= sim::seconds(10) + kZkTick + sim::milliseconds(20));
  CHECK(s.w.zk(1).data_tree().nodes.count("/leader") == 0);
  CHECK(b->state() == SessionState::kConnected);
}

TEST_CASE("zookeeper client: reconnects to another server within the session",
          "[zookeeper][client]") {
  SessionWorld s;
  auto a = s.client(0, sim::seconds(10));
  s.run_for(sim::seconds(1));
  REQUIRE(a->state() == SessionState::kConnected);
  const std::int64_t id = a->session_id();
  a->create("/e", "", CreateMode::kEphemeral, [](ZkError, const std::string&) {});
  s.run_for(sim::seconds(1));
  std::vector<SessionEvent> events;
  a->on_session_event([&](SessionEvent e) { events.push_back(e); });
  const sim::NodeId first = a->connected_server()->node;
  // Kill the process of the server the client uses (if it is the leader, a re-election too).
  for (int sid = 1; sid <= 3; ++sid) {
    if (s.w.node(sid) == first) s.w.net.crash_process(s.w.zk(sid).process());
  }
  s.run_for(sim::seconds(8));
  INFO(s.w.dump());
  REQUIRE(a->state() == SessionState::kConnected);
  CHECK(a->session_id() == id);
  CHECK(a->connected_server()->node != first);
  CHECK(events == std::vector<SessionEvent>{SessionEvent::kDisconnected, SessionEvent::kConnected});
  bool exists = false;
  a->exists("/e", nullptr, [&](ZkError e, bool x) {
    CHECK(e == ZkError::kOk);
    exists = x;
  });
  s.run_for(sim::seconds(1));
  CHECK(exists);
}

TEST_CASE("zookeeper client: expiry is learnt on reconnect, or locally with a timer",
          "[zookeeper][client]") {
  const bool local = GENERATE(false, true);
  SessionWorld s;
  ZooKeeperClient::Options o;
  o.expiry = local ? models::ExpiryDetection::kLocalTimer : models::ExpiryDetection::kOnReconnect;
  auto a = s.client(0, sim::seconds(10), o);
  s.run_for(sim::seconds(1));
  std::vector<std::pair<SessionEvent, sim::SimTime>> events;
  a->on_session_event([&](SessionEvent e) { events.emplace_back(e, s.w.engine.now()); });
  const sim::SimTime cut = s.w.engine.now();
  std::vector<sim::NodeId> masters;
  for (int sid = 1; sid <= 3; ++sid) masters.push_back(s.w.node(sid));
  s.w.net.partition({masters});
  s.run_for(sim::seconds(20));
  s.w.net.heal();
  s.run_for(sim::seconds(10));
  INFO(s.w.dump());
  REQUIRE(a->state() == SessionState::kExpired);
  REQUIRE(events.size() == 2);
  CHECK(events[0].first == SessionEvent::kDisconnected);
  CHECK(events[1].first == SessionEvent::kExpired);
  if (local) {
    CHECK(events[1].second - cut <= sim::seconds(10));
  } else {
    CHECK(events[1].second >= cut + sim::seconds(20));  // only after the heal
  }
  bool failed = false;
  a->exists("/", nullptr, [&](ZkError e, bool) { failed = e == ZkError::kSessionExpired; });
  CHECK(failed);
}
