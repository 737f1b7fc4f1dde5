// The client protocol of ZooKeeper (port 2181): the operations and create modes a client asks
// for, and the payloads (namespace zkwire) that the client (models/zookeeper/client.hpp) and
// the server's client service (models/zookeeper/client_service.cpp) exchange.
//
//   auto req = std::make_shared<zkwire::Request>();
//   req->xid = 7, req->op = ZkOp::kCreate, req->path = "/mesos/json.info_";
//   net.send(connection, process, std::move(req));  // answered by a zkwire::Response, xid 7
//
// Contract:
// - A session starts with ConnectRequest / ConnectResponse; then Requests are answered by
//   Responses with the same xid, in the order they were sent. Pings keep the session alive;
//   WatchNotification arrives at most once per watch set; SetWatches re-arms watches after a
//   reconnect. A FourLetterWord is answered whatever the server's state, then the server closes
//   the connection.
// - Payloads are immutable once sent (the network holds them as shared_ptr<const>); kind()
//   names the payload in traces and must not change.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "models/zookeeper/data_tree.hpp"
#include "sim/network.hpp"
#include "sim/time.hpp"

namespace bootsim::models {

// How a created znode lives: an ephemeral one goes with its session; a sequential one gets the
// parent's cversion appended as 10 zero-padded digits.
enum class CreateMode { kPersistent, kEphemeral, kPersistentSequential, kEphemeralSequential };

// Client operations on the wire.
enum class ZkOp { kCreate, kDelete, kExists, kGetData, kGetChildren, kSetData, kCloseSession };

// The payloads the client and the server exchange.
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

}  // namespace bootsim::models
