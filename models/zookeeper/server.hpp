// ZooKeeperServer: one ZooKeeper 3.4 server (a QuorumPeer) at protocol level, and its states.
// One class whose member functions are defined by concern, each file named after the part of
// real ZooKeeper it models:
//   server.cpp          identity, lifecycle (launch, kill), start-up, what both roles share
//   election.cpp        Fast Leader Election and its connections (QuorumCnxManager), port 3888
//   zab_leader.cpp      Zab's leader: discovery, sync, broadcast, liveness (port 2888), the
//                       request processor (PrepRequestProcessor) and the session tracker
//   zab_learner.cpp     Zab's learner (follower): connect, sync, follow, forward requests
//   client_service.cpp  port 2181: sessions, reads, writes, watches, four-letter words, and
//                       applying committed transactions (FinalRequestProcessor)
// The messages between servers are in quorum_wire.hpp.
//
//   ZooKeeperEnsemble ensemble(ctx);         // creates the servers (ensemble.hpp)
//   ZooKeeperServer& s = ensemble.server(2);
//   s.launch();                              // what Exhibitor does; the JVM starts, then FLE, Zab
//   if (s.serving()) { /* FOLLOWING or LEADING with a quorum behind it, or standalone */ }
//
// Contract:
// - A server talks only over the kernel network: elections on 3888 (one connection per pair,
//   the larger sid's connection kept), learners to the leader on 2888, clients on 2181. A
//   crashed process resets its connections (peers react within a latency); a crashed or
//   partitioned host is noticed only through the protocol's timeouts (cnxTimeout, initLimit,
//   syncLimit).
// - What lives on disk in real ZooKeeper (acceptedEpoch, currentEpoch, the transaction log, hence
//   the last zxid, the committed data tree and the session table) survives process and host
//   restarts: ZooKeeper fsyncs them before it acknowledges. Everything else (election state,
//   connections, watches, the leader's session deadlines) is lost when the process dies.
// - Every timing comes from ZooKeeperConfig (zookeeper.*); the ZooKeeper source constants that
//   have no parameter are named where they are used.
// - Deterministic: peers are iterated in sid order, maps are ordered, draws come from one
//   stream per server ("<node>/zookeeper").
// - Owned by its ZooKeeperEnsemble, which it tells when it starts or stops serving. It records
//   every state change as an event and zookeeper.started / zookeeper.serving as milestones.
// - Cost: O(servers) per election message; O(log n) per znode operation.
#pragma once

#include <cstdint>
#include <deque>
#include <list>
#include <map>
#include <memory>
#include <optional>
#include <set>
#include <string>
#include <string_view>
#include <vector>

#include "models/core/run_context.hpp"
#include "models/zookeeper/config.hpp"
#include "models/zookeeper/data_tree.hpp"
#include "models/zookeeper/wire.hpp"
#include "sim/cpu.hpp"
#include "sim/network.hpp"

namespace bootsim::models {

// The model's lifecycle. ZooKeeper's own peer state (LOOKING/FOLLOWING/LEADING) is
// peer_state(); the model splits FOLLOWING and LEADING into syncing and serving.
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
    // The cores this server's JVM shares with the other servers of the ensemble when they all
    // run on one host (the calibration's measuring machine): its start-up (server_start, then
    // setup_before_looking) is CPU work on it. Null: one server per host, start-up takes its
    // drawn duration (a DC/OS master). Must outlive the server.
    sim::SharedCpu* shared_cpu = nullptr;
    // Busy threads of each start-up phase on shared_cpu (1000 = one thread).
    std::int64_t start_threads_milli = 1000;
    std::int64_t setup_threads_milli = 1000;
    // The set-up's CPU work drawn per launch instead of zookeeper.setup_before_looking (JVMs
    // contending for one host's cores do not all need the same); only with shared_cpu.
    std::optional<sim::Distribution> setup_work;
    // A follower that lost its leader shuts its server down (Learner.shutdown, then
    // ZooKeeperServer.shutdown: request processors drained and joined) before it looks again:
    // CPU work drawn per step-down, on shared_cpu. Unset: it looks at once.
    std::optional<sim::Distribution> learner_shutdown_work;
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
  // What ZooKeeper logs as "LEADER ELECTION TOOK": from entering LOOKING to the decision, for
  // the latest election this incarnation decided; nullopt before its first.
  std::optional<sim::SimTime> last_election_took() const { return election_took_; }
  // The sessions of the client connections established here from `client`, ascending.
  std::vector<std::int64_t> sessions_of(sim::ProcessId client) const;
  // Expires `session` now, as the leader's session tracker does when its deadline passes: a
  // closeSession is proposed, so its ephemeral znodes go, every server drops its connections,
  // and its client is told Expired when it reconnects. False unless this server is a serving
  // leader that tracks the session.
  bool expire_session(std::int64_t session, std::string_view why);

 private:
  // A vote of Fast Leader Election: its leader, that leader's last zxid, the round, the epoch.
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
  // The messages between servers, defined in quorum_wire.hpp.
  struct Notification;
  struct ElectionHello;
  struct QuorumPacket;
  // QuorumCnxManager's link to one peer.
  struct PeerLink {
    std::optional<sim::ConnectionId> connection;
    bool connecting = false;
    bool has_pending = false;  // QuorumCnxManager keeps only the latest message per peer
    std::shared_ptr<const sim::Payload> pending;
    std::shared_ptr<const sim::Payload> last_sent;
  };
  // The leader's LearnerHandler of one learner.
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
  // A broadcast transaction not yet committed, and the sids that have logged it.
  struct Proposal {
    Txn txn;
    std::set<int> acks;
  };
  // A client connection (ServerCnxn): its session, the requests waiting, its watches.
  struct ClientCnx {
    sim::ConnectionId connection;
    std::int64_t session = 0;
    sim::SimTime timeout;
    bool established = false;
    // A list, not a deque: a libstdc++ deque allocates about 600 bytes when made, and there
    // is one connection a client (every host), with a request or two waiting at most.
    std::list<std::shared_ptr<const zkwire::Request>> queue;
    bool waiting_write = false;
    std::int32_t waiting_xid = 0;
    std::set<std::string> data_watches;   // exists and getData watches
    std::set<std::string> child_watches;  // getChildren watches
  };
  // What survives a restart (see the contract above).
  struct Disk {
    std::uint64_t accepted_epoch = 0;
    std::uint64_t current_epoch = 0;
    Zxid last_zxid = 0;
    DataTree tree;
    std::uint64_t session_counter = 0;
  };

  // --- server.cpp: identity, lifecycle, start-up, what both roles share
  bool alive() const;
  sim::Network& net();
  int ensemble_size() const;
  int quorum() const;
  void transition(ZooKeeperState next, std::string_view why);
  void log(std::string_view event, std::string detail);
  void reset_volatile();
  void on_client_port_bound();
  // Runs `then` after `work` of start-up: on the shared CPU if there is one, else as a timer.
  void after_startup_work(sim::SimTime work, std::int64_t threads_milli,
                          void (ZooKeeperServer::*then)());
  void enter_looking_after_setup();
  void stop_serving_roles(std::string_view why);
  void became_serving(std::string detail);

  // --- election.cpp: Fast Leader Election
  void start_looking(std::string_view why);
  Vote initial_vote() const;
  bool better(int id, Zxid zxid, std::uint64_t epoch, int cur_id, Zxid cur_zxid,
              std::uint64_t cur_epoch) const;
  bool has_quorum(const std::map<int, Vote>& votes, const Vote& v,
                  bool ignore_election_epoch) const;
  bool check_leader(int leader, std::uint64_t election_epoch) const;
  void send_notifications();
  void on_notification(const Notification& n);
  void process_looking_notification(const Notification& n);
  void arm_poll_timer();
  void on_poll_timeout();
  void enter_finalize();
  void arm_finalize_timer();
  void on_finalize_timeout();
  void decide(const Vote& v, std::string_view how);
  // its connections (QuorumCnxManager)
  void queue_notification(int peer, const Vote& v, PeerState state);
  void pump_sender();
  void connect_election(int peer, bool from_sender);
  void on_election_open(int peer, sim::ConnectionId c);
  void on_election_connect_done(int peer);
  void on_election_closed(int peer, sim::ConnectionId c);
  void flush_peer(int peer, bool new_connection);
  void connect_all();
  bool have_delivered() const;
  void on_election_message(sim::ConnectionId c, const sim::Message& m);

  // --- zab_leader.cpp: Zab, the leader
  void lead();
  void bind_quorum_port();
  void send_to_learner(LearnerHandle& l, std::shared_ptr<const QuorumPacket> p);
  void on_learner_message(sim::ConnectionId c, const QuorumPacket& p);
  void on_follower_info(sim::ConnectionId c, const QuorumPacket& p);
  void on_learner_ack(LearnerHandle& l, Zxid zxid);
  void answer_revalidate(LearnerHandle& l, const QuorumPacket& p);
  void on_learner_closed(sim::ConnectionId c);
  void maybe_decide_epoch();
  void send_leader_info(LearnerHandle& l);
  void maybe_finish_epoch_ack();
  void sync_learner(LearnerHandle& l);
  void maybe_start_serving_as_leader();
  void send_uptodate(LearnerHandle& l);
  void leader_half_tick(std::uint64_t phase);
  void leader_give_up(std::string reason, bool sleep_tick);
  // the request processor (PrepRequestProcessor, ProposalRequestProcessor, Leader.tryToCommit)
  void prepare_and_propose(int origin_sid, std::uint32_t origin_connection,
                           const zkwire::Request* req, std::int64_t session, bool create_session,
                           sim::SimTime timeout);
  // Validates `req` against the tree with the outstanding changes applied; fills `t` as its
  // transaction (an error transaction if a check fails). False for a read.
  bool request_to_txn(const zkwire::Request* req, std::int64_t session, Txn& t) const;
  void propose(Txn txn);
  void try_commit();
  // the session tracker (the leader's SessionTrackerImpl; a learner collects touches)
  void touch_session(std::int64_t session, sim::SimTime timeout);
  void check_session_expiry();

  // --- zab_learner.cpp: Zab, the learner (follower)
  void follow();
  void connect_to_leader(int attempt);
  void send_to_leader(std::shared_ptr<const QuorumPacket> p);
  void arm_leader_silence_check();
  void on_leader_silence_check();
  void on_leader_message(const QuorumPacket& p);
  void on_leader_info(const QuorumPacket& p);
  void learner_give_up(std::string reason);
  void forward_to_leader(std::uint32_t origin_connection, std::int64_t session,
                         std::shared_ptr<const zkwire::Request> req, bool create_session,
                         sim::SimTime timeout);

  // --- client_service.cpp: clients on port 2181
  void on_client_accepted(sim::ConnectionId c);
  void on_client_message(sim::ConnectionId c, const sim::Message& m);
  void on_client_closed(sim::ConnectionId c);
  void close_all_clients();
  std::string srvr_mode() const;
  void handle_connect_request(ClientCnx& cnx, const zkwire::ConnectRequest& r);
  void finish_connect(std::uint32_t connection, std::int64_t session, bool valid);
  void process_client_queue(ClientCnx& cnx);
  void reply_read(ClientCnx& cnx, const zkwire::Request& r);
  void handle_set_watches(ClientCnx& cnx, const zkwire::SetWatches& w);
  void fire_watches(const std::vector<WatchEvent>& events);
  // Path → the connections that set a watch on it (a superset: a closed connection stays
  // until the path fires); fire_watches visits only these.
  using WatcherIndex = std::map<std::string, std::set<std::uint32_t>>;
  void add_data_watch(ClientCnx& cnx, const std::string& path);
  void add_child_watch(ClientCnx& cnx, const std::string& path);
  static void take_watchers(WatcherIndex& index, const std::string& path,
                            std::set<std::uint32_t>& into);
  void apply_committed(const Txn& txn);

  RunContext& ctx_;
  ZooKeeperEnsemble& ensemble_;
  const int sid_;
  const sim::ProcessId process_;
  const std::string node_name_;
  const Options options_;
  const ZooKeeperConfig cfg_;
  sim::RandomStream rng_;
  Disk disk_;

  // --- volatile: reset by launch()
  std::uint64_t incarnation_ = 0;
  std::optional<std::uint64_t> startup_job_;  // on options_.shared_cpu
  ZooKeeperState state_ = ZooKeeperState::kDown;
  std::optional<sim::RecordId> serving_record_;
  std::optional<sim::RecordId> started_record_;
  std::uint64_t serving_epoch_ = 0;

  // election
  sim::SimTime looking_since_;
  std::optional<sim::SimTime> election_took_;
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
  WatcherIndex data_watchers_, child_watchers_;
  // Session → the connections that presented it (a superset, as for the watchers).
  std::map<std::int64_t, std::set<std::uint32_t>> session_connections_;
  bool client_listening_ = false;
};

}  // namespace bootsim::models
