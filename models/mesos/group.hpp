// Mesos master election in ZooKeeper, as libmesos does it: the group of ephemeral sequential
// znodes under /mesos (src/zookeeper/group.cpp), the contender that joins it
// (src/zookeeper/contender.cpp, src/master/contender/zookeeper.cpp), the detector that watches
// it (src/zookeeper/detector.cpp, src/master/detector/zookeeper.cpp), the master's reaction to
// both (src/master/master.cpp contended/lostCandidacy/detected).
//
//   MasterDetector detector(ctx, agent_process, zookeeper_servers(ctx.topology()),
//                           ctx.params().duration("mesos-master.zk_session_timeout"),
//                           [&](const std::optional<DetectedMaster>& m) { /* m->node */ });
//   detector.start();
//
// Contract:
// - Everything goes through ZooKeeperClient sessions of the owner process, so ZooKeeper's
//   latencies, session expiry, partitions and crashes apply. Like Mesos, the contender and the
//   detector each own a group, hence a session of their own (the master runs both).
// - A group's session expires locally once it has been disconnected for the session timeout
//   (ExpiryDetection::kLocalTimer, group.cpp `reconnecting`/`timedout`); it then reports every
//   membership gone, cancels the memberships it owns and opens a new session.
// - After a retryable error (connection loss) a group retries after 2 s, doubling up to 60 s,
//   and at once when the connection comes back (group.cpp RETRY_INTERVAL, `retry`, `connected`).
// - The leader is the member with the lowest sequence number, of any label; non-numeric
//   children (e.g. log_replicas) are skipped (detector.cpp, group.cpp `cache`).
// - Callbacks run in the owner process's context. An owner may destroy the object from inside
//   one of its callbacks (a master exits when it loses leadership): nothing runs after that.
//   If the owner process dies, nothing runs either (process-scoped timers and handlers).
// - Deterministic: ordered containers; draws only in ZooKeeperClient, from streams named
//   "<process>/zk-client/<name>#<session number>".
//
// Simplifications (one line each):
// - No authentication or ACLs: group.cpp's AUTHENTICATED step is skipped.
// - ZooKeeper calls are issued one at a time per group, as group.cpp's blocking calls are.
// - A non-retryable ZooKeeper error is logged and retried instead of aborting the group.
// - MasterInfo carries the hostname and a per-incarnation id only (no pid, port, version).
// - contend() while already a candidate does nothing (Mesos would withdraw the old znode first).
// - A create whose answer is lost to a connection loss is retried, leaving the first znode, if
//   it was made, as an unowned member until its session ends: group.cpp behaves the same way.
#pragma once

#include <cstdint>
#include <functional>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "models/core/run_context.hpp"
#include "models/zookeeper/client.hpp"
#include "sim/network.hpp"

namespace bootsim::models {

// The group Mesos masters join (mesos-master --zk=zk://…/mesos) and the znode label they use
// (src/master/constants.hpp MASTER_INFO_JSON_LABEL).
inline constexpr std::string_view kMesosGroupPath = "/mesos";
inline constexpr std::string_view kMasterInfoLabel = "json.info";

// The masters' ZooKeeper client addresses (port 2181), in topology order: what the
// zk://zk-1.zk:2181,…/mesos URL of DC/OS resolves to.
std::vector<sim::Address> zookeeper_servers(const Topology& topology);

// The znode data: the master's identity, as JSON (mesos::MasterInfo, reduced).
struct MasterInfo {
  std::string hostname;  // node name, e.g. "master-1"
  std::string id;        // unique per master process incarnation, e.g. "master-1-2"
  std::string to_json() const;
  static std::optional<MasterInfo> from_json(std::string_view json);
  friend bool operator==(const MasterInfo&, const MasterInfo&) = default;
};

// What a detector reports: the leading master and the znode that makes it lead.
struct DetectedMaster {
  MasterInfo info;
  sim::NodeId node;   // where to send messages (port 5050)
  int sequence = 0;   // of its znode
  std::string znode;  // e.g. "json.info_0000000003"
};

// The group's own lifecycle (group.cpp's state, without AUTHENTICATED).
enum class GroupState {
  kConnecting,  // waiting for a session (a new one after each expiry)
  kConnected,   // session established; the group path may not exist yet
  kReady,       // the group path exists: joins, reads and watches can go
};
std::string_view to_string(GroupState s);

struct GroupOptions {
  // Mesos' group expires sessions locally; other clients (Mesos-DNS' Go library) may not.
  ExpiryDetection expiry = ExpiryDetection::kLocalTimer;
  // Distinguishes the groups of one process in random streams and traces.
  std::string name = "group";
};

enum class ContenderState {
  kIdle,       // not contending
  kJoining,    // the znode is being created
  kCandidate,  // the znode exists
  kLost,       // the candidacy was lost (session expired or znode gone)
};
std::string_view to_string(ContenderState s);

// The master contender: an ephemeral sequential znode `/mesos/json.info_<seq>` holding the
// master's info. Reports on_contending once the znode exists, on_candidacy_lost when the
// session expires or the znode disappears (the candidacy future fails in Mesos).
class MasterContender {
 public:
  struct Callbacks {
    std::function<void(const std::string& znode)> on_contending;
    std::function<void(const std::string& reason)> on_candidacy_lost;
  };
  MasterContender(RunContext& ctx, sim::ProcessId owner, std::vector<sim::Address> servers,
                  sim::SimTime session_timeout, MasterInfo info, Callbacks callbacks,
                  GroupOptions options = {.expiry = ExpiryDetection::kLocalTimer,
                                          .name = "contender"});
  MasterContender(const MasterContender&) = delete;
  MasterContender& operator=(const MasterContender&) = delete;
  ~MasterContender();

  // Joins the group (again after a loss: a new znode, at the back of the line).
  void contend();
  ContenderState state() const;
  std::optional<std::string> znode() const;  // e.g. "json.info_0000000002"
  std::optional<int> sequence() const;
  // The ZooKeeper server of the current session, if connected.
  std::optional<sim::Address> connected_server() const;

 private:
  struct Impl;
  std::shared_ptr<Impl> impl_;
};

// The master detector: watches /mesos (one-shot watches re-armed), the lowest sequence leads,
// reads its data, and reports every change of the leading master, including "no leader".
class MasterDetector {
 public:
  using LeaderCallback = std::function<void(const std::optional<DetectedMaster>& leader)>;
  MasterDetector(RunContext& ctx, sim::ProcessId owner, std::vector<sim::Address> servers,
                 sim::SimTime session_timeout, LeaderCallback on_leader_change,
                 GroupOptions options = {.expiry = ExpiryDetection::kLocalTimer,
                                         .name = "detector"});
  MasterDetector(const MasterDetector&) = delete;
  MasterDetector& operator=(const MasterDetector&) = delete;
  ~MasterDetector();

  void start();
  // The leader as last reported.
  const std::optional<DetectedMaster>& leader() const;
  std::optional<sim::Address> connected_server() const;

 private:
  struct Impl;
  std::shared_ptr<Impl> impl_;
};

// The election of one master process incarnation (master.cpp): contends and detects; elected
// when the detector names this master; a leader that loses its candidacy or sees another (or
// no) leader loses leadership (Mesos then exits: "committing suicide"); a master that loses its
// candidacy while not leading contends again. Records the milestones
// `mesos-master.contending` (per master, detail: znode) and `mesos-master.elected` (node
// "cluster", about the master: RunContext::subject, and its name as detail), each again on every
// re-contention / re-election.
enum class ElectionState {
  kIdle,         // start() not called
  kContending,   // joining the group
  kCandidate,    // in the group, another master leads (or none yet)
  kElected,      // the detector names this master
  kSteppedDown,  // lost leadership; the owner is expected to exit
};
std::string_view to_string(ElectionState s);

class MesosMasterElection {
 public:
  struct Options {
    // Test only: a master that loses its session or sees another leader keeps leading (and
    // never steps down), so that tests can show the single-leader check catching it.
    bool testing_skip_step_down = false;
  };
  struct Callbacks {
    std::function<void()> on_elected;  // start recovering the registry
    // The master must stop leading and exit; may destroy the election from inside.
    std::function<void(const std::string& reason)> on_lost_leadership;
    // Every change of the detected leader (for /master/state's "leader" field); optional.
    std::function<void(const std::optional<DetectedMaster>&)> on_leader_change;
  };
  // Reads mesos-master.zk_session_timeout; connects to zookeeper_servers(ctx.topology()).
  MesosMasterElection(RunContext& ctx, sim::ProcessId process, Callbacks callbacks,
                      Options options);
  MesosMasterElection(RunContext& ctx, sim::ProcessId process, Callbacks callbacks)
      : MesosMasterElection(ctx, process, std::move(callbacks), Options{}) {}
  MesosMasterElection(const MesosMasterElection&) = delete;
  MesosMasterElection& operator=(const MesosMasterElection&) = delete;
  ~MesosMasterElection();

  void start();
  ElectionState state() const;
  bool elected() const { return state() == ElectionState::kElected; }
  const MasterInfo& info() const;
  // The leader as this master's detector last reported it.
  const std::optional<DetectedMaster>& leader() const;
  const MasterContender& contender() const;
  const MasterDetector& detector() const;

 private:
  struct Impl;
  std::shared_ptr<Impl> impl_;
};

}  // namespace bootsim::models
