#include "models/zookeeper/zookeeper.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <cassert>
#include <utility>

namespace bootsim::models {

namespace {
// Learner.connectToLeader: 5 connect tries before the follower gives up (ZooKeeper 3.4 and 3.8).
constexpr int kLearnerConnectTries = 5;
}  // namespace

// ------------------------------------------------------------------------------------------
// Names.

std::string_view to_string(ZkError e) {
  switch (e) {
    case ZkError::kOk:
      return "ok";
    case ZkError::kNoNode:
      return "NoNode";
    case ZkError::kNodeExists:
      return "NodeExists";
    case ZkError::kNotEmpty:
      return "NotEmpty";
    case ZkError::kNoChildrenForEphemerals:
      return "NoChildrenForEphemerals";
    case ZkError::kConnectionLoss:
      return "ConnectionLoss";
    case ZkError::kSessionExpired:
      return "SessionExpired";
    case ZkError::kClosed:
      return "Closed";
  }
  return "?";
}

std::string_view to_string(WatchEventType t) {
  switch (t) {
    case WatchEventType::kNodeCreated:
      return "NodeCreated";
    case WatchEventType::kNodeDeleted:
      return "NodeDeleted";
    case WatchEventType::kNodeDataChanged:
      return "NodeDataChanged";
    case WatchEventType::kNodeChildrenChanged:
      return "NodeChildrenChanged";
  }
  return "?";
}

std::string_view to_string(ZooKeeperState s) {
  switch (s) {
    case ZooKeeperState::kDown:
      return "down";
    case ZooKeeperState::kStarting:
      return "starting";
    case ZooKeeperState::kSettingUp:
      return "setting-up";
    case ZooKeeperState::kLooking:
      return "LOOKING";
    case ZooKeeperState::kFollowingSync:
      return "FOLLOWING(syncing)";
    case ZooKeeperState::kFollowing:
      return "FOLLOWING";
    case ZooKeeperState::kLeadingSync:
      return "LEADING(syncing)";
    case ZooKeeperState::kLeading:
      return "LEADING";
    case ZooKeeperState::kStandalone:
      return "standalone";
  }
  return "?";
}

std::string_view to_string(PeerState s) {
  switch (s) {
    case PeerState::kLooking:
      return "LOOKING";
    case PeerState::kFollowing:
      return "FOLLOWING";
    case PeerState::kLeading:
      return "LEADING";
  }
  return "?";
}

// ------------------------------------------------------------------------------------------
// The data tree.

DataTree::DataTree() {
  nodes.emplace("/", Znode{});
}

std::string DataTree::parent_of(const std::string& path) {
  const auto slash = path.rfind('/');
  if (slash == 0 || slash == std::string::npos) return "/";
  return path.substr(0, slash);
}

std::vector<std::string> DataTree::children(const std::string& path) const {
  std::vector<std::string> out;
  const std::string prefix = path == "/" ? "/" : path + "/";
  for (auto it = nodes.lower_bound(prefix); it != nodes.end(); ++it) {
    const std::string& p = it->first;
    if (p.compare(0, prefix.size(), prefix) != 0) break;
    if (p.size() == prefix.size()) continue;
    const std::string rest = p.substr(prefix.size());
    if (rest.find('/') == std::string::npos) out.push_back(rest);
  }
  return out;  // map order: sorted
}

std::vector<WatchEvent> DataTree::apply(const Txn& txn) {
  std::vector<WatchEvent> events;
  auto touch_parent = [&](const std::string& path) {
    const std::string parent = parent_of(path);
    const auto p = nodes.find(parent);
    if (p != nodes.end()) {
      ++p->second.cversion;
      p->second.pzxid = txn.zxid;
    }
    events.push_back({WatchEventType::kNodeChildrenChanged, parent});
  };
  switch (txn.type) {
    case TxnType::kCreateSession:
      sessions[txn.session] = txn.timeout;
      break;
    case TxnType::kCloseSession: {
      std::vector<std::string> owned;
      for (const auto& [path, node] : nodes) {
        if (node.ephemeral_owner == txn.session) owned.push_back(path);
      }
      for (const std::string& path : owned) {
        nodes.erase(path);
        events.push_back({WatchEventType::kNodeDeleted, path});
        touch_parent(path);
      }
      sessions.erase(txn.session);
      break;
    }
    case TxnType::kCreate: {
      Znode n;
      n.data = txn.data;
      n.ephemeral_owner = txn.ephemeral_owner;
      n.czxid = n.mzxid = n.pzxid = txn.zxid;
      nodes[txn.path] = std::move(n);
      events.push_back({WatchEventType::kNodeCreated, txn.path});
      touch_parent(txn.path);
      break;
    }
    case TxnType::kDelete:
      nodes.erase(txn.path);
      events.push_back({WatchEventType::kNodeDeleted, txn.path});
      touch_parent(txn.path);
      break;
    case TxnType::kSetData: {
      const auto it = nodes.find(txn.path);
      if (it != nodes.end()) {
        it->second.data = txn.data;
        it->second.mzxid = txn.zxid;
      }
      events.push_back({WatchEventType::kNodeDataChanged, txn.path});
      break;
    }
    case TxnType::kError:
      break;
  }
  last_applied = std::max(last_applied, txn.zxid);
  return events;
}

// ------------------------------------------------------------------------------------------
// Configuration.

ZooKeeperConfig ZooKeeperConfig::from(const Parameters& params, ZooKeeperVersion version) {
  ZooKeeperConfig c;
  c.tick = params.duration("zookeeper.tickTime");
  c.init_limit = params.integer("zookeeper.initLimit");
  c.sync_limit = params.integer("zookeeper.syncLimit");
  c.finalize_wait = params.duration("zookeeper.finalizeWait");
  c.max_notification_interval = params.duration("zookeeper.maxNotificationInterval");
  c.cnx_timeout = params.duration("zookeeper.cnxTimeout");
  c.server_start = params.distribution("zookeeper.server_start");
  c.setup_before_looking = params.duration("zookeeper.setup_before_looking");
  constexpr std::string_view kRetryKey = "zookeeper.leaderConnectDelayDuringRetryMs";
  // Learner.java 3.4: Thread.sleep(1000) between connect tries; 3.8: the property
  // zookeeper.leaderConnectDelayDuringRetryMs, default 100 ms.
  const sim::SimTime release_default =
      version == ZooKeeperVersion::k3_4 ? sim::seconds(1) : sim::milliseconds(100);
  c.learner_retry_delay = find_param(kRetryKey) != nullptr && params.is_overridden(kRetryKey)
                              ? params.duration(kRetryKey)
                              : release_default;
  c.snapshot_write = params.duration("zookeeper.snapshot_write");
  return c;
}

// ------------------------------------------------------------------------------------------
// Wire messages between servers.

struct ZooKeeperServer::ElectionHello final : sim::Payload {
  int sid = 0;
  std::string_view kind() const override { return "zk.ElectionHello"; }
};

struct ZooKeeperServer::Notification final : sim::Payload {
  int leader = 0;
  Zxid zxid = 0;
  std::uint64_t election_epoch = 0;
  std::uint64_t peer_epoch = 0;
  PeerState state = PeerState::kLooking;
  int sid = 0;
  std::string_view kind() const override { return "zk.Notification"; }
};

struct ZooKeeperServer::QuorumPacket final : sim::Payload {
  enum class Type {
    kFollowerInfo,
    kLeaderInfo,
    kAckEpoch,
    kDiff,
    kNewLeader,
    kAck,
    kUpToDate,
    kProposal,
    kCommit,
    kPing,
    kRequest,
    kRevalidate,
    kRevalidateReply,
  };
  Type type = Type::kPing;
  int sid = 0;
  std::uint64_t epoch = 0;
  bool counted = true;  // ACKEPOCH: false for the "-1" answer of a learner that already acked
  Zxid zxid = 0;
  std::shared_ptr<const DataTree> snapshot;
  Txn txn;
  std::shared_ptr<const zkwire::Request> request;
  bool create_session = false;
  sim::SimTime timeout;
  std::int64_t session = 0;
  std::uint32_t origin_connection = 0;
  bool valid = false;
  std::map<std::int64_t, sim::SimTime> touches;
  std::string_view kind() const override {
    switch (type) {
      case Type::kFollowerInfo:
        return "zab.FOLLOWERINFO";
      case Type::kLeaderInfo:
        return "zab.LEADERINFO";
      case Type::kAckEpoch:
        return "zab.ACKEPOCH";
      case Type::kDiff:
        return "zab.DIFF";
      case Type::kNewLeader:
        return "zab.NEWLEADER";
      case Type::kAck:
        return "zab.ACK";
      case Type::kUpToDate:
        return "zab.UPTODATE";
      case Type::kProposal:
        return "zab.PROPOSAL";
      case Type::kCommit:
        return "zab.COMMIT";
      case Type::kPing:
        return "zab.PING";
      case Type::kRequest:
        return "zab.REQUEST";
      case Type::kRevalidate:
        return "zab.REVALIDATE";
      case Type::kRevalidateReply:
        return "zab.REVALIDATE_REPLY";
    }
    return "zab.?";
  }
};

namespace {
using Packet = std::shared_ptr<const sim::Payload>;
}  // namespace

// ------------------------------------------------------------------------------------------
// Server: identity, lifecycle.

ZooKeeperServer::ZooKeeperServer(RunContext& ctx, ZooKeeperEnsemble& ensemble, int sid,
                                 sim::ProcessId process, Options options)
    : ctx_(ctx),
      ensemble_(ensemble),
      sid_(sid),
      process_(process),
      node_name_(ctx.network().node_name(ctx.network().node_of(process))),
      options_(options),
      cfg_(ensemble.config()),
      rng_(ctx.stream({ctx.network().process_name(process)})) {}

ZooKeeperServer::~ZooKeeperServer() = default;

sim::Network& ZooKeeperServer::net() {
  return ctx_.network();
}
int ZooKeeperServer::ensemble_size() const {
  return ensemble_.size();
}
int ZooKeeperServer::quorum() const {
  return ensemble_.quorum();
}

bool ZooKeeperServer::alive() const {
  const sim::Network& n = ctx_.network();
  return state_ != ZooKeeperState::kDown && n.process_up(process_) &&
         n.incarnation(process_) == incarnation_;
}

ZooKeeperState ZooKeeperServer::state() const {
  return alive() ? state_ : ZooKeeperState::kDown;
}

bool ZooKeeperServer::serving() const {
  const ZooKeeperState s = state();
  return s == ZooKeeperState::kFollowing || s == ZooKeeperState::kLeading ||
         s == ZooKeeperState::kStandalone;
}

PeerState ZooKeeperServer::peer_state() const {
  switch (state()) {
    case ZooKeeperState::kFollowingSync:
    case ZooKeeperState::kFollowing:
      return PeerState::kFollowing;
    case ZooKeeperState::kLeadingSync:
    case ZooKeeperState::kLeading:
    case ZooKeeperState::kStandalone:
      return PeerState::kLeading;
    default:
      return PeerState::kLooking;
  }
}

int ZooKeeperServer::leader_sid() const {
  const ZooKeeperState s = state();
  if (s == ZooKeeperState::kStandalone) return sid_;
  if (s == ZooKeeperState::kFollowingSync || s == ZooKeeperState::kFollowing ||
      s == ZooKeeperState::kLeadingSync || s == ZooKeeperState::kLeading) {
    return leader_sid_;
  }
  return 0;
}

void ZooKeeperServer::log(std::string_view event, std::string detail) {
  ctx_.event(node_name_, "zookeeper", event, std::move(detail));
}

void ZooKeeperServer::transition(ZooKeeperState next, std::string_view why) {
  const bool was_serving = serving();
  const ZooKeeperState prev = state_;
  state_ = next;
  ctx_.event(node_name_, "zookeeper", "state",
             fmt::format("{} -> {}: {}", to_string(prev), to_string(next), why));
  if (was_serving && !serving()) ensemble_.on_serving_changed(*this);
}

void ZooKeeperServer::reset_volatile() {
  serving_record_.reset();
  serving_epoch_ = 0;
  logical_clock_ = 0;
  proposal_ = Vote{};
  current_vote_ = Vote{};
  recvset_.clear();
  outofelection_.clear();
  outofelection_state_.clear();
  not_timeout_ = cfg_.finalize_wait;
  finalizing_ = false;
  poll_timer_ = {};
  finalize_timer_ = {};
  peers_.clear();
  send_queue_.clear();
  sender_waiting_on_ = 0;
  election_conn_peer_.clear();
  election_listening_ = false;
  leader_sid_ = 0;
  zab_epoch_ = 0;
  ++role_generation_;
  learners_.clear();
  connecting_.clear();
  epoch_acks_.clear();
  newleader_acks_.clear();
  proposed_epoch_ = 0;
  epoch_decided_ = false;
  epoch_acked_ = false;
  leader_serving_ = false;
  zxid_counter_ = 0;
  outstanding_.clear();
  pending_tree_ = DataTree{};
  session_deadline_.clear();
  quorum_listening_ = false;
  leader_connection_.reset();
  learner_synced_ = false;
  got_leader_info_ = false;
  learner_pending_.clear();
  touched_sessions_.clear();
  revalidating_.clear();
  clients_.clear();
  client_listening_ = false;
}

void ZooKeeperServer::launch() {
  if (net().process_up(process_)) net().crash_process(process_);
  if (!net().node_up(net().node_of(process_))) return;  // nothing runs on a dead host
  net().start_process(process_);
  incarnation_ = net().incarnation(process_);
  reset_volatile();
  state_ = ZooKeeperState::kDown;
  transition(ZooKeeperState::kStarting, "launched");
  const sim::SimTime start = cfg_.server_start.sample(rng_);
  net().after(process_, start, [this] { on_client_port_bound(); });
}

void ZooKeeperServer::kill() {
  if (!alive()) return;
  const bool was_serving = serving();
  net().crash_process(process_);
  ctx_.event(node_name_, "zookeeper", "state",
             fmt::format("{} -> down: process killed", to_string(state_)));
  state_ = ZooKeeperState::kDown;
  if (was_serving) ensemble_.on_serving_changed(*this);
}

void ZooKeeperServer::on_client_port_bound() {
  net().listen(process_, ports::kZooKeeperClient, [this](sim::ConnectionId c, sim::Address) {
    on_client_accepted(c);
    sim::StreamHandlers h;
    h.on_message = [this](sim::ConnectionId cc, const sim::Message& m) {
      on_client_message(cc, m);
    };
    h.on_closed = [this](sim::ConnectionId cc) { on_client_closed(cc); };
    return h;
  });
  client_listening_ = true;
  started_record_ = ctx_.milestone(node_name_, "zookeeper.started", "client port 2181 bound");
  if (ensemble_size() == 1) {
    // A one-server ensemble runs standalone: it serves as soon as the client port is bound.
    transition(ZooKeeperState::kStandalone, "one server in the ensemble");
    leader_sid_ = sid_;
    zab_epoch_ = disk_.current_epoch;
    serving_epoch_ = zab_epoch_;
    leader_serving_ = true;
    pending_tree_ = disk_.tree;
    zxid_counter_ = disk_.last_zxid & 0xffffffffu;
    for (const auto& [session, timeout] : disk_.tree.sessions) {
      session_deadline_[session] = ctx_.now() + timeout;
    }
    const std::uint64_t gen = role_generation_;
    net().after(process_, cfg_.tick / 2, [this, gen] {
      if (gen == role_generation_) leader_half_tick(1);
    });
    serving_record_ = ctx_.milestone(node_name_, "zookeeper.serving", "standalone");
    ensemble_.on_serving_changed(*this);
    return;
  }
  transition(ZooKeeperState::kSettingUp, "client port bound");
  net().after(process_, cfg_.setup_before_looking, [this] { start_looking("server started"); });
}

// ------------------------------------------------------------------------------------------
// Fast Leader Election.

ZooKeeperServer::Vote ZooKeeperServer::initial_vote() const {
  return Vote{sid_, disk_.last_zxid, logical_clock_, disk_.current_epoch};
}

bool ZooKeeperServer::better(int id, Zxid zxid, std::uint64_t epoch, int cur_id, Zxid cur_zxid,
                             std::uint64_t cur_epoch) const {
  // FastLeaderElection.totalOrderPredicate: epoch, then zxid, then server id.
  return epoch > cur_epoch ||
         (epoch == cur_epoch && (zxid > cur_zxid || (zxid == cur_zxid && id > cur_id)));
}

bool ZooKeeperServer::has_quorum(const std::map<int, Vote>& votes, const Vote& v,
                                 bool ignore_election_epoch) const {
  int n = 0;
  for (const auto& [sid, vote] : votes) {
    // Vote.equals: votes of peers out of the election compare leader and epoch only.
    const bool same = ignore_election_epoch
                          ? (vote.leader == v.leader && vote.peer_epoch == v.peer_epoch)
                          : vote.same_as(v);
    if (same) ++n;
  }
  return n >= quorum();
}

bool ZooKeeperServer::check_leader(int leader, std::uint64_t election_epoch) const {
  // FastLeaderElection.checkLeader: a leader other than us must have told us it is LEADING.
  if (leader != sid_) {
    const auto it = outofelection_state_.find(leader);
    return it != outofelection_state_.end() && it->second == PeerState::kLeading;
  }
  return logical_clock_ == election_epoch;
}

void ZooKeeperServer::start_looking(std::string_view why) {
  if (!election_listening_) {
    net().listen(process_, ports::kZooKeeperElection, [this](sim::ConnectionId c, sim::Address) {
      sim::StreamHandlers h;
      h.on_message = [this](sim::ConnectionId cc, const sim::Message& m) {
        on_election_message(cc, m);
      };
      h.on_closed = [this](sim::ConnectionId cc) {
        const auto it = election_conn_peer_.find(cc.value);
        if (it != election_conn_peer_.end()) on_election_closed(it->second, cc);
      };
      (void)c;
      return h;
    });
    election_listening_ = true;
  }
  ++role_generation_;
  transition(ZooKeeperState::kLooking, why);
  ++logical_clock_;
  proposal_ = initial_vote();
  recvset_.clear();
  outofelection_.clear();
  outofelection_state_.clear();
  finalizing_ = false;
  net().cancel(finalize_timer_);
  not_timeout_ = cfg_.finalize_wait;
  log("vote", fmt::format("round {}: votes for itself (epoch {}, zxid {:#x})", logical_clock_,
                          proposal_.peer_epoch, proposal_.zxid));
  send_notifications();
  arm_poll_timer();
}

void ZooKeeperServer::send_notifications() {
  for (int peer = 1; peer <= ensemble_size(); ++peer) {
    if (peer != sid_) queue_notification(peer, proposal_, PeerState::kLooking);
  }
  // Our own notification reaches our queue at once (QuorumCnxManager delivers to self).
  recvset_[sid_] = proposal_;
}

void ZooKeeperServer::queue_notification(int peer, const Vote& v, PeerState state) {
  auto n = std::make_shared<Notification>();
  n->leader = v.leader;
  n->zxid = v.zxid;
  n->election_epoch = v.election_epoch;
  n->peer_epoch = v.peer_epoch;
  n->state = state;
  n->sid = sid_;
  PeerLink& l = peers_[peer];
  l.pending = std::move(n);
  l.has_pending = true;
  if (l.connection) {
    flush_peer(peer, false);
    return;
  }
  if (std::find(send_queue_.begin(), send_queue_.end(), peer) == send_queue_.end()) {
    send_queue_.push_back(peer);
  }
  pump_sender();
}

void ZooKeeperServer::pump_sender() {
  // The WorkerSender is one thread: a connect to an unreachable peer blocks every later send
  // for up to cnxTimeout (QuorumCnxManager.connectOne is synchronous).
  while (sender_waiting_on_ == 0 && !send_queue_.empty()) {
    const int peer = send_queue_.front();
    send_queue_.pop_front();
    PeerLink& l = peers_[peer];
    if (l.connection) {
      flush_peer(peer, false);
      continue;
    }
    sender_waiting_on_ = peer;
    connect_election(peer, true);
  }
}

void ZooKeeperServer::connect_election(int peer, bool from_sender) {
  PeerLink& l = peers_[peer];
  if (l.connection) {
    if (from_sender) on_election_connect_done(peer);
    return;
  }
  if (l.connecting) return;  // the sender (if waiting) resumes when that attempt ends
  l.connecting = true;
  sim::StreamHandlers h;
  h.on_open = [this, peer](sim::ConnectionId c) { on_election_open(peer, c); };
  h.on_connect_failed = [this, peer](sim::ConnectionId, sim::ConnectError e) {
    peers_[peer].connecting = false;
    log("election_connect_failed",
        fmt::format("to sid {}: {}", peer,
                    e == sim::ConnectError::kRefused ? "refused" : "timed out"));
    on_election_connect_done(peer);
  };
  h.on_message = [this](sim::ConnectionId c, const sim::Message& m) { on_election_message(c, m); };
  h.on_closed = [this, peer](sim::ConnectionId c) { on_election_closed(peer, c); };
  net().connect(process_, sim::Address{ensemble_.node_of(peer), ports::kZooKeeperElection},
                cfg_.cnx_timeout, std::move(h));
}

void ZooKeeperServer::on_election_connect_done(int peer) {
  if (sender_waiting_on_ == peer) {
    sender_waiting_on_ = 0;
    pump_sender();
  }
}

void ZooKeeperServer::on_election_open(int peer, sim::ConnectionId c) {
  PeerLink& l = peers_[peer];
  l.connecting = false;
  auto hello = std::make_shared<ElectionHello>();
  hello->sid = sid_;
  net().send(c, process_, std::move(hello));
  if (sid_ < peer) {
    // QuorumCnxManager.startConnection: the smaller sid drops its connection; the larger
    // sid connects back.
    net().close(c, process_);
  } else {
    if (l.connection && *l.connection != c) net().close(*l.connection, process_);
    l.connection = c;
    election_conn_peer_[c.value] = peer;
    flush_peer(peer, true);
  }
  on_election_connect_done(peer);
}

void ZooKeeperServer::on_election_closed(int peer, sim::ConnectionId c) {
  election_conn_peer_.erase(c.value);
  PeerLink& l = peers_[peer];
  if (l.connection && *l.connection == c) l.connection.reset();
}

void ZooKeeperServer::flush_peer(int peer, bool new_connection) {
  PeerLink& l = peers_[peer];
  if (!l.connection) return;
  // SendWorker: a new connection re-sends the last message when nothing is queued.
  Packet msg = l.has_pending ? l.pending : (new_connection ? l.last_sent : nullptr);
  if (!msg) return;
  net().send(*l.connection, process_, msg);
  l.last_sent = std::move(msg);
  l.has_pending = false;
  l.pending.reset();
}

void ZooKeeperServer::connect_all() {
  for (int peer = 1; peer <= ensemble_size(); ++peer) {
    if (peer == sid_ || peers_[peer].connection) continue;
    if (std::find(send_queue_.begin(), send_queue_.end(), peer) == send_queue_.end()) {
      send_queue_.push_back(peer);
    }
  }
  pump_sender();
}

bool ZooKeeperServer::have_delivered() const {
  // QuorumCnxManager.haveDelivered (3.4): true as soon as one peer's queue is empty.
  for (const auto& [peer, l] : peers_) {
    if (!l.has_pending) return true;
  }
  return false;
}

void ZooKeeperServer::on_election_message(sim::ConnectionId c, const sim::Message& m) {
  if (const auto* hello = sim::message_as<ElectionHello>(m)) {
    const int peer = hello->sid;
    if (peer < 1 || peer > ensemble_size() || peer == sid_) {
      net().close(c, process_);
      return;
    }
    if (peer < sid_) {
      // QuorumCnxManager.receiveConnection: drop it and connect back ourselves.
      net().close(c, process_);
      connect_election(peer, false);
      return;
    }
    PeerLink& l = peers_[peer];
    if (l.connection && *l.connection != c) {
      election_conn_peer_.erase(l.connection->value);
      net().close(*l.connection, process_);
    }
    l.connection = c;
    election_conn_peer_[c.value] = peer;
    flush_peer(peer, true);
    return;
  }
  if (const auto* n = sim::message_as<Notification>(m)) on_notification(*n);
}

void ZooKeeperServer::on_notification(const Notification& n) {
  const ZooKeeperState s = state_;
  if (s == ZooKeeperState::kLooking) {
    // WorkerReceiver: a LOOKING peer in an older round gets our current vote back.
    if (n.state == PeerState::kLooking && n.election_epoch < logical_clock_) {
      queue_notification(n.sid, proposal_, PeerState::kLooking);
    }
    if (finalizing_) {
      // The finalize loop: a better vote goes back to the queue; anything else is consumed
      // and the 200 ms wait starts over.
      if (better(n.leader, n.zxid, n.peer_epoch, proposal_.leader, proposal_.zxid,
                 proposal_.peer_epoch)) {
        finalizing_ = false;
        net().cancel(finalize_timer_);
        process_looking_notification(n);
      } else {
        arm_finalize_timer();
      }
      return;
    }
    process_looking_notification(n);
    return;
  }
  if (s == ZooKeeperState::kFollowingSync || s == ZooKeeperState::kFollowing ||
      s == ZooKeeperState::kLeadingSync || s == ZooKeeperState::kLeading) {
    // WorkerReceiver, not LOOKING: tell a LOOKING peer whom we follow or lead.
    if (n.state == PeerState::kLooking) {
      queue_notification(n.sid, current_vote_, peer_state());
    }
  }
}

void ZooKeeperServer::process_looking_notification(const Notification& n) {
  const Vote received{n.leader, n.zxid, n.election_epoch, n.peer_epoch};
  if (n.state == PeerState::kLooking) {
    if (n.election_epoch > logical_clock_) {
      logical_clock_ = n.election_epoch;
      recvset_.clear();
      const Vote mine = initial_vote();
      if (better(n.leader, n.zxid, n.peer_epoch, mine.leader, mine.zxid, mine.peer_epoch)) {
        proposal_ = received;
      } else {
        proposal_ = mine;
      }
      proposal_.election_epoch = logical_clock_;
      log("vote", fmt::format("round {} (from sid {}): votes for sid {}", logical_clock_, n.sid,
                              proposal_.leader));
      send_notifications();
    } else if (n.election_epoch < logical_clock_) {
      arm_poll_timer();
      return;
    } else if (better(n.leader, n.zxid, n.peer_epoch, proposal_.leader, proposal_.zxid,
                      proposal_.peer_epoch)) {
      proposal_ = Vote{n.leader, n.zxid, logical_clock_, n.peer_epoch};
      log("vote", fmt::format("round {}: switches to sid {} (vote from sid {})", logical_clock_,
                              proposal_.leader, n.sid));
      send_notifications();
    }
    recvset_[n.sid] = received;
    if (has_quorum(recvset_, proposal_, false)) {
      enter_finalize();
      return;
    }
    arm_poll_timer();
    return;
  }
  // A peer that already follows or leads.
  if (n.election_epoch == logical_clock_) {
    recvset_[n.sid] = received;
    if (has_quorum(recvset_, received, false) && check_leader(n.leader, n.election_epoch)) {
      decide(received, fmt::format("joins the leader sid {} of its own round", n.leader));
      return;
    }
  }
  outofelection_[n.sid] = received;
  outofelection_state_[n.sid] = n.state;
  if (has_quorum(outofelection_, received, true) && check_leader(n.leader, n.election_epoch)) {
    logical_clock_ = n.election_epoch;
    decide(received, fmt::format("joins the established leader sid {}", n.leader));
    return;
  }
  arm_poll_timer();
}

void ZooKeeperServer::arm_poll_timer() {
  net().cancel(poll_timer_);
  const std::uint64_t gen = role_generation_;
  poll_timer_ = net().after(process_, not_timeout_, [this, gen] {
    if (gen == role_generation_ && state_ == ZooKeeperState::kLooking && !finalizing_) {
      on_poll_timeout();
    }
  });
}

void ZooKeeperServer::on_poll_timeout() {
  // lookForLeader: an empty poll re-sends (or reconnects) and doubles the wait.
  if (have_delivered()) {
    send_notifications();
  } else {
    connect_all();
  }
  not_timeout_ = std::min(not_timeout_ * 2, cfg_.max_notification_interval);
  log("poll_timeout",
      fmt::format("no notification; next poll {}", sim::format_duration(not_timeout_)));
  if (has_quorum(recvset_, proposal_, false)) {
    enter_finalize();
    return;
  }
  arm_poll_timer();
}

void ZooKeeperServer::enter_finalize() {
  finalizing_ = true;
  net().cancel(poll_timer_);
  arm_finalize_timer();
}

void ZooKeeperServer::arm_finalize_timer() {
  net().cancel(finalize_timer_);
  const std::uint64_t gen = role_generation_;
  finalize_timer_ = net().after(process_, cfg_.finalize_wait, [this, gen] {
    if (gen == role_generation_ && state_ == ZooKeeperState::kLooking && finalizing_) {
      on_finalize_timeout();
    }
  });
}

void ZooKeeperServer::on_finalize_timeout() {
  Vote v = proposal_;
  v.election_epoch = logical_clock_;
  decide(v, "a quorum agrees and no better vote came within finalizeWait");
}

void ZooKeeperServer::decide(const Vote& v, std::string_view how) {
  finalizing_ = false;
  net().cancel(finalize_timer_);
  net().cancel(poll_timer_);
  current_vote_ = v;
  leader_sid_ = v.leader;
  log("elected", fmt::format("leader sid {} ({}), round {}", v.leader, how, v.election_epoch));
  if (v.leader == sid_) {
    lead();
  } else {
    follow();
  }
}

// ------------------------------------------------------------------------------------------
// Zab: the leader.

void ZooKeeperServer::lead() {
  ++role_generation_;
  transition(ZooKeeperState::kLeadingSync, "elected leader");
  learners_.clear();
  connecting_ = {sid_};
  epoch_acks_.clear();
  newleader_acks_.clear();
  epoch_decided_ = false;
  epoch_acked_ = false;
  leader_serving_ = false;
  outstanding_.clear();
  // Leader.getEpochToPropose: one more than the highest accepted epoch of the quorum.
  proposed_epoch_ = disk_.accepted_epoch + 1;
  // Leader.lead(): zk.loadData() writes a snapshot before learners are accepted on 2888; a
  // learner that connects earlier is refused and retries.
  if (cfg_.snapshot_write == sim::SimTime::zero()) {
    bind_quorum_port();
  } else {
    const std::uint64_t bind_gen = role_generation_;
    net().after(process_, cfg_.snapshot_write, [this, bind_gen] {
      if (bind_gen == role_generation_) bind_quorum_port();
    });
  }
  const std::uint64_t gen = role_generation_;
  net().after(process_, cfg_.tick * cfg_.init_limit, [this, gen] {
    if (gen == role_generation_ && !epoch_decided_) {
      leader_give_up("timeout while waiting for epoch from a quorum (initLimit)", false);
    }
  });
  maybe_decide_epoch();
}

void ZooKeeperServer::bind_quorum_port() {
  if (quorum_listening_) return;
  net().listen(process_, ports::kZooKeeperQuorum, [this](sim::ConnectionId c, sim::Address) {
    (void)c;
    sim::StreamHandlers h;
    h.on_message = [this](sim::ConnectionId cc, const sim::Message& m) {
      if (const auto* p = sim::message_as<QuorumPacket>(m)) on_learner_message(cc, *p);
    };
    h.on_closed = [this](sim::ConnectionId cc) { on_learner_closed(cc); };
    return h;
  });
  quorum_listening_ = true;
}

void ZooKeeperServer::send_to_learner(LearnerHandle& l, std::shared_ptr<const QuorumPacket> p) {
  net().send(l.connection, process_, std::move(p));
}

void ZooKeeperServer::on_learner_message(sim::ConnectionId c, const QuorumPacket& p) {
  if (state_ != ZooKeeperState::kLeadingSync && state_ != ZooKeeperState::kLeading &&
      state_ != ZooKeeperState::kStandalone) {
    // No longer leading: the model cannot unbind the port, so it drops the learner at once;
    // the learner counts that as a failed connect.
    net().close(c, process_);
    return;
  }
  using T = QuorumPacket::Type;
  if (p.type == T::kFollowerInfo) {
    for (auto it = learners_.begin(); it != learners_.end(); ++it) {
      if (it->second.sid == p.sid) {
        net().close(it->second.connection, process_);
        learners_.erase(it);
        break;
      }
    }
    LearnerHandle l;
    l.connection = c;
    l.sid = p.sid;
    l.accepted_epoch = p.epoch;
    l.last_zxid = p.zxid;
    l.last_heard = ctx_.now();
    learners_[c.value] = l;
    log("learner_connected", fmt::format("sid {} (accepted epoch {})", p.sid, p.epoch));
    if (!epoch_decided_) {
      connecting_.insert(p.sid);
      proposed_epoch_ = std::max(proposed_epoch_, p.epoch + 1);
      maybe_decide_epoch();
    } else {
      send_leader_info(learners_[c.value]);
    }
    return;
  }
  const auto it = learners_.find(c.value);
  if (it == learners_.end()) return;
  LearnerHandle& l = it->second;
  l.last_heard = ctx_.now();
  switch (p.type) {
    case T::kAckEpoch:
      l.epoch_acked = true;
      if (!epoch_acked_) {
        if (p.counted) epoch_acks_.insert(l.sid);
        maybe_finish_epoch_ack();
      } else {
        sync_learner(l);
      }
      break;
    case T::kAck:
      if (p.zxid == make_zxid(zab_epoch_, 0) && !l.newleader_acked) {
        l.newleader_acked = true;
        if (!leader_serving_) {
          newleader_acks_.insert(l.sid);
          maybe_start_serving_as_leader();
        } else {
          send_uptodate(l);
        }
      } else {
        for (Proposal& prop : outstanding_) {
          if (prop.txn.zxid == p.zxid) {
            prop.acks.insert(l.sid);
            break;
          }
        }
        try_commit();
      }
      break;
    case T::kPing:
      for (const auto& [session, timeout] : p.touches) touch_session(session, timeout);
      break;
    case T::kRequest:
      if (leader_serving_) {
        prepare_and_propose(l.sid, p.origin_connection, p.request.get(), p.session,
                            p.create_session, p.timeout);
      }
      break;
    case T::kRevalidate: {
      const bool valid = session_deadline_.count(p.session) > 0;
      if (valid) touch_session(p.session, session_deadline_[p.session] - ctx_.now());
      auto r = std::make_shared<QuorumPacket>();
      r->type = T::kRevalidateReply;
      r->session = p.session;
      r->origin_connection = p.origin_connection;
      r->valid = valid;
      send_to_learner(l, std::move(r));
      break;
    }
    default:
      break;
  }
}

void ZooKeeperServer::on_learner_closed(sim::ConnectionId c) {
  const auto it = learners_.find(c.value);
  if (it == learners_.end()) return;
  log("learner_lost", fmt::format("sid {}: connection closed", it->second.sid));
  learners_.erase(it);
}

void ZooKeeperServer::maybe_decide_epoch() {
  if (epoch_decided_ || static_cast<int>(connecting_.size()) < quorum()) return;
  epoch_decided_ = true;
  zab_epoch_ = proposed_epoch_;
  disk_.accepted_epoch = zab_epoch_;
  epoch_acks_ = {sid_};
  log("epoch_proposed", fmt::format("epoch {} (FOLLOWERINFO from a quorum)", zab_epoch_));
  for (auto& [conn, l] : learners_) send_leader_info(l);
  const std::uint64_t gen = role_generation_;
  net().after(process_, cfg_.tick * cfg_.init_limit, [this, gen] {
    if (gen == role_generation_ && !epoch_acked_) {
      leader_give_up("timeout while waiting for epoch acks from a quorum (initLimit)", false);
    }
  });
  maybe_finish_epoch_ack();
}

void ZooKeeperServer::send_leader_info(LearnerHandle& l) {
  auto p = std::make_shared<QuorumPacket>();
  p->type = QuorumPacket::Type::kLeaderInfo;
  p->epoch = zab_epoch_;
  p->zxid = make_zxid(zab_epoch_, 0);
  send_to_learner(l, std::move(p));
}

void ZooKeeperServer::maybe_finish_epoch_ack() {
  if (epoch_acked_ || static_cast<int>(epoch_acks_.size()) < quorum()) return;
  epoch_acked_ = true;
  disk_.current_epoch = zab_epoch_;
  newleader_acks_ = {sid_};
  log("epoch_acked", fmt::format("epoch {} acknowledged by a quorum; syncing", zab_epoch_));
  for (auto& [conn, l] : learners_) {
    if (l.epoch_acked) sync_learner(l);
  }
  const std::uint64_t gen = role_generation_;
  net().after(process_, cfg_.tick * cfg_.init_limit, [this, gen] {
    if (gen == role_generation_ && !leader_serving_) {
      leader_give_up("timeout while waiting for NEWLEADER acks from a quorum (initLimit)", true);
    }
  });
  maybe_start_serving_as_leader();
}

void ZooKeeperServer::sync_learner(LearnerHandle& l) {
  if (l.synced_sent) return;
  l.synced_sent = true;
  // Empty or equal history: a DIFF. The model ships the committed tree with it, which is what
  // DIFF, TRUNC and SNAP all converge to.
  auto diff = std::make_shared<QuorumPacket>();
  diff->type = QuorumPacket::Type::kDiff;
  diff->zxid = disk_.tree.last_applied;
  diff->snapshot = std::make_shared<const DataTree>(disk_.tree);
  send_to_learner(l, std::move(diff));
  auto nl = std::make_shared<QuorumPacket>();
  nl->type = QuorumPacket::Type::kNewLeader;
  nl->zxid = make_zxid(zab_epoch_, 0);
  send_to_learner(l, std::move(nl));
  // LearnerHandler.startForwarding: proposals still in flight follow the sync.
  for (const Proposal& prop : outstanding_) {
    auto pp = std::make_shared<QuorumPacket>();
    pp->type = QuorumPacket::Type::kProposal;
    pp->zxid = prop.txn.zxid;
    pp->txn = prop.txn;
    send_to_learner(l, std::move(pp));
  }
}

void ZooKeeperServer::maybe_start_serving_as_leader() {
  if (leader_serving_ || !epoch_acked_ || static_cast<int>(newleader_acks_.size()) < quorum()) {
    return;
  }
  leader_serving_ = true;
  zxid_counter_ = 0;
  pending_tree_ = disk_.tree;
  // A new leader tracks every session of the tree afresh (SessionTrackerImpl is rebuilt).
  session_deadline_.clear();
  for (const auto& [session, timeout] : disk_.tree.sessions) {
    session_deadline_[session] = ctx_.now() + timeout;
  }
  serving_epoch_ = zab_epoch_;
  transition(ZooKeeperState::kLeading, "a quorum acknowledged NEWLEADER");
  for (auto& [conn, l] : learners_) {
    if (l.newleader_acked) send_uptodate(l);
  }
  const std::uint64_t gen = role_generation_;
  net().after(process_, cfg_.tick / 2, [this, gen] {
    if (gen == role_generation_) leader_half_tick(1);
  });
  became_serving(fmt::format("leader, epoch {}", zab_epoch_));
}

void ZooKeeperServer::send_uptodate(LearnerHandle& l) {
  if (l.uptodate_sent) return;
  l.uptodate_sent = true;
  auto p = std::make_shared<QuorumPacket>();
  p->type = QuorumPacket::Type::kUpToDate;
  send_to_learner(l, std::move(p));
}

void ZooKeeperServer::leader_half_tick(std::uint64_t phase) {
  // Leader.lead(): ping every half tick; on every other one (a whole tick) check that a quorum
  // is still synced, i.e. has sent something within syncLimit ticks.
  const bool standalone = state_ == ZooKeeperState::kStandalone;
  if (!standalone) {
    for (auto& [conn, l] : learners_) {
      auto p = std::make_shared<QuorumPacket>();
      p->type = QuorumPacket::Type::kPing;
      send_to_learner(l, std::move(p));
    }
  }
  if (phase % 2 == 0) {
    if (!standalone) {
      const sim::SimTime limit = cfg_.tick * cfg_.sync_limit;
      std::vector<int> synced{sid_};
      for (const auto& [conn, l] : learners_) {
        if (ctx_.now() - l.last_heard <= limit) synced.push_back(l.sid);
      }
      if (static_cast<int>(synced.size()) < quorum()) {
        std::sort(synced.begin(), synced.end());
        std::string sids;
        for (const int s : synced) sids += (sids.empty() ? "" : ",") + std::to_string(s);
        const std::string reason =
            fmt::format("not sufficient followers synced, only synced with sids: [{}]", sids);
        if (options_.testing_skip_step_down) {
          log("step_down_skipped", "testing: " + reason);
        } else {
          leader_give_up(reason, false);
          return;
        }
      }
    }
    check_session_expiry();
  }
  const std::uint64_t gen = role_generation_;
  net().after(process_, cfg_.tick / 2, [this, gen, phase] {
    if (gen == role_generation_) leader_half_tick(phase + 1);
  });
}

void ZooKeeperServer::leader_give_up(std::string reason, bool sleep_tick) {
  log("step_down", reason);
  stop_serving_roles(reason);
  if (sleep_tick) {
    // Leader.lead(): after a NEWLEADER timeout it sleeps one tick before it looks again.
    const std::uint64_t gen = role_generation_;
    net().after(process_, cfg_.tick, [this, gen] {
      if (gen == role_generation_) start_looking("leader gave up (after one tick)");
    });
    return;
  }
  start_looking("leader gave up: " + reason);
}

void ZooKeeperServer::prepare_and_propose(int origin_sid, std::uint32_t origin_connection,
                                          const zkwire::Request* req, std::int64_t session,
                                          bool create_session, sim::SimTime timeout) {
  // PrepRequestProcessor: validate against the tree with every outstanding change applied;
  // a failed check still becomes a transaction (an error txn) so that replies stay ordered.
  Txn t;
  t.session = session;
  t.origin_sid = origin_sid;
  t.origin_connection = origin_connection;
  if (create_session) {
    t.type = TxnType::kCreateSession;
    t.timeout = timeout;
    propose(std::move(t));
    return;
  }
  if (req == nullptr) return;
  t.origin_xid = req->xid;
  const auto& nodes = pending_tree_.nodes;
  auto fail = [&](ZkError e) {
    t.type = TxnType::kError;
    t.error = e;
    t.path = req->path;
  };
  switch (req->op) {
    case ZkOp::kCreate: {
      const std::string parent = DataTree::parent_of(req->path);
      const auto p = nodes.find(parent);
      if (p == nodes.end()) {
        fail(ZkError::kNoNode);
        break;
      }
      if (p->second.ephemeral_owner != 0) {
        fail(ZkError::kNoChildrenForEphemerals);
        break;
      }
      std::string path = req->path;
      const bool sequential = req->mode == CreateMode::kPersistentSequential ||
                              req->mode == CreateMode::kEphemeralSequential;
      // PrepRequestProcessor: the parent's cversion, as 10 zero-padded digits.
      if (sequential) path += fmt::format("{:010d}", p->second.cversion);
      if (nodes.count(path) != 0) {
        fail(ZkError::kNodeExists);
        break;
      }
      t.type = TxnType::kCreate;
      t.path = path;
      t.data = req->data;
      const bool ephemeral =
          req->mode == CreateMode::kEphemeral || req->mode == CreateMode::kEphemeralSequential;
      t.ephemeral_owner = ephemeral ? session : 0;
      break;
    }
    case ZkOp::kDelete: {
      if (nodes.count(req->path) == 0) {
        fail(ZkError::kNoNode);
        break;
      }
      if (!pending_tree_.children(req->path).empty()) {
        fail(ZkError::kNotEmpty);
        break;
      }
      t.type = TxnType::kDelete;
      t.path = req->path;
      break;
    }
    case ZkOp::kSetData:
      if (nodes.count(req->path) == 0) {
        fail(ZkError::kNoNode);
        break;
      }
      t.type = TxnType::kSetData;
      t.path = req->path;
      t.data = req->data;
      break;
    case ZkOp::kCloseSession:
      t.type = TxnType::kCloseSession;
      break;
    default:
      return;  // reads never reach the leader
  }
  propose(std::move(t));
}

void ZooKeeperServer::propose(Txn txn) {
  txn.zxid = make_zxid(zab_epoch_, ++zxid_counter_);
  pending_tree_.apply(txn);
  disk_.last_zxid = txn.zxid;  // logged (and fsynced) before the leader acks its own proposal
  if (txn.type == TxnType::kCreateSession) touch_session(txn.session, txn.timeout);
  if (txn.type == TxnType::kCloseSession) session_deadline_.erase(txn.session);
  Proposal prop;
  prop.txn = txn;
  prop.acks.insert(sid_);
  outstanding_.push_back(prop);
  for (auto& [conn, l] : learners_) {
    if (!l.synced_sent) continue;
    auto p = std::make_shared<QuorumPacket>();
    p->type = QuorumPacket::Type::kProposal;
    p->zxid = txn.zxid;
    p->txn = txn;
    send_to_learner(l, std::move(p));
  }
  try_commit();
}

void ZooKeeperServer::try_commit() {
  // Leader.tryToCommit: in zxid order, each once a quorum (leader included) has logged it.
  while (!outstanding_.empty() && static_cast<int>(outstanding_.front().acks.size()) >= quorum()) {
    const Txn txn = outstanding_.front().txn;
    outstanding_.pop_front();
    for (auto& [conn, l] : learners_) {
      if (!l.synced_sent) continue;
      auto p = std::make_shared<QuorumPacket>();
      p->type = QuorumPacket::Type::kCommit;
      p->zxid = txn.zxid;
      send_to_learner(l, std::move(p));
    }
    apply_committed(txn);
  }
}

void ZooKeeperServer::touch_session(std::int64_t session, sim::SimTime timeout) {
  if (leader_serving_) {
    session_deadline_[session] = ctx_.now() + timeout;
  } else {
    touched_sessions_[session] = timeout;
  }
}

void ZooKeeperServer::check_session_expiry() {
  // SessionTrackerImpl checks once per tick (sessions expire in tick-sized buckets).
  std::vector<std::int64_t> expired;
  for (const auto& [session, deadline] : session_deadline_) {
    if (deadline <= ctx_.now()) expired.push_back(session);
  }
  for (const std::int64_t session : expired) {
    session_deadline_.erase(session);
    log("session_expired", fmt::format("session {:#x}", session));
    Txn t;
    t.type = TxnType::kCloseSession;
    t.session = session;
    propose(std::move(t));
  }
}

// ------------------------------------------------------------------------------------------
// Zab: the learner.

void ZooKeeperServer::follow() {
  ++role_generation_;
  transition(ZooKeeperState::kFollowingSync,
             fmt::format("elected follower of {}", ensemble_.server(leader_sid_).node_name()));
  learner_synced_ = false;
  got_leader_info_ = false;
  learner_pending_.clear();
  connect_to_leader(0);
}

void ZooKeeperServer::connect_to_leader(int attempt) {
  const std::uint64_t gen = role_generation_;
  sim::StreamHandlers h;
  h.on_open = [this, gen](sim::ConnectionId c) {
    if (gen != role_generation_) {
      net().close(c, process_);
      return;
    }
    leader_connection_ = c;
    last_heard_leader_ = ctx_.now();
    auto p = std::make_shared<QuorumPacket>();
    p->type = QuorumPacket::Type::kFollowerInfo;
    p->sid = sid_;
    p->epoch = disk_.accepted_epoch;
    p->zxid = disk_.last_zxid;
    send_to_leader(std::move(p));
    arm_leader_silence_check();
  };
  auto retry = [this, gen, attempt](std::string why) {
    if (gen != role_generation_) return;
    leader_connection_.reset();
    if (attempt + 1 >= kLearnerConnectTries) {
      learner_give_up("could not connect to the leader: " + why);
      return;
    }
    log("leader_connect_retry", fmt::format("try {} failed ({}), retry in {}", attempt + 1, why,
                                            sim::format_duration(cfg_.learner_retry_delay)));
    net().after(process_, cfg_.learner_retry_delay, [this, gen, attempt] {
      if (gen == role_generation_) connect_to_leader(attempt + 1);
    });
  };
  h.on_connect_failed = [retry](sim::ConnectionId, sim::ConnectError e) {
    retry(e == sim::ConnectError::kRefused ? "refused" : "timed out");
  };
  h.on_message = [this, gen](sim::ConnectionId, const sim::Message& m) {
    if (gen != role_generation_) return;
    if (const auto* p = sim::message_as<QuorumPacket>(m)) on_leader_message(*p);
  };
  h.on_closed = [this, gen, retry](sim::ConnectionId) {
    if (gen != role_generation_) return;
    if (!got_leader_info_) {
      retry("closed before LEADERINFO");
      return;
    }
    learner_give_up("connection to the leader closed");
  };
  // Learner.connectToLeader (3.4): connect timeout syncLimit ticks.
  net().connect(process_, sim::Address{ensemble_.node_of(leader_sid_), ports::kZooKeeperQuorum},
                cfg_.tick * cfg_.sync_limit, std::move(h));
}

void ZooKeeperServer::send_to_leader(std::shared_ptr<const QuorumPacket> p) {
  if (leader_connection_) net().send(*leader_connection_, process_, std::move(p));
}

void ZooKeeperServer::arm_leader_silence_check() {
  // The learner's socket read timeout: initLimit ticks while syncing, syncLimit ticks after.
  const sim::SimTime limit = cfg_.tick * (learner_synced_ ? cfg_.sync_limit : cfg_.init_limit);
  const sim::SimTime elapsed = ctx_.now() - last_heard_leader_;
  const sim::SimTime wait = elapsed >= limit ? sim::SimTime::zero() : limit - elapsed;
  const std::uint64_t gen = role_generation_;
  net().cancel(silence_timer_);
  silence_timer_ = net().after(process_, wait, [this, gen] {
    if (gen == role_generation_) on_leader_silence_check();
  });
}

void ZooKeeperServer::on_leader_silence_check() {
  const sim::SimTime limit = cfg_.tick * (learner_synced_ ? cfg_.sync_limit : cfg_.init_limit);
  if (ctx_.now() - last_heard_leader_ >= limit) {
    learner_give_up(
        fmt::format("nothing from the leader for {} (read timeout)", sim::format_duration(limit)));
    return;
  }
  arm_leader_silence_check();
}

void ZooKeeperServer::on_leader_message(const QuorumPacket& p) {
  last_heard_leader_ = ctx_.now();
  using T = QuorumPacket::Type;
  switch (p.type) {
    case T::kLeaderInfo: {
      got_leader_info_ = true;
      auto ack = std::make_shared<QuorumPacket>();
      ack->type = T::kAckEpoch;
      ack->sid = sid_;
      ack->zxid = disk_.last_zxid;
      ack->epoch = disk_.current_epoch;
      if (p.epoch > disk_.accepted_epoch) {
        disk_.accepted_epoch = p.epoch;
      } else if (p.epoch == disk_.accepted_epoch) {
        ack->counted = false;  // Learner.registerWithLeader: already acked this epoch
      } else {
        learner_give_up(fmt::format("leader's epoch {} is less than the accepted epoch {}", p.epoch,
                                    disk_.accepted_epoch));
        return;
      }
      send_to_leader(std::move(ack));
      break;
    }
    case T::kDiff:
      if (p.snapshot) disk_.tree = *p.snapshot;
      disk_.last_zxid = std::max(p.zxid, disk_.tree.last_applied);
      break;
    case T::kNewLeader: {
      disk_.current_epoch = epoch_of(p.zxid);
      zab_epoch_ = disk_.current_epoch;
      // Learner.syncWithLeader: take a snapshot, then ack NEWLEADER.
      const std::uint64_t gen = role_generation_;
      const Zxid zxid = p.zxid;
      net().after(process_, cfg_.snapshot_write, [this, gen, zxid] {
        if (gen != role_generation_) return;
        auto ack = std::make_shared<QuorumPacket>();
        ack->type = QuorumPacket::Type::kAck;
        ack->zxid = zxid;
        send_to_leader(std::move(ack));
      });
      break;
    }
    case T::kUpToDate:
      learner_synced_ = true;
      serving_epoch_ = zab_epoch_;
      transition(ZooKeeperState::kFollowing, "UPTODATE from the leader");
      arm_leader_silence_check();  // the read timeout is syncLimit ticks from now on
      became_serving(fmt::format("follower of {}, epoch {}",
                                 ensemble_.server(leader_sid_).node_name(), zab_epoch_));
      break;
    case T::kProposal: {
      learner_pending_[p.zxid] = p.txn;
      disk_.last_zxid = std::max(disk_.last_zxid, p.zxid);
      auto ack = std::make_shared<QuorumPacket>();
      ack->type = T::kAck;
      ack->zxid = p.zxid;
      send_to_leader(std::move(ack));
      break;
    }
    case T::kCommit: {
      const auto it = learner_pending_.find(p.zxid);
      if (it != learner_pending_.end()) {
        const Txn txn = it->second;
        learner_pending_.erase(it);
        apply_committed(txn);
      }
      break;
    }
    case T::kPing: {
      // Learner.ping: answer with the sessions our clients touched since the last ping.
      auto r = std::make_shared<QuorumPacket>();
      r->type = T::kPing;
      r->touches = std::move(touched_sessions_);
      touched_sessions_.clear();
      send_to_leader(std::move(r));
      break;
    }
    case T::kRevalidateReply:
      finish_connect(p.origin_connection, p.session, p.valid);
      break;
    default:
      break;
  }
}

void ZooKeeperServer::learner_give_up(std::string reason) {
  log("step_down", reason);
  stop_serving_roles(reason);
  start_looking("follower gave up: " + reason);
}

// ------------------------------------------------------------------------------------------
// Common to both roles.

void ZooKeeperServer::stop_serving_roles(std::string_view why) {
  (void)why;
  ++role_generation_;
  for (auto& [conn, l] : learners_) net().close(l.connection, process_);
  learners_.clear();
  if (leader_connection_) net().close(*leader_connection_, process_);
  leader_connection_.reset();
  close_all_clients();
  leader_serving_ = false;
  learner_synced_ = false;
  epoch_decided_ = false;
  epoch_acked_ = false;
  outstanding_.clear();
  learner_pending_.clear();
  revalidating_.clear();
  session_deadline_.clear();
  touched_sessions_.clear();
}

void ZooKeeperServer::became_serving(std::string detail) {
  serving_record_ = ctx_.milestone(node_name_, "zookeeper.serving", std::move(detail));
  ensemble_.on_serving_changed(*this);
}

void ZooKeeperServer::apply_committed(const Txn& txn) {
  const std::vector<WatchEvent> events = disk_.tree.apply(txn);
  disk_.last_zxid = std::max(disk_.last_zxid, txn.zxid);
  fire_watches(events);
  if (txn.origin_sid == sid_) {
    const auto it = clients_.find(txn.origin_connection);
    if (it != clients_.end()) {
      ClientCnx& cnx = it->second;
      if (txn.type == TxnType::kCreateSession) {
        finish_connect(txn.origin_connection, txn.session, true);
      } else if (cnx.waiting_write && cnx.waiting_xid == txn.origin_xid) {
        auto r = std::make_shared<zkwire::Response>();
        r->xid = txn.origin_xid;
        r->error = txn.type == TxnType::kError ? txn.error : ZkError::kOk;
        r->zxid = txn.zxid;
        r->path = txn.path;
        net().send(cnx.connection, process_, std::move(r));
        cnx.waiting_write = false;
        if (txn.type != TxnType::kCloseSession) process_client_queue(cnx);
      }
    }
  }
  if (txn.type == TxnType::kCloseSession) {
    // The server drops every connection of a closed or expired session.
    std::vector<std::uint32_t> to_close;
    for (const auto& [conn, cnx] : clients_) {
      if (cnx.session == txn.session) to_close.push_back(conn);
    }
    for (const std::uint32_t conn : to_close) {
      net().close(clients_[conn].connection, process_);
      clients_.erase(conn);
    }
  }
}

// ------------------------------------------------------------------------------------------
// Clients.

void ZooKeeperServer::on_client_accepted(sim::ConnectionId c) {
  ClientCnx cnx;
  cnx.connection = c;
  clients_[c.value] = std::move(cnx);
}

void ZooKeeperServer::on_client_closed(sim::ConnectionId c) {
  clients_.erase(c.value);
}

void ZooKeeperServer::close_all_clients() {
  for (auto& [conn, cnx] : clients_) net().close(cnx.connection, process_);
  clients_.clear();
}

std::string ZooKeeperServer::srvr_mode() const {
  switch (state()) {
    case ZooKeeperState::kLeading:
      return "leader";
    case ZooKeeperState::kFollowing:
      return "follower";
    case ZooKeeperState::kStandalone:
      return "standalone";
    default:
      return "";
  }
}

void ZooKeeperServer::on_client_message(sim::ConnectionId c, const sim::Message& m) {
  const auto it = clients_.find(c.value);
  if (it == clients_.end()) return;
  ClientCnx& cnx = it->second;
  if (const auto* w = sim::message_as<zkwire::FourLetterWord>(m)) {
    auto r = std::make_shared<zkwire::FourLetterReply>();
    r->serving = serving();
    r->mode = srvr_mode();
    r->text = r->serving ? "Mode: " + r->mode
                         : "This ZooKeeper instance is not currently serving requests";
    (void)w;
    net().send(c, process_, std::move(r));
    net().close(c, process_);
    clients_.erase(it);
    return;
  }
  if (const auto* r = sim::message_as<zkwire::ConnectRequest>(m)) {
    if (!serving() || r->last_zxid_seen > disk_.last_zxid) {
      // ZooKeeperServer not running, or the client has seen a newer zxid: refuse the session.
      net().close(c, process_);
      clients_.erase(it);
      return;
    }
    handle_connect_request(cnx, *r);
    return;
  }
  if (!cnx.established) return;
  const std::int64_t session = cnx.session;
  touch_session(session, cnx.timeout);
  if (auto req = std::dynamic_pointer_cast<const zkwire::Request>(m)) {
    cnx.queue.push_back(req);
    process_client_queue(cnx);
    return;
  }
  if (sim::message_as<zkwire::Ping>(m) != nullptr) {
    net().send(c, process_, std::make_shared<zkwire::PingReply>());
    return;
  }
  if (const auto* w = sim::message_as<zkwire::SetWatches>(m)) handle_set_watches(cnx, *w);
}

void ZooKeeperServer::handle_connect_request(ClientCnx& cnx, const zkwire::ConnectRequest& r) {
  cnx.timeout = std::clamp(r.timeout, cfg_.min_session_timeout(), cfg_.max_session_timeout());
  if (r.session_id == 0) {
    // Session ids: the server id in the top byte, then a counter that never goes back.
    const std::int64_t id = (static_cast<std::int64_t>(sid_) << 56) |
                            static_cast<std::int64_t>(++disk_.session_counter);
    cnx.session = id;
    if (leader_serving_) {
      prepare_and_propose(sid_, cnx.connection.value, nullptr, id, true, cnx.timeout);
    } else {
      forward_to_leader(cnx.connection.value, id, nullptr, true, cnx.timeout);
    }
    return;
  }
  cnx.session = r.session_id;
  if (leader_serving_) {
    finish_connect(cnx.connection.value, r.session_id, session_deadline_.count(r.session_id) > 0);
    return;
  }
  auto p = std::make_shared<QuorumPacket>();
  p->type = QuorumPacket::Type::kRevalidate;
  p->session = r.session_id;
  p->origin_connection = cnx.connection.value;
  send_to_leader(std::move(p));
}

void ZooKeeperServer::forward_to_leader(std::uint32_t origin_connection, std::int64_t session,
                                        std::shared_ptr<const zkwire::Request> req,
                                        bool create_session, sim::SimTime timeout) {
  auto p = std::make_shared<QuorumPacket>();
  p->type = QuorumPacket::Type::kRequest;
  p->origin_connection = origin_connection;
  p->session = session;
  p->request = std::move(req);
  p->create_session = create_session;
  p->timeout = timeout;
  send_to_leader(std::move(p));
}

void ZooKeeperServer::finish_connect(std::uint32_t connection, std::int64_t session, bool valid) {
  const auto it = clients_.find(connection);
  if (it == clients_.end()) return;
  ClientCnx& cnx = it->second;
  auto r = std::make_shared<zkwire::ConnectResponse>();
  r->session_id = session;
  if (!valid) {
    r->timeout = sim::SimTime::zero();
    net().send(cnx.connection, process_, std::move(r));
    net().close(cnx.connection, process_);
    clients_.erase(it);
    return;
  }
  cnx.established = true;
  r->timeout = cnx.timeout;
  net().send(cnx.connection, process_, std::move(r));
  touch_session(session, cnx.timeout);
  process_client_queue(cnx);
}

void ZooKeeperServer::process_client_queue(ClientCnx& first) {
  // FinalRequestProcessor order: a session's requests are answered in order, so a read waits
  // for the writes before it. A proposal can commit at once (a lone server) and a committed
  // closeSession erases the connection, so look it up again on every round.
  const std::uint32_t id = first.connection.value;
  for (;;) {
    const auto it = clients_.find(id);
    if (it == clients_.end()) return;
    ClientCnx& cnx = it->second;
    if (cnx.waiting_write || cnx.queue.empty()) return;
    std::shared_ptr<const zkwire::Request> req = cnx.queue.front();
    cnx.queue.pop_front();
    const bool read =
        req->op == ZkOp::kExists || req->op == ZkOp::kGetData || req->op == ZkOp::kGetChildren;
    if (read) {
      reply_read(cnx, *req);
      continue;
    }
    cnx.waiting_write = true;
    cnx.waiting_xid = req->xid;
    if (leader_serving_) {
      prepare_and_propose(sid_, cnx.connection.value, req.get(), cnx.session, false,
                          sim::SimTime::zero());
    } else {
      forward_to_leader(cnx.connection.value, cnx.session, req, false, sim::SimTime::zero());
    }
  }
}

void ZooKeeperServer::reply_read(ClientCnx& cnx, const zkwire::Request& req) {
  auto r = std::make_shared<zkwire::Response>();
  r->xid = req.xid;
  r->zxid = disk_.tree.last_applied;
  const auto node = disk_.tree.nodes.find(req.path);
  const bool exists = node != disk_.tree.nodes.end();
  switch (req.op) {
    case ZkOp::kExists:
      r->exists = exists;
      if (req.watch) cnx.data_watches.insert(req.path);
      break;
    case ZkOp::kGetData:
      if (!exists) {
        r->error = ZkError::kNoNode;
        break;
      }
      r->exists = true;
      r->data = node->second.data;
      if (req.watch) cnx.data_watches.insert(req.path);
      break;
    case ZkOp::kGetChildren:
      if (!exists) {
        r->error = ZkError::kNoNode;
        break;
      }
      r->exists = true;
      r->children = disk_.tree.children(req.path);
      if (req.watch) cnx.child_watches.insert(req.path);
      break;
    default:
      break;
  }
  net().send(cnx.connection, process_, std::move(r));
}

void ZooKeeperServer::handle_set_watches(ClientCnx& cnx, const zkwire::SetWatches& w) {
  // DataTree.setWatches: fire at once what changed since the client's last zxid.
  std::vector<WatchEvent> fire;
  const auto& nodes = disk_.tree.nodes;
  for (const std::string& path : w.data_watches) {
    const auto n = nodes.find(path);
    if (n == nodes.end()) {
      fire.push_back({WatchEventType::kNodeDeleted, path});
    } else if (n->second.mzxid > w.relative_zxid) {
      fire.push_back({WatchEventType::kNodeDataChanged, path});
    } else {
      cnx.data_watches.insert(path);
    }
  }
  for (const std::string& path : w.exist_watches) {
    if (nodes.count(path) != 0) {
      fire.push_back({WatchEventType::kNodeCreated, path});
    } else {
      cnx.data_watches.insert(path);
    }
  }
  for (const std::string& path : w.child_watches) {
    const auto n = nodes.find(path);
    if (n == nodes.end()) {
      fire.push_back({WatchEventType::kNodeDeleted, path});
    } else if (n->second.pzxid > w.relative_zxid) {
      fire.push_back({WatchEventType::kNodeChildrenChanged, path});
    } else {
      cnx.child_watches.insert(path);
    }
  }
  for (WatchEvent& e : fire) {
    auto n = std::make_shared<zkwire::WatchNotification>();
    n->event = std::move(e);
    net().send(cnx.connection, process_, std::move(n));
  }
}

void ZooKeeperServer::fire_watches(const std::vector<WatchEvent>& events) {
  // WatchManager.triggerWatch: one-shot, on the server the client is connected to.
  for (auto& [conn, cnx] : clients_) {
    for (const WatchEvent& e : events) {
      bool hit = false;
      if (e.type != WatchEventType::kNodeChildrenChanged && cnx.data_watches.erase(e.path) > 0) {
        hit = true;
      }
      if ((e.type == WatchEventType::kNodeChildrenChanged ||
           e.type == WatchEventType::kNodeDeleted) &&
          cnx.child_watches.erase(e.path) > 0) {
        hit = true;
      }
      if (!hit) continue;
      auto n = std::make_shared<zkwire::WatchNotification>();
      n->event = e;
      net().send(cnx.connection, process_, std::move(n));
    }
  }
}

// ------------------------------------------------------------------------------------------
// The ensemble.

ZooKeeperEnsemble::ZooKeeperEnsemble(RunContext& ctx, ZooKeeperServer::Options options)
    : ZooKeeperEnsemble(ctx, options, ZooKeeperConfig::from(ctx.params(), options.version)) {}

ZooKeeperEnsemble::ZooKeeperEnsemble(RunContext& ctx, ZooKeeperServer::Options options,
                                     ZooKeeperConfig config)
    : ctx_(ctx), config_(std::move(config)) {
  std::vector<HostInfo> masters = ctx.topology().masters;
  std::sort(masters.begin(), masters.end(),
            [](const HostInfo& a, const HostInfo& b) { return a.zk_id < b.zk_id; });
  for (std::size_t i = 0; i < masters.size(); ++i) {
    assert(masters[i].zk_id == static_cast<int>(i) + 1 && "zk ids must be 1..N");
    const sim::ProcessId p = ctx.network().add_process(masters[i].node, "zookeeper");
    servers_.push_back(std::make_unique<ZooKeeperServer>(ctx, *this, masters[i].zk_id, p, options));
  }
}

ZooKeeperEnsemble::~ZooKeeperEnsemble() = default;

ZooKeeperServer& ZooKeeperEnsemble::server(int sid) {
  return *servers_.at(sid - 1);
}
const ZooKeeperServer& ZooKeeperEnsemble::server(int sid) const {
  return *servers_.at(sid - 1);
}

ZooKeeperServer* ZooKeeperEnsemble::server_on(sim::NodeId node) {
  for (auto& s : servers_) {
    if (ctx_.network().node_of(s->process()) == node) return s.get();
  }
  return nullptr;
}

sim::NodeId ZooKeeperEnsemble::node_of(int sid) const {
  return ctx_.network().node_of(servers_.at(sid - 1)->process());
}

std::vector<sim::Address> ZooKeeperEnsemble::client_addresses() const {
  std::vector<sim::Address> out;
  for (int sid = 1; sid <= size(); ++sid) out.push_back({node_of(sid), ports::kZooKeeperClient});
  return out;
}

int ZooKeeperEnsemble::serving_leader() const {
  for (const auto& l : servers_) {
    const ZooKeeperState s = l->state();
    if (s != ZooKeeperState::kLeading && s != ZooKeeperState::kStandalone) continue;
    int n = 0;
    for (const auto& f : servers_) {
      if (f->serving() && f->serving_epoch() == l->serving_epoch() && f->leader_sid() == l->sid()) {
        ++n;
      }
    }
    if (n >= quorum()) return l->sid();
  }
  return 0;
}

void ZooKeeperEnsemble::on_serving_changed(const ZooKeeperServer& server) {
  const ZooKeeperState st = server.state();
  const bool leads = st == ZooKeeperState::kLeading || st == ZooKeeperState::kStandalone;
  if (server.serving() && leads) {
    const std::uint64_t epoch = server.serving_epoch();
    std::set<int>& leaders = leaders_by_epoch_[epoch];
    leaders.insert(server.sid());
    if (leaders.size() > 1) {
      std::string nodes;
      for (const int sid : leaders) {
        nodes += (nodes.empty() ? "" : ",") + this->server(sid).node_name();
      }
      ctx_.violation("single-zookeeper-leader", nodes,
                     fmt::format("{} leaders served epoch {}", leaders.size(), epoch));
    }
    // An older leader still serving must step down within syncLimit ticks of losing its
    // quorum (plus the tick its check waits for): check it then.
    for (const auto& other : servers_) {
      if (other.get() == &server || other->state() != ZooKeeperState::kLeading) continue;
      if (other->serving_epoch() >= epoch) continue;
      const int sid = other->sid();
      const std::uint64_t old_epoch = other->serving_epoch();
      const std::uint64_t inc = other->incarnation();
      const int new_leader = server.sid();
      ctx_.engine().schedule_after(config_.tick * (config_.sync_limit + 1),
                                   [this, sid, old_epoch, inc, new_leader, epoch] {
                                     check_stale_leader(sid, old_epoch, inc, new_leader, epoch);
                                   });
    }
  }
  // zookeeper.quorum: a leader and a quorum (leader included) serving in one epoch.
  const int leader = serving_leader();
  if (leader == 0) return;
  const ZooKeeperServer& l = this->server(leader);
  const std::uint64_t epoch = l.serving_epoch();
  if (!quorum_epochs_.insert(epoch).second) return;
  std::optional<sim::RecordId> cause;
  for (const auto& f : servers_) {
    if (f->serving() && f->leader_sid() == leader && f->latest_serving_record()) {
      if (!cause || *f->latest_serving_record() > *cause) cause = f->latest_serving_record();
    }
  }
  quorum_record_ = ctx_.milestone("cluster", "zookeeper.quorum",
                                  l.state() == ZooKeeperState::kStandalone
                                      ? fmt::format("standalone {}", l.node_name())
                                      : fmt::format("leader {}, epoch {}", l.node_name(), epoch),
                                  cause);
}

void ZooKeeperEnsemble::check_stale_leader(int sid, std::uint64_t epoch, std::uint64_t incarnation,
                                           int new_leader, std::uint64_t new_epoch,
                                           bool was_paused) {
  const ZooKeeperServer& s = server(sid);
  if (s.incarnation() != incarnation || s.state() != ZooKeeperState::kLeading ||
      s.serving_epoch() != epoch) {
    return;
  }
  const bool paused = ctx_.network().process_state(s.process()) == sim::ProcessState::kPaused;
  if (paused || was_paused) {
    // Paused: look again every tick. Seen running again (resumed within the last tick): give
    // it the whole grace from now.
    const sim::SimTime delay = paused ? config_.tick : config_.tick * (config_.sync_limit + 1);
    ctx_.engine().schedule_after(
        delay, [this, sid, epoch, incarnation, new_leader, new_epoch, paused] {
          check_stale_leader(sid, epoch, incarnation, new_leader, new_epoch, paused);
        });
    return;
  }
  std::string a = s.node_name();
  std::string b = server(new_leader).node_name();
  if (b < a) std::swap(a, b);
  ctx_.violation(
      "single-zookeeper-leader", a + "," + b,
      fmt::format("{} still leads epoch {} {} after {} began leading epoch {}", s.node_name(),
                  epoch, sim::format_duration(config_.tick * (config_.sync_limit + 1)),
                  server(new_leader).node_name(), new_epoch));
}

}  // namespace bootsim::models
