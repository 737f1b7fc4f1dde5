#include "models/zookeeper/server.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <utility>

#include "models/zookeeper/ensemble.hpp"
#include "models/zookeeper/quorum_wire.hpp"

namespace bootsim::models {

// ------------------------------------------------------------------------------------------
// Fast Leader Election (FastLeaderElection.java): rounds of votes by (epoch, zxid, sid) until a
// quorum agrees and no better vote comes within finalizeWait.

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
  looking_since_ = ctx_.now();  // FastLeaderElection.lookForLeader: self.start_fle
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
  // Leader.lead / Follower.followLeader: "LEADER ELECTION TOOK" = end_fle - start_fle.
  election_took_ = ctx_.now() - looking_since_;
  log("elected", fmt::format("leader sid {} ({}), round {}", v.leader, how, v.election_epoch));
  if (v.leader == sid_) {
    lead();
  } else {
    follow();
  }
}

// ------------------------------------------------------------------------------------------
// The election's connections (QuorumCnxManager): one per pair of servers, the larger sid's
// kept; one blocking sender thread; only the latest message per peer is queued.

namespace {
using Packet = std::shared_ptr<const sim::Payload>;
}  // namespace

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

}  // namespace bootsim::models
