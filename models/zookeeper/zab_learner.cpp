#include "models/zookeeper/server.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <utility>

#include "models/zookeeper/ensemble.hpp"
#include "models/zookeeper/quorum_wire.hpp"

namespace bootsim::models {

namespace {
// Learner.connectToLeader: 5 connect tries before the follower gives up (ZooKeeper 3.4 and 3.8).
constexpr int kLearnerConnectTries = 5;
}  // namespace

// ------------------------------------------------------------------------------------------
// Zab, the learner (Learner.java, Follower.java): connect to the leader, sync, follow.

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

// mirrors Learner.syncWithLeader, Follower.processPacket (zookeeper/server/quorum/*.java)
void ZooKeeperServer::on_leader_message(const QuorumPacket& p) {
  last_heard_leader_ = ctx_.now();
  using T = QuorumPacket::Type;
  switch (p.type) {
    case T::kLeaderInfo:
      on_leader_info(p);
      break;
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
      net().after(process_, net().disk_time(net().node_of(process_), cfg_.snapshot_write),
                  [this, gen, zxid] {
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

void ZooKeeperServer::on_leader_info(const QuorumPacket& p) {
  // Learner.registerWithLeader: accept the leader's epoch and ack it.
  got_leader_info_ = true;
  auto ack = std::make_shared<QuorumPacket>();
  ack->type = QuorumPacket::Type::kAckEpoch;
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
}

void ZooKeeperServer::learner_give_up(std::string reason) {
  log("step_down", reason);
  stop_serving_roles(reason);
  sim::SharedCpu* cpu = options_.shared_cpu;
  if (cpu == nullptr || !options_.learner_shutdown_work) {
    start_looking("follower gave up: " + reason);
    return;
  }
  const sim::SimTime work = options_.learner_shutdown_work->sample(rng_);
  const std::uint64_t gen = role_generation_;
  const std::uint64_t inc = incarnation_;
  if (startup_job_) cpu->cancel(*startup_job_);
  startup_job_ = cpu->run(work, options_.start_threads_milli, [this, gen, inc, reason] {
    startup_job_.reset();
    if (!net().process_up(process_) || net().incarnation(process_) != inc) return;
    if (gen == role_generation_) start_looking("follower gave up: " + reason);
  });
}

// FollowerRequestProcessor: a write (or a new session) of this server's clients goes to the
// leader.
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

}  // namespace bootsim::models
