// The data model a ZooKeeper ensemble replicates, shared by servers and clients: zxids, znodes,
// the transactions of the replicated log, the result codes of operations (ZkError), watch
// events, and DataTree, the state machine the committed transactions are applied to.
//
//   DataTree tree;  // "/" only
//   Txn t{.type = TxnType::kCreate, .zxid = make_zxid(1, 1), .path = "/mesos"};
//   for (const WatchEvent& e : tree.apply(t)) { /* NodeCreated /mesos, NodeChildrenChanged / */ }
//
// Contract:
// - Plain values: a DataTree is copied freely (a learner's sync ships one, the leader keeps one
//   with its outstanding changes applied). What the server writes to disk is this state.
// - apply() trusts its transaction (the leader validated it in PrepRequestProcessor) and is
//   deterministic: maps are ordered, and the watch events come in a fixed order (the node, then
//   its parent; a closed session's ephemerals in path order).
// - Cost: O(log n) per create, delete and set; children() O(log n + descendants);
//   a closeSession transaction O(n) (it scans for the session's ephemerals).
#pragma once

#include <cstdint>
#include <map>
#include <string>
#include <string_view>
#include <vector>

#include "sim/time.hpp"

namespace bootsim::models {

// The result of an operation (KeeperException.Code): error transactions carry it to the
// client; the last three are the client's own outcomes.
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

}  // namespace bootsim::models
