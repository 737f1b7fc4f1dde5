#include "models/zookeeper/client.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <list>
#include <map>
#include <utility>

#include "models/zookeeper/wire.hpp"

namespace bootsim::models {

namespace {
// ClientCnxn.SendThread: before a reconnect it sleeps a random 0-1000 ms.
constexpr sim::SimTime kReconnectJitterMax = sim::seconds(1);
// StaticHostProvider.next(spinDelay): 1000 ms once every server of the list was tried.
constexpr sim::SimTime kSpinDelay = sim::seconds(1);
}  // namespace

std::string_view to_string(SessionEvent e) {
  switch (e) {
    case SessionEvent::kConnected:
      return "connected";
    case SessionEvent::kDisconnected:
      return "disconnected";
    case SessionEvent::kExpired:
      return "expired";
  }
  return "?";
}

std::string_view to_string(SessionState s) {
  switch (s) {
    case SessionState::kIdle:
      return "idle";
    case SessionState::kConnecting:
      return "connecting";
    case SessionState::kConnected:
      return "connected";
    case SessionState::kExpired:
      return "expired";
    case SessionState::kClosed:
      return "closed";
  }
  return "?";
}

struct ZooKeeperClient::Impl : std::enable_shared_from_this<ZooKeeperClient::Impl> {
  struct Pending {
    std::shared_ptr<zkwire::Request> request;
    CreateCallback on_create;
    StatusCallback on_status;
    ExistsCallback on_exists;
    ChildrenCallback on_children;
    DataCallback on_data;
    WatchCallback watch;
  };

  Impl(RunContext& c, sim::ProcessId o, std::vector<sim::Address> s, sim::SimTime t, Options opt)
      : ctx(c),
        owner(o),
        servers(std::move(s)),
        requested_timeout(t),
        options(std::move(opt)),
        rng(c.stream({c.network().process_name(o),
                      "zk-client" + (options.name.empty() ? "" : "/" + options.name)})) {
    // StaticHostProvider shuffles the list once.
    for (std::size_t i = servers.size(); i > 1; --i) {
      std::swap(servers[i - 1], servers[rng.uniform_index(i)]);
    }
  }

  sim::Network& net() { return ctx.network(); }
  const std::string& node_name() { return net().node_name(net().node_of(owner)); }
  void log(std::string_view event, std::string detail) {
    ctx.event(node_name(), "zk-client", event, std::move(detail));
  }
  void set_state(SessionState s, std::string_view why) {
    if (s == state) return;
    log("session_state", fmt::format("{} -> {}: {}", to_string(state), to_string(s), why));
    state = s;
  }
  void emit(SessionEvent e) {
    // A copy: the callback may drop the client, which clears session_cb.
    SessionCallback cb = session_cb;
    if (cb) cb(e);
  }
  sim::SimTime timeout() const { return negotiated.ns() > 0 ? negotiated : requested_timeout; }
  sim::SimTime read_timeout() const { return timeout() * 2 / 3; }

  void start_attempt() {
    if (state != SessionState::kConnecting) return;
    const sim::Address target = servers[next_server % servers.size()];
    ++next_server;
    ++attempts;
    const std::uint64_t gen = ++generation;
    std::weak_ptr<Impl> weak = weak_from_this();
    sim::StreamHandlers h;
    h.on_open = [weak, gen](sim::ConnectionId c) {
      if (auto self = weak.lock(); self && self->generation == gen) self->on_open(c);
    };
    h.on_connect_failed = [weak, gen](sim::ConnectionId, sim::ConnectError) {
      if (auto self = weak.lock(); self && self->generation == gen) {
        self->connection_lost("connect failed");
      }
    };
    h.on_message = [weak, gen](sim::ConnectionId, const sim::Message& m) {
      if (auto self = weak.lock(); self && self->generation == gen) self->on_message(m);
    };
    h.on_closed = [weak, gen](sim::ConnectionId) {
      if (auto self = weak.lock(); self && self->generation == gen) {
        self->connection_lost("closed by the server");
      }
    };
    current_server = target;
    last_recv = ctx.now();
    // ClientCnxn: connectTimeout = sessionTimeout / number of servers, for connect + handshake.
    const sim::SimTime connect_timeout = timeout() / static_cast<std::int64_t>(servers.size());
    connection = net().connect(owner, target, connect_timeout, std::move(h));
    handshaking = true;
    net().after(owner, connect_timeout, [weak, gen] {
      if (auto self = weak.lock(); self && self->generation == gen && self->handshaking) {
        self->connection_lost("no answer to the connect request");
      }
    });
  }

  void on_open(sim::ConnectionId c) {
    auto r = std::make_shared<zkwire::ConnectRequest>();
    r->session_id = session_id;
    r->timeout = requested_timeout;
    r->last_zxid_seen = last_zxid_seen;
    net().send(c, owner, std::move(r));
    last_send = ctx.now();
  }

  void connection_lost(std::string_view why) {
    if (connection) net().close(*connection, owner);
    connection.reset();
    current_server.reset();
    handshaking = false;
    ++generation;  // every handler and timer of that connection is now stale
    fail_outstanding(ZkError::kConnectionLoss);
    if (state == SessionState::kConnected) {
      set_state(SessionState::kConnecting, why);
      emit(SessionEvent::kDisconnected);
      if (state != SessionState::kConnecting) return;  // the callback closed or dropped us
      disconnected_since = last_recv;
      if (options.expiry == ExpiryDetection::kLocalTimer) arm_local_expiry();
    }
    if (state != SessionState::kConnecting) return;
    sim::SimTime delay = sim::from_seconds(rng.uniform(0.0, kReconnectJitterMax.to_seconds()));
    if (attempts % servers.size() == 0) delay += kSpinDelay;
    const std::uint64_t gen = generation;
    std::weak_ptr<Impl> weak = weak_from_this();
    net().after(owner, delay, [weak, gen] {
      if (auto self = weak.lock(); self && self->generation == gen) self->start_attempt();
    });
  }

  void arm_local_expiry() {
    const std::uint64_t epoch = connected_count;
    std::weak_ptr<Impl> weak = weak_from_this();
    const sim::SimTime at = disconnected_since + timeout();
    const sim::SimTime wait = at > ctx.now() ? at - ctx.now() : sim::SimTime::zero();
    net().after(owner, wait, [weak, epoch] {
      auto self = weak.lock();
      if (!self || self->connected_count != epoch || self->state != SessionState::kConnecting) {
        return;
      }
      self->expire("disconnected for the session timeout (local expiry)");
    });
  }

  void expire(std::string_view why) {
    if (connection) net().close(*connection, owner);
    connection.reset();
    current_server.reset();
    handshaking = false;
    ++generation;
    set_state(SessionState::kExpired, why);
    fail_outstanding(ZkError::kSessionExpired);
    fail_queued(ZkError::kSessionExpired);
    watchers_data.clear();
    watchers_exist.clear();
    watchers_child.clear();
    emit(SessionEvent::kExpired);
  }

  void on_message(const sim::Message& m) {
    last_recv = ctx.now();
    if (const auto* r = sim::message_as<zkwire::ConnectResponse>(m)) {
      handshaking = false;
      if (r->timeout.ns() == 0) {
        expire("the server reports the session expired");
        return;
      }
      const bool fresh = session_id == 0;
      session_id = r->session_id;
      negotiated = r->timeout;
      ++connected_count;
      set_state(
          SessionState::kConnected,
          fmt::format("{} session {:#x} with {}, timeout {}", fresh ? "new" : "resumed", session_id,
                      net().node_name(current_server->node), sim::format_duration(negotiated)));
      attempts = 0;
      send_set_watches();
      flush_queue();
      arm_ping();
      emit(SessionEvent::kConnected);
      return;
    }
    if (const auto* r = sim::message_as<zkwire::Response>(m)) {
      last_zxid_seen = std::max(last_zxid_seen, r->zxid);
      const auto it = outstanding.find(r->xid);
      if (it == outstanding.end()) return;
      Pending p = std::move(it->second);
      outstanding.erase(it);
      complete(p, *r);
      return;
    }
    if (const auto* w = sim::message_as<zkwire::WatchNotification>(m)) {
      dispatch_watch(w->event);
      return;
    }
    // PingReply: nothing beyond last_recv.
  }

  void complete(Pending& p, const zkwire::Response& r) {
    const ZkOp op = p.request->op;
    const std::string& path = p.request->path;
    // ZKWatchManager: a watch is registered only when the server registered it.
    if (p.watch) {
      if (op == ZkOp::kExists) {
        (r.exists ? watchers_data : watchers_exist)[path].push_back(p.watch);
      } else if (op == ZkOp::kGetData && r.error == ZkError::kOk) {
        watchers_data[path].push_back(p.watch);
      } else if (op == ZkOp::kGetChildren && r.error == ZkError::kOk) {
        watchers_child[path].push_back(p.watch);
      }
    }
    switch (op) {
      case ZkOp::kCreate:
        if (p.on_create) p.on_create(r.error, r.path);
        break;
      case ZkOp::kDelete:
      case ZkOp::kSetData:
      case ZkOp::kCloseSession:
        if (p.on_status) p.on_status(r.error);
        break;
      case ZkOp::kExists:
        if (p.on_exists) p.on_exists(r.error, r.exists);
        break;
      case ZkOp::kGetData:
        if (p.on_data) p.on_data(r.error, r.data);
        break;
      case ZkOp::kGetChildren:
        if (p.on_children) p.on_children(r.error, r.children);
        break;
    }
  }

  void dispatch_watch(const WatchEvent& e) {
    std::vector<WatchCallback> fire;
    auto take = [&](std::map<std::string, std::vector<WatchCallback>>& m) {
      const auto it = m.find(e.path);
      if (it == m.end()) return;
      for (auto& cb : it->second) fire.push_back(std::move(cb));
      m.erase(it);
    };
    switch (e.type) {
      case WatchEventType::kNodeCreated:
      case WatchEventType::kNodeDataChanged:
        take(watchers_data);
        take(watchers_exist);
        break;
      case WatchEventType::kNodeDeleted:
        take(watchers_data);
        take(watchers_exist);
        take(watchers_child);
        break;
      case WatchEventType::kNodeChildrenChanged:
        take(watchers_child);
        break;
    }
    std::weak_ptr<Impl> weak = weak_from_this();
    for (auto& cb : fire) {
      if (weak.expired()) return;  // a callback dropped the client
      cb(e);
    }
  }

  void send_set_watches() {
    if (watchers_data.empty() && watchers_exist.empty() && watchers_child.empty()) return;
    auto w = std::make_shared<zkwire::SetWatches>();
    w->relative_zxid = last_zxid_seen;
    for (const auto& [path, cbs] : watchers_data) w->data_watches.push_back(path);
    for (const auto& [path, cbs] : watchers_exist) w->exist_watches.push_back(path);
    for (const auto& [path, cbs] : watchers_child) w->child_watches.push_back(path);
    send(std::move(w));
  }

  void send(sim::Message m) {
    if (!connection) return;
    net().send(*connection, owner, std::move(m));
    last_send = ctx.now();
  }

  void arm_ping() {
    // ClientCnxn.SendThread: ping after readTimeout/2 (a third of the session timeout) of
    // silence from us; give up on the server after readTimeout of silence from it.
    const sim::SimTime ping_at = last_send + timeout() / 3;
    const sim::SimTime dead_at = last_recv + read_timeout();
    const sim::SimTime at = std::min(ping_at, dead_at);
    const sim::SimTime wait = at > ctx.now() ? at - ctx.now() : sim::SimTime::zero();
    const std::uint64_t gen = generation;
    std::weak_ptr<Impl> weak = weak_from_this();
    net().after(owner, wait, [weak, gen] {
      auto self = weak.lock();
      if (!self || self->generation != gen || self->state != SessionState::kConnected) return;
      self->on_ping_timer();
    });
  }

  void on_ping_timer() {
    if (ctx.now() - last_recv >= read_timeout()) {
      connection_lost(
          fmt::format("nothing from the server for {}", sim::format_duration(read_timeout())));
      return;
    }
    if (ctx.now() - last_send >= timeout() / 3) send(std::make_shared<zkwire::Ping>());
    arm_ping();
  }

  void submit(Pending p) {
    if (state == SessionState::kExpired || state == SessionState::kClosed) {
      fail(p, state == SessionState::kExpired ? ZkError::kSessionExpired : ZkError::kClosed);
      return;
    }
    p.request->xid = ++next_xid;
    if (state == SessionState::kConnected) {
      send_pending(std::move(p));
    } else {
      queued.push_back(std::move(p));
    }
  }

  void send_pending(Pending p) {
    const std::int32_t xid = p.request->xid;
    send(p.request);
    outstanding.emplace(xid, std::move(p));
  }

  void flush_queue() {
    while (!queued.empty() && state == SessionState::kConnected) {
      Pending p = std::move(queued.front());
      queued.pop_front();
      send_pending(std::move(p));
    }
  }

  static void fail(Pending& p, ZkError e) {
    if (p.on_create) p.on_create(e, "");
    if (p.on_status) p.on_status(e);
    if (p.on_exists) p.on_exists(e, false);
    if (p.on_children) p.on_children(e, {});
    if (p.on_data) p.on_data(e, "");
  }
  void fail_outstanding(ZkError e) {
    std::map<std::int32_t, Pending> gone = std::move(outstanding);
    outstanding.clear();
    std::weak_ptr<Impl> weak = weak_from_this();
    for (auto& [xid, p] : gone) {
      if (weak.expired()) return;
      fail(p, e);
    }
  }
  void fail_queued(ZkError e) {
    std::list<Pending> gone;
    gone.swap(queued);
    std::weak_ptr<Impl> weak = weak_from_this();
    for (Pending& p : gone) {
      if (weak.expired()) return;
      fail(p, e);
    }
  }

  RunContext& ctx;
  const sim::ProcessId owner;
  std::vector<sim::Address> servers;
  const sim::SimTime requested_timeout;
  const Options options;
  sim::RandomStream rng;

  SessionState state = SessionState::kIdle;
  SessionCallback session_cb;
  std::int64_t session_id = 0;
  sim::SimTime negotiated;
  Zxid last_zxid_seen = 0;
  std::size_t next_server = 0;
  std::size_t attempts = 0;
  std::uint64_t generation = 0;
  std::uint64_t connected_count = 0;
  std::optional<sim::ConnectionId> connection;
  std::optional<sim::Address> current_server;
  bool handshaking = false;
  sim::SimTime last_recv;
  sim::SimTime last_send;
  sim::SimTime disconnected_since;
  std::int32_t next_xid = 0;
  std::map<std::int32_t, Pending> outstanding;
  // A list, not a deque: libstdc++'s deque allocates about 600 bytes when made (and again
  // when moved from), and a session's queue is empty nearly always; one session a host.
  std::list<Pending> queued;
  std::map<std::string, std::vector<WatchCallback>> watchers_data;   // getData / exists(yes)
  std::map<std::string, std::vector<WatchCallback>> watchers_exist;  // exists(no)
  std::map<std::string, std::vector<WatchCallback>> watchers_child;
};

ZooKeeperClient::ZooKeeperClient(RunContext& ctx, sim::ProcessId owner,
                                 std::vector<sim::Address> servers, sim::SimTime session_timeout,
                                 Options options)
    : impl_(std::make_shared<Impl>(ctx, owner, std::move(servers), session_timeout,
                                   std::move(options))) {}

ZooKeeperClient::~ZooKeeperClient() {
  // A callback may be running on this client (its handler holds the Impl alive): whatever
  // runs after it must find a closed client that does nothing more.
  if (impl_->connection && impl_->net().process_up(impl_->owner)) {
    impl_->net().close(*impl_->connection, impl_->owner);
  }
  impl_->connection.reset();
  impl_->state = SessionState::kClosed;
  impl_->session_cb = nullptr;
  ++impl_->generation;
}

void ZooKeeperClient::on_session_event(SessionCallback cb) {
  impl_->session_cb = std::move(cb);
}

void ZooKeeperClient::connect() {
  if (impl_->state != SessionState::kIdle || impl_->servers.empty()) return;
  impl_->set_state(SessionState::kConnecting, "connect()");
  impl_->start_attempt();
}

void ZooKeeperClient::close() {
  Impl& d = *impl_;
  if (d.state == SessionState::kClosed || d.state == SessionState::kExpired) return;
  if (d.state == SessionState::kConnected) {
    auto r = std::make_shared<zkwire::Request>();
    r->op = ZkOp::kCloseSession;
    r->xid = ++d.next_xid;
    d.send(std::move(r));
  }
  if (d.connection) d.net().close(*d.connection, d.owner);
  d.connection.reset();
  d.current_server.reset();
  ++d.generation;
  d.set_state(SessionState::kClosed, "close()");
  d.fail_outstanding(ZkError::kClosed);
  d.fail_queued(ZkError::kClosed);
}

void ZooKeeperClient::create(std::string path, std::string data, CreateMode mode,
                             CreateCallback cb) {
  Impl::Pending p;
  p.request = std::make_shared<zkwire::Request>();
  p.request->op = ZkOp::kCreate;
  p.request->path = std::move(path);
  p.request->data = std::move(data);
  p.request->mode = mode;
  p.on_create = std::move(cb);
  impl_->submit(std::move(p));
}

void ZooKeeperClient::remove(std::string path, StatusCallback cb) {
  Impl::Pending p;
  p.request = std::make_shared<zkwire::Request>();
  p.request->op = ZkOp::kDelete;
  p.request->path = std::move(path);
  p.on_status = std::move(cb);
  impl_->submit(std::move(p));
}

void ZooKeeperClient::set_data(std::string path, std::string data, StatusCallback cb) {
  Impl::Pending p;
  p.request = std::make_shared<zkwire::Request>();
  p.request->op = ZkOp::kSetData;
  p.request->path = std::move(path);
  p.request->data = std::move(data);
  p.on_status = std::move(cb);
  impl_->submit(std::move(p));
}

void ZooKeeperClient::exists(std::string path, WatchCallback watch, ExistsCallback cb) {
  Impl::Pending p;
  p.request = std::make_shared<zkwire::Request>();
  p.request->op = ZkOp::kExists;
  p.request->path = std::move(path);
  p.request->watch = static_cast<bool>(watch);
  p.watch = std::move(watch);
  p.on_exists = std::move(cb);
  impl_->submit(std::move(p));
}

void ZooKeeperClient::get_data(std::string path, WatchCallback watch, DataCallback cb) {
  Impl::Pending p;
  p.request = std::make_shared<zkwire::Request>();
  p.request->op = ZkOp::kGetData;
  p.request->path = std::move(path);
  p.request->watch = static_cast<bool>(watch);
  p.watch = std::move(watch);
  p.on_data = std::move(cb);
  impl_->submit(std::move(p));
}

void ZooKeeperClient::get_children(std::string path, WatchCallback watch, ChildrenCallback cb) {
  Impl::Pending p;
  p.request = std::make_shared<zkwire::Request>();
  p.request->op = ZkOp::kGetChildren;
  p.request->path = std::move(path);
  p.request->watch = static_cast<bool>(watch);
  p.watch = std::move(watch);
  p.on_children = std::move(cb);
  impl_->submit(std::move(p));
}

SessionState ZooKeeperClient::state() const {
  return impl_->state;
}
std::int64_t ZooKeeperClient::session_id() const {
  return impl_->session_id;
}
sim::SimTime ZooKeeperClient::negotiated_timeout() const {
  return impl_->negotiated;
}
std::optional<sim::Address> ZooKeeperClient::connected_server() const {
  return impl_->state == SessionState::kConnected ? impl_->current_server : std::nullopt;
}

}  // namespace bootsim::models
