#include "models/zookeeper/server.hpp"

#include <fmt/format.h>

#include <set>

#include <algorithm>
#include <utility>

#include "models/zookeeper/ensemble.hpp"
#include "models/zookeeper/quorum_wire.hpp"

namespace bootsim::models {

// ------------------------------------------------------------------------------------------
// Zab, the leader (Leader.java, LearnerHandler.java): discovery (FOLLOWERINFO, LEADERINFO,
// ACKEPOCH), sync (DIFF, NEWLEADER, UPTODATE), liveness by syncLimit.

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
    // A snapshot is written and fsynced: a slow disk stretches it.
    const sim::SimTime write = net().disk_time(net().node_of(process_), cfg_.snapshot_write);
    net().after(process_, write, [this, bind_gen] {
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

// mirrors LearnerHandler.run (zookeeper/server/quorum/LearnerHandler.java)
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
    on_follower_info(c, p);
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
      on_learner_ack(l, p.zxid);
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
    case T::kRevalidate:
      answer_revalidate(l, p);
      break;
    default:
      break;
  }
}

void ZooKeeperServer::on_follower_info(sim::ConnectionId c, const QuorumPacket& p) {
  // A learner that connects again replaces its old handler.
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
}

void ZooKeeperServer::on_learner_ack(LearnerHandle& l, Zxid zxid) {
  // The ack of NEWLEADER (LearnerHandler), else of a proposal (Leader.processAck).
  if (zxid == make_zxid(zab_epoch_, 0) && !l.newleader_acked) {
    l.newleader_acked = true;
    if (!leader_serving_) {
      newleader_acks_.insert(l.sid);
      maybe_start_serving_as_leader();
    } else {
      send_uptodate(l);
    }
  } else {
    for (Proposal& prop : outstanding_) {
      if (prop.txn.zxid == zxid) {
        prop.acks.insert(l.sid);
        break;
      }
    }
    try_commit();
  }
}

void ZooKeeperServer::answer_revalidate(LearnerHandle& l, const QuorumPacket& p) {
  // A client reconnected to a learner: is its session still alive (Leader's session tracker)?
  const bool valid = session_deadline_.count(p.session) > 0;
  if (valid) touch_session(p.session, session_deadline_[p.session] - ctx_.now());
  auto r = std::make_shared<QuorumPacket>();
  r->type = QuorumPacket::Type::kRevalidateReply;
  r->session = p.session;
  r->origin_connection = p.origin_connection;
  r->valid = valid;
  send_to_learner(l, std::move(r));
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

// ------------------------------------------------------------------------------------------
// The leader's request processors: validate, propose, commit in zxid order.

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
  if (!request_to_txn(req, session, t)) return;  // reads never reach the leader
  propose(std::move(t));
}

// mirrors PrepRequestProcessor.pRequest2Txn (zookeeper/server/PrepRequestProcessor.java)
bool ZooKeeperServer::request_to_txn(const zkwire::Request* req, std::int64_t session,
                                     Txn& t) const {
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
      return false;
  }
  return true;
}

void ZooKeeperServer::propose(Txn txn) {
  txn.zxid = make_zxid(zab_epoch_, ++zxid_counter_);
  pending_tree_.apply(txn);
  disk_.last_zxid = txn.zxid;  // logged (and fsynced) before the leader acks its own proposal
  if (txn.type == TxnType::kCreateSession)
    session_deadline_[txn.session] = ctx_.now() + txn.timeout;
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

// ------------------------------------------------------------------------------------------
// Sessions: the leader tracks deadlines (SessionTrackerImpl); a learner collects the sessions
// its clients touched for its next PING.

void ZooKeeperServer::touch_session(std::int64_t session, sim::SimTime timeout) {
  if (leader_serving_) {
    // SessionTrackerImpl.touchSession: an unknown or expired session stays dead, so a learner's
    // PING that still carries it (touched before the expiry) does not bring it back.
    const auto it = session_deadline_.find(session);
    if (it != session_deadline_.end()) it->second = ctx_.now() + timeout;
  } else {
    touched_sessions_[session] = timeout;
  }
}

std::vector<std::int64_t> ZooKeeperServer::sessions_of(sim::ProcessId client) const {
  std::set<std::int64_t> out;
  for (const auto& [conn, cnx] : clients_) {
    if (cnx.established && ctx_.network().is_open(cnx.connection) &&
        ctx_.network().peer_of(cnx.connection, process_) == client) {
      out.insert(cnx.session);
    }
  }
  return {out.begin(), out.end()};
}

bool ZooKeeperServer::expire_session(std::int64_t session, std::string_view why) {
  if (!leader_serving_ || session_deadline_.erase(session) == 0) return false;
  log("session_expired", fmt::format("session {:#x} ({})", session, why));
  Txn t;
  t.type = TxnType::kCloseSession;
  t.session = session;
  propose(std::move(t));
  return true;
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

}  // namespace bootsim::models
