// ZooKeeperConfig: the timings a ZooKeeper server reads from Parameters (zookeeper.*), once,
// and ZooKeeperVersion, the releases whose differing constants the model knows.
//
//   const ZooKeeperConfig cfg = ZooKeeperConfig::from(ctx.params());  // DC/OS's 3.4
//   const sim::SimTime read_timeout = cfg.tick * cfg.sync_limit;      // a synced follower's
//
// Contract: from() is a pure function of the parameters and the release (it shows which
// parameter each field comes from); the ensemble reads it once, or takes one built by hand
// (calibration), and every server keeps a copy.
#pragma once

#include <cstdint>

#include "models/core/parameters.hpp"
#include "sim/distribution.hpp"
#include "sim/time.hpp"

namespace bootsim::models {

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

}  // namespace bootsim::models
