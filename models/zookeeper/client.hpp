// ZooKeeperClient: a ZooKeeper session as the Java client (ClientCnxn) keeps it, for the
// models that use ZooKeeper (Mesos master contender/detector, Marathon, agents, bootstrap).
//
//   auto zk = std::make_unique<ZooKeeperClient>(ctx, process, ensemble.client_addresses(),
//                                               sim::seconds(10));
//   zk->on_session_event([&](SessionEvent e) { if (e == SessionEvent::kConnected) ... });
//   zk->connect();
//   zk->create("/mesos/json.info_", data, CreateMode::kEphemeralSequential,
//              [&](ZkError e, const std::string& path) { ... });
//   zk->get_children("/mesos", [&](const WatchEvent&) { /* one-shot */ },
//                    [&](ZkError e, const std::vector<std::string>& children) { ... });
//
// Contract:
// - Everything goes over the kernel network from the owner process: the client connects to one
//   server of its list (shuffled once from its own random stream), negotiates the session
//   timeout (the server clamps it into [2, 20] ticks), pings when it has sent nothing for a
//   third of the timeout, and declares the connection lost when it has heard nothing for two
//   thirds of it; it then reconnects to the next server (after U(0, 1 s), plus 1 s once it has
//   tried the whole list), resending its watches. The session expires when the ensemble has not
//   heard from it for the timeout; the client learns that when it reconnects (kExpired), or,
//   with ExpiryDetection::kLocalTimer, when it has been disconnected for the timeout (what
//   Mesos' group does).
// - Callbacks run in the owner process's context, each at most once. Requests made while
//   disconnected wait for the connection; requests in flight when the connection breaks fail
//   with kConnectionLoss; after expiry or close() every request fails with kSessionExpired or
//   kClosed (immediately, from inside the call). Watches are one-shot.
// - Ownership: the model that owns the client drops it in on_exit (or whenever it likes): the
//   destructor closes the connection (without closing the session) and no callback runs after
//   it. If the owner process dies, nothing runs either (process-scoped handlers and timers).
// - Deterministic: draws come from the stream "<process>/zk-client[/<name>]".
#pragma once

#include <cstdint>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "models/core/run_context.hpp"
#include "models/zookeeper/data_tree.hpp"
#include "models/zookeeper/wire.hpp"
#include "sim/network.hpp"

namespace bootsim::models {

enum class SessionEvent { kConnected, kDisconnected, kExpired };
std::string_view to_string(SessionEvent e);

enum class SessionState { kIdle, kConnecting, kConnected, kExpired, kClosed };
std::string_view to_string(SessionState s);

// Who decides that a session is gone.
enum class ExpiryDetection {
  kOnReconnect,  // the ZooKeeper client: only the server says so, when the client reconnects
  kLocalTimer,   // Mesos' group.cpp: disconnected for the session timeout counts as expired
};

class ZooKeeperClient {
 public:
  struct Options {
    ExpiryDetection expiry = ExpiryDetection::kOnReconnect;
    std::string name;  // distinguishes several clients of one process in the random streams
  };
  using CreateCallback = std::function<void(ZkError, const std::string& created_path)>;
  using StatusCallback = std::function<void(ZkError)>;
  using ExistsCallback = std::function<void(ZkError, bool exists)>;
  using ChildrenCallback = std::function<void(ZkError, const std::vector<std::string>& children)>;
  using DataCallback = std::function<void(ZkError, const std::string& data)>;
  using WatchCallback = std::function<void(const WatchEvent&)>;  // empty: no watch
  using SessionCallback = std::function<void(SessionEvent)>;

  ZooKeeperClient(RunContext& ctx, sim::ProcessId owner, std::vector<sim::Address> servers,
                  sim::SimTime session_timeout, Options options);
  ZooKeeperClient(RunContext& ctx, sim::ProcessId owner, std::vector<sim::Address> servers,
                  sim::SimTime session_timeout)
      : ZooKeeperClient(ctx, owner, std::move(servers), session_timeout, Options{}) {}
  ZooKeeperClient(const ZooKeeperClient&) = delete;
  ZooKeeperClient& operator=(const ZooKeeperClient&) = delete;
  ~ZooKeeperClient();

  void on_session_event(SessionCallback cb);
  // Starts connecting (once); later calls do nothing.
  void connect();
  // Closes the session (a CloseSession request: its ephemeral nodes go at once).
  void close();

  void create(std::string path, std::string data, CreateMode mode, CreateCallback cb);
  void remove(std::string path, StatusCallback cb);  // ZooKeeper's delete
  void set_data(std::string path, std::string data, StatusCallback cb);
  void exists(std::string path, WatchCallback watch, ExistsCallback cb);
  void get_data(std::string path, WatchCallback watch, DataCallback cb);
  // Children names, sorted.
  void get_children(std::string path, WatchCallback watch, ChildrenCallback cb);

  SessionState state() const;
  std::int64_t session_id() const;  // 0 before the first session is established
  sim::SimTime negotiated_timeout() const;
  // The server of the current connection, if connected.
  std::optional<sim::Address> connected_server() const;

 private:
  struct Impl;
  std::shared_ptr<Impl> impl_;
};

}  // namespace bootsim::models
