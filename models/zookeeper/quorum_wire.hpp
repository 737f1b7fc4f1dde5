// The messages ZooKeeper servers exchange among themselves: the election's (port 3888:
// ElectionHello, then Notifications) and Zab's QuorumPacket (port 2888, learner and leader).
// Internal to the server: only models/zookeeper/*.cpp include it.
//
//   auto p = std::make_shared<ZooKeeperServer::QuorumPacket>();
//   p->type = ZooKeeperServer::QuorumPacket::Type::kPing;
//   net().send(l.connection, process_, std::move(p));  // inside ZooKeeperServer
//
// Contract: payloads are immutable once sent; kind() names each message in traces and must not
// change. A QuorumPacket carries the fields of every type; each type reads only its own.
#pragma once

#include <cstdint>
#include <map>
#include <memory>
#include <string_view>

#include "models/zookeeper/data_tree.hpp"
#include "models/zookeeper/server.hpp"
#include "models/zookeeper/wire.hpp"
#include "sim/network.hpp"
#include "sim/time.hpp"

namespace bootsim::models {

// QuorumCnxManager's first message on a new election connection: who is calling.
struct ZooKeeperServer::ElectionHello final : sim::Payload {
  int sid = 0;
  std::string_view kind() const override { return "zk.ElectionHello"; }
};

// FastLeaderElection's notification: the sender's vote and its state.
struct ZooKeeperServer::Notification final : sim::Payload {
  int leader = 0;
  Zxid zxid = 0;
  std::uint64_t election_epoch = 0;
  std::uint64_t peer_epoch = 0;
  PeerState state = PeerState::kLooking;
  int sid = 0;
  std::string_view kind() const override { return "zk.Notification"; }
};

// Zab's QuorumPacket, of the types in Leader.java (REQUEST and REVALIDATE carry a client's
// request or session to the leader).
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

}  // namespace bootsim::models
