// ZooKeeper 3.4 at protocol level: a server per master (Fast Leader Election, Zab discovery,
// sync and broadcast, the leader's session tracker, the data tree with watches), the ensemble
// that owns the servers and checks them, and the wire messages the client (zookeeper_client.hpp)
// speaks on port 2181.
//
//   ZooKeeperEnsemble ensemble(ctx);        // one server per master, processes "<node>/zookeeper"
//   ensemble.server(2).launch();            // what Exhibitor does; the JVM starts, then FLE, Zab
//
// Contract:
// - Servers talk only over the kernel network: elections on 3888 (one connection per pair, the
//   larger sid's connection kept), learners to the leader on 2888, clients on 2181. A crashed
//   process resets its connections (peers react within a latency); a crashed or partitioned
//   host is noticed only through the protocol's timeouts (cnxTimeout, initLimit, syncLimit).
// - What lives on disk in real ZooKeeper (acceptedEpoch, currentEpoch, the transaction log, hence
//   the last zxid, the committed data tree and the session table) survives process and host
//   restarts: ZooKeeper fsyncs them before it acknowledges. Everything else (election state,
//   connections, watches, the leader's session deadlines) is lost when the process dies.
// - Every timing comes from Parameters (zookeeper.*); the ZooKeeper source constants that have
//   no parameter are named where they are used.
// - Deterministic: peers are iterated in sid order, maps are ordered, draws come from one
//   stream per server ("<node>/zookeeper").
// - The ensemble records milestones zookeeper.started / zookeeper.serving (per master) and
//   zookeeper.quorum (node "cluster", once per epoch), every state change as an event, and the
//   "single-zookeeper-leader" violation. Cost: O(servers) per election message; O(log n) per
//   znode operation.
#pragma once

#include <cstdint>
#include <deque>
#include <map>
#include <memory>
#include <optional>
#include <set>
#include <string>
#include <string_view>
#include <vector>

#include "models/core/run_context.hpp"
#include "sim/network.hpp"

namespace bootsim::models {

// ------------------------------------------------------------------------------------------
// The data model shared by servers and clients.

enum class CreateMode { kPersistent, kEphemeral, kPersistentSequential, kEphemeralSequential };
enum class ZkError {
  kOk,
  kNoNode,
  kNodeExists,
  kNotEmpty,
  kNoChildrenForEphemerals,
  kConnectionLoss,  // the connection broke before the answer came; the outcome is unknown
  kSessionExpired,
  kClosed,  // the client was closed (or never connected) before the request could be sent
};
std::string_view to_string(ZkError e);

enum class WatchEventType { kNodeCreated, kNodeDeleted, kNodeDataChanged, kNodeChildrenChanged };
std::string_view to_string(WatchEventType t);
struct WatchEvent {
  WatchEventType type = WatchEventType::kNodeCreated;
  std::string path;
};

using Zxid = std::uint64_t;
constexpr Zxid make_zxid(std::uint64_t epoch, std::uint64_t counter) {
  return (epoch << 32) | (counter & 0xffffffffu);
}
constexpr std::uint64_t epoch_of(Zxid z) {
  return z >> 32;
}

struct Znode {
  std::string data;
  std::int64_t ephemeral_owner = 0;  // session id, 0 for persistent nodes
  Zxid czxid = 0;
  Zxid mzxid = 0;
  Zxid pzxid = 0;             // last change to the children
  std::int64_t cversion = 0;  // bumps on each child change; names sequential children
};

// One transaction of the replicated log, as the leader's PrepRequestProcessor produced it.
enum class TxnType { kCreateSession, kCloseSession, kCreate, kDelete, kSetData, kError };
struct Txn {
  TxnType type = TxnType::kError;
  Zxid zxid = 0;
  std::int64_t session = 0;
  std::string path;  // the actual path (sequential suffix included)
  std::string data;
  std::int64_t ephemeral_owner = 0;
  sim::SimTime timeout;  // kCreateSession
  ZkError error = ZkError::kOk;
  // Who waits for the answer: the server the client is connected to, and the request there.
  int origin_sid = 0;
  std::uint32_t origin_connection = 0;
  std::int32_t origin_xid = 0;
};

// The replicated state machine: znodes by path, the session table. Applied in zxid order.
struct DataTree {
  DataTree();
  std::map<std::string, Znode> nodes;             // "/" is always present
  std::map<std::int64_t, sim::SimTime> sessions;  // session id → negotiated timeout
  Zxid last_applied = 0;

  std::vector<std::string> children(const std::string& path) const;  // names, sorted
  static std::string parent_of(const std::string& path);
  // Applies a committed transaction; returns the watch events it triggers (real ZooKeeper's
  // DataTree.processTxn and WatchManager.triggerWatch).
  std::vector<WatchEvent> apply(const Txn& txn);
};

// Client operations on the wire.
enum class ZkOp { kCreate, kDelete, kExists, kGetData, kGetChildren, kSetData, kCloseSession };

// ------------------------------------------------------------------------------------------
// The client protocol (port 2181). Payloads the client and the server exchange.
namespace zkwire {
struct ConnectRequest final : sim::Payload {
  std::int64_t session_id = 0;  // 0: a new session
  sim::SimTime timeout;
  Zxid last_zxid_seen = 0;
  std::string_view kind() const override { return "zk.ConnectRequest"; }
};
struct ConnectResponse final : sim::Payload {
  std::int64_t session_id = 0;
  sim::SimTime timeout;  // zero: the session has expired (what the real server answers)
  std::string_view kind() const override { return "zk.ConnectResponse"; }
};
struct Request final : sim::Payload {
  std::int32_t xid = 0;
  ZkOp op = ZkOp::kExists;
  std::string path;
  std::string data;
  CreateMode mode = CreateMode::kPersistent;
  bool watch = false;
  std::string_view kind() const override { return "zk.Request"; }
};
struct Response final : sim::Payload {
  std::int32_t xid = 0;
  ZkError error = ZkError::kOk;
  Zxid zxid = 0;
  std::string path;  // create: the created path
  std::string data;
  std::vector<std::string> children;
  bool exists = false;
  std::string_view kind() const override { return "zk.Response"; }
};
struct Ping final : sim::Payload {
  std::string_view kind() const override { return "zk.Ping"; }
};
struct PingReply final : sim::Payload {
  std::string_view kind() const override { return "zk.PingReply"; }
};
struct WatchNotification final : sim::Payload {
  WatchEvent event;
  std::string_view kind() const override { return "zk.WatchEvent"; }
};
// Sent after a reconnect: the watches the client still holds, relative to what it had seen.
struct SetWatches final : sim::Payload {
  Zxid relative_zxid = 0;
  std::vector<std::string> data_watches;
  std::vector<std::string> exist_watches;
  std::vector<std::string> child_watches;
  std::string_view kind() const override { return "zk.SetWatches"; }
};
// A four-letter command (`srvr`, `stat`, `ruok`): answered whatever the server's state, then
// the server closes the connection.
struct FourLetterWord final : sim::Payload {
  std::string word;
  std::string_view kind() const override { return "zk.FourLetterWord"; }
};
struct FourLetterReply final : sim::Payload {
  bool serving = false;
  std::string mode;  // "leader", "follower", "standalone", or "" when not serving
  std::string
      text;  // "Mode: follower" or "This ZooKeeper instance is not currently serving requests"
  std::string_view kind() const override { return "zk.FourLetterReply"; }
};
}  // namespace zkwire

// ------------------------------------------------------------------------------------------
// The server.

// The model's lifecycle. ZooKeeper's own peer state (LOOKING/FOLLOWING/LEADING) is
// peer_state_name(); the model splits FOLLOWING and LEADING into syncing and serving.
enum class ZooKeeperState {
  kDown,           // process not running
  kStarting,       // JVM starting, client port not bound yet
  kSettingUp,      // client port bound; quorum peer set-up before the first election
  kLooking,        // Fast Leader Election
  kFollowingSync,  // FOLLOWING: connecting to the leader, discovery, sync
  kFollowing,      // FOLLOWING and serving (got UPTODATE)
  kLeadingSync,    // LEADING: waiting for a quorum of followers, epoch and NEWLEADER acks
  kLeading,        // LEADING and serving (a quorum acked NEWLEADER)
  kStandalone,     // a one-server ensemble: serving once the client port is bound
};
std::string_view to_string(ZooKeeperState s);

// FLE's ServerState, carried in every notification.
enum class PeerState { kLooking, kFollowing, kLeading };
std::string_view to_string(PeerState s);

// Releases whose differing constants the model knows (Learner.connectToLeader's retry sleep).
enum class ZooKeeperVersion { k3_4, k3_8 };

// The timings a server reads from Parameters once.
struct ZooKeeperConfig {
  sim::SimTime tick;
  std::int64_t init_limit = 10;
  std::int64_t sync_limit = 5;
  sim::SimTime finalize_wait;
  sim::SimTime max_notification_interval;
  sim::SimTime cnx_timeout;
  sim::Distribution server_start;
  sim::SimTime setup_before_looking;
  // Learner.connectToLeader's sleep between its 5 tries: 1000 ms in 3.4, 100 ms in 3.8
  // (zookeeper.leaderConnectDelayDuringRetryMs); from Parameters when the key exists.
  sim::SimTime learner_retry_delay;
  // Writing and fsyncing a snapshot of a small tree: the new leader's loadData() takes one
  // before it accepts learners, and a follower takes one before it acks NEWLEADER
  // (Learner.syncWithLeader). From `zookeeper.snapshot_write` when that key exists, else 0.
  sim::SimTime snapshot_write;
  static ZooKeeperConfig from(const Parameters& params,
                              ZooKeeperVersion version = ZooKeeperVersion::k3_4);
  sim::SimTime min_session_timeout() const { return tick * 2; }   // QuorumPeer: 2 ticks
  sim::SimTime max_session_timeout() const { return tick * 20; }  // QuorumPeer: 20 ticks
};

class ZooKeeperEnsemble;

class ZooKeeperServer {
 public:
  struct Options {
    // Which release's constants apply where they differ: DC/OS ships 3.4; the calibration
    // measurements are of 3.8.
    ZooKeeperVersion version = ZooKeeperVersion::k3_4;
    // Test only: a leader that has lost its quorum keeps leading and serving (breaks Zab's
    // step-down so that tests can show the single-leader check catching it).
    bool testing_skip_step_down = false;
  };

  ZooKeeperServer(RunContext& ctx, ZooKeeperEnsemble& ensemble, int sid, sim::ProcessId process,
                  Options options);
  ZooKeeperServer(const ZooKeeperServer&) = delete;
  ZooKeeperServer& operator=(const ZooKeeperServer&) = delete;
  ~ZooKeeperServer();

  // Starts the process (if down) and the JVM: client port after zookeeper.server_start, then
  // the election. Volatile state starts afresh; the disk state is kept.
  void launch();
  // Kills the process (host alive: its connections reset at once).
  void kill();

  int sid() const { return sid_; }
  sim::ProcessId process() const { return process_; }
  const std::string& node_name() const { return node_name_; }
  // kDown whenever the process incarnation this object ran is gone (whoever killed it).
  ZooKeeperState state() const;
  bool serving() const;
  PeerState peer_state() const;
  int leader_sid() const;  // the leader it follows or is; 0 if none
  std::uint64_t current_epoch() const { return disk_.current_epoch; }
  std::uint64_t accepted_epoch() const { return disk_.accepted_epoch; }
  Zxid last_zxid() const { return disk_.last_zxid; }
  std::uint64_t serving_epoch() const { return serving_epoch_; }
  // The process incarnation this object last launched (sim::Network::incarnation).
  std::uint64_t incarnation() const { return incarnation_; }
  const DataTree& data_tree() const { return disk_.tree; }
  // The latest zookeeper.serving / zookeeper.started records of this server, for gate causes.
  std::optional<sim::RecordId> latest_serving_record() const { return serving_record_; }
  std::optional<sim::RecordId> latest_started_record() const { return started_record_; }

 private:
  struct Vote {
    int leader = 0;
    Zxid zxid = 0;
    std::uint64_t election_epoch = 0;
    std::uint64_t peer_epoch = 0;
    bool same_as(const Vote& o) const {
      return leader == o.leader && zxid == o.zxid && election_epoch == o.election_epoch &&
             peer_epoch == o.peer_epoch;
    }
  };
  struct Notification;
  struct ElectionHello;
  struct QuorumPacket;
  struct PeerLink {
    std::optional<sim::ConnectionId> connection;
    bool connecting = false;
    bool has_pending = false;  // QuorumCnxManager keeps only the latest message per peer
    std::shared_ptr<const sim::Payload> pending;
    std::shared_ptr<const sim::Payload> last_sent;
  };
  struct LearnerHandle {
    sim::ConnectionId connection;
    int sid = 0;
    std::uint64_t accepted_epoch = 0;
    Zxid last_zxid = 0;
    bool epoch_acked = false;
    bool synced_sent = false;
    bool newleader_acked = false;
    bool uptodate_sent = false;
    sim::SimTime last_heard;
  };
  struct Proposal {
    Txn txn;
    std::set<int> acks;
  };
  struct ClientCnx {
    sim::ConnectionId connection;
    std::int64_t session = 0;
    sim::SimTime timeout;
    bool established = false;
    std::deque<std::shared_ptr<const zkwire::Request>> queue;
    bool waiting_write = false;
    std::int32_t waiting_xid = 0;
    std::set<std::string> data_watches;   // exists and getData watches
    std::set<std::string> child_watches;  // getChildren watches
  };
  struct Disk {
    std::uint64_t accepted_epoch = 0;
    std::uint64_t current_epoch = 0;
    Zxid last_zxid = 0;
    DataTree tree;
    std::uint64_t session_counter = 0;
  };

  bool alive() const;
  sim::Network& net();
  int ensemble_size() const;
  int quorum() const;
  void transition(ZooKeeperState next, std::string_view why);
  void log(std::string_view event, std::string detail);

  // start-up
  void on_client_port_bound();
  void start_looking(std::string_view why);

  // Fast Leader Election
  Vote initial_vote() const;
  void send_notifications();
  void queue_notification(int peer, const Vote& v, PeerState state);
  void pump_sender();
  void connect_election(int peer, bool from_sender);
  void on_election_open(int peer, sim::ConnectionId c);
  void on_election_connect_done(int peer);
  void on_election_closed(int peer, sim::ConnectionId c);
  void flush_peer(int peer, bool new_connection);
  void on_election_message(sim::ConnectionId c, const sim::Message& m);
  void on_notification(const Notification& n);
  void process_looking_notification(const Notification& n);
  void arm_poll_timer();
  void on_poll_timeout();
  void enter_finalize();
  void arm_finalize_timer();
  void on_finalize_timeout();
  void decide(const Vote& v, std::string_view how);
  bool better(int id, Zxid zxid, std::uint64_t epoch, int cur_id, Zxid cur_zxid,
              std::uint64_t cur_epoch) const;
  bool has_quorum(const std::map<int, Vote>& votes, const Vote& v,
                  bool ignore_election_epoch) const;

  // Zab: leader side
  void lead();
  void bind_quorum_port();
  void on_learner_accepted(sim::ConnectionId c);
  void on_learner_message(sim::ConnectionId c, const QuorumPacket& p);
  void on_learner_closed(sim::ConnectionId c);
  void maybe_decide_epoch();
  void send_leader_info(LearnerHandle& l);
  void maybe_finish_epoch_ack();
  void sync_learner(LearnerHandle& l);
  void maybe_start_serving_as_leader();
  void send_uptodate(LearnerHandle& l);
  void leader_half_tick(std::uint64_t phase);
  void leader_give_up(std::string reason, bool sleep_tick);
  bool check_leader(int leader, std::uint64_t election_epoch) const;
  void reset_volatile();
  void connect_all();
  bool have_delivered() const;
  void forward_to_leader(std::uint32_t origin_connection, std::int64_t session,
                         std::shared_ptr<const zkwire::Request> req, bool create_session,
                         sim::SimTime timeout);
  void prepare_and_propose(int origin_sid, std::uint32_t origin_connection,
                           const zkwire::Request* req, std::int64_t session, bool create_session,
                           sim::SimTime timeout);
  void propose(Txn txn);
  void try_commit();
  void touch_session(std::int64_t session, sim::SimTime timeout);
  void check_session_expiry();
  void send_to_learner(LearnerHandle& l, std::shared_ptr<const QuorumPacket> p);

  // Zab: learner side
  void follow();
  void connect_to_leader(int attempt);
  void on_leader_message(const QuorumPacket& p);
  void learner_give_up(std::string reason);
  void arm_leader_silence_check();
  void on_leader_silence_check();
  void send_to_leader(std::shared_ptr<const QuorumPacket> p);

  // common
  void stop_serving_roles(std::string_view why);
  void became_serving(std::string detail);
  void apply_committed(const Txn& txn);

  // clients (port 2181)
  void on_client_accepted(sim::ConnectionId c);
  void on_client_message(sim::ConnectionId c, const sim::Message& m);
  void on_client_closed(sim::ConnectionId c);
  void handle_connect_request(ClientCnx& cnx, const zkwire::ConnectRequest& r);
  void finish_connect(std::uint32_t connection, std::int64_t session, bool valid);
  void process_client_queue(ClientCnx& cnx);
  void reply_read(ClientCnx& cnx, const zkwire::Request& r);
  void handle_set_watches(ClientCnx& cnx, const zkwire::SetWatches& w);
  void close_all_clients();
  void fire_watches(const std::vector<WatchEvent>& events);
  std::string srvr_mode() const;

  RunContext& ctx_;
  ZooKeeperEnsemble& ensemble_;
  const int sid_;
  const sim::ProcessId process_;
  const std::string node_name_;
  const Options options_;
  const ZooKeeperConfig cfg_;
  sim::RandomStream rng_;
  Disk disk_;

  // --- volatile: reset by launch() -------------------------------------------------------
  std::uint64_t incarnation_ = 0;
  ZooKeeperState state_ = ZooKeeperState::kDown;
  std::optional<sim::RecordId> serving_record_;
  std::optional<sim::RecordId> started_record_;
  std::uint64_t serving_epoch_ = 0;

  // election
  std::uint64_t logical_clock_ = 0;
  Vote proposal_;
  Vote current_vote_;  // the decided vote while FOLLOWING/LEADING
  std::map<int, Vote> recvset_;
  std::map<int, Vote> outofelection_;
  std::map<int, PeerState> outofelection_state_;
  sim::SimTime not_timeout_;
  bool finalizing_ = false;
  sim::TimerId poll_timer_;
  sim::TimerId finalize_timer_;
  std::map<int, PeerLink> peers_;  // by sid
  std::deque<int> send_queue_;     // peers with a message for the blocking sender
  int sender_waiting_on_ = 0;      // the peer whose blocking connect holds the sender, or 0
  std::map<std::uint32_t, int> election_conn_peer_;  // accepted connections → sid (after hello)
  bool election_listening_ = false;

  // Zab common
  int leader_sid_ = 0;
  std::uint64_t zab_epoch_ = 0;
  std::uint64_t role_generation_ = 0;  // bumps on every role change: stale timers ignore
  // leader
  std::map<std::uint32_t, LearnerHandle> learners_;  // by connection id
  std::set<int> connecting_;                         // FOLLOWERINFO received (self included)
  std::set<int> epoch_acks_;                         // ACKEPOCH received (self included)
  std::set<int> newleader_acks_;
  std::uint64_t proposed_epoch_ = 0;
  bool epoch_decided_ = false;
  bool epoch_acked_ = false;
  bool leader_serving_ = false;
  std::uint64_t zxid_counter_ = 0;
  std::deque<Proposal> outstanding_;
  DataTree pending_tree_;  // committed tree + outstanding proposals (outstandingChanges)
  std::map<std::int64_t, sim::SimTime> session_deadline_;
  bool quorum_listening_ = false;
  // learner
  std::optional<sim::ConnectionId> leader_connection_;
  sim::SimTime last_heard_leader_;
  sim::TimerId silence_timer_;
  bool learner_synced_ = false;
  bool got_leader_info_ = false;
  std::map<Zxid, Txn> learner_pending_;
  std::map<std::int64_t, sim::SimTime> touched_sessions_;
  std::map<std::int64_t, std::vector<std::uint32_t>> revalidating_;  // session → connections

  // clients
  std::map<std::uint32_t, ClientCnx> clients_;  // by connection id
  bool client_listening_ = false;
};

// ------------------------------------------------------------------------------------------
// The ensemble: owns one server per master, and checks the ensemble as a whole.
class ZooKeeperEnsemble {
 public:
  explicit ZooKeeperEnsemble(RunContext& ctx, ZooKeeperServer::Options options = {});
  // With explicit timings instead of ZooKeeperConfig::from(ctx.params()) (calibration).
  ZooKeeperEnsemble(RunContext& ctx, ZooKeeperServer::Options options, ZooKeeperConfig config);
  ZooKeeperEnsemble(const ZooKeeperEnsemble&) = delete;
  ZooKeeperEnsemble& operator=(const ZooKeeperEnsemble&) = delete;
  ~ZooKeeperEnsemble();

  int size() const { return static_cast<int>(servers_.size()); }
  int quorum() const { return size() / 2 + 1; }
  ZooKeeperServer& server(int sid);  // 1-based, as zk_id
  const ZooKeeperServer& server(int sid) const;
  // The server on `node`, if that node is a master.
  ZooKeeperServer* server_on(sim::NodeId node);
  // Every master's client address (port 2181), in sid order.
  std::vector<sim::Address> client_addresses() const;
  sim::NodeId node_of(int sid) const;
  const ZooKeeperConfig& config() const { return config_; }

  // The latest zookeeper.quorum record, if a quorum has formed.
  std::optional<sim::RecordId> latest_quorum_record() const { return quorum_record_; }
  // The sid of a leader currently serving with a quorum, or 0.
  int serving_leader() const;

  // Called by servers when they start or stop serving.
  void on_serving_changed(const ZooKeeperServer& server);

 private:
  // `was_paused`: the old leader was seen paused (SIGSTOP) at the previous look; it cannot step
  // down while paused, so its syncLimit grace restarts once it is seen running again.
  void check_stale_leader(int sid, std::uint64_t epoch, std::uint64_t incarnation, int new_leader,
                          std::uint64_t new_epoch, bool was_paused = false);

  RunContext& ctx_;
  ZooKeeperConfig config_;
  std::vector<std::unique_ptr<ZooKeeperServer>> servers_;  // index sid-1
  std::map<std::uint64_t, std::set<int>> leaders_by_epoch_;
  std::set<std::uint64_t> quorum_epochs_;
  std::optional<sim::RecordId> quorum_record_;
};

}  // namespace bootsim::models
