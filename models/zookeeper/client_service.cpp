#include "models/zookeeper/server.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <set>
#include <utility>

#include "models/zookeeper/ensemble.hpp"
#include "models/zookeeper/quorum_wire.hpp"

namespace bootsim::models {

// ------------------------------------------------------------------------------------------
// Clients on port 2181 (NIOServerCnxn, FinalRequestProcessor): sessions, requests answered
// in order, reads from the local tree, one-shot watches, four-letter words.

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
    session_connections_[id].insert(cnx.connection.value);
    if (leader_serving_) {
      prepare_and_propose(sid_, cnx.connection.value, nullptr, id, true, cnx.timeout);
    } else {
      forward_to_leader(cnx.connection.value, id, nullptr, true, cnx.timeout);
    }
    return;
  }
  cnx.session = r.session_id;
  session_connections_[r.session_id].insert(cnx.connection.value);
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
      if (req.watch) add_data_watch(cnx, req.path);
      break;
    case ZkOp::kGetData:
      if (!exists) {
        r->error = ZkError::kNoNode;
        break;
      }
      r->exists = true;
      r->data = node->second.data;
      if (req.watch) add_data_watch(cnx, req.path);
      break;
    case ZkOp::kGetChildren:
      if (!exists) {
        r->error = ZkError::kNoNode;
        break;
      }
      r->exists = true;
      r->children = disk_.tree.children(req.path);
      if (req.watch) add_child_watch(cnx, req.path);
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
      add_data_watch(cnx, path);
    }
  }
  for (const std::string& path : w.exist_watches) {
    if (nodes.count(path) != 0) {
      fire.push_back({WatchEventType::kNodeCreated, path});
    } else {
      add_data_watch(cnx, path);
    }
  }
  for (const std::string& path : w.child_watches) {
    const auto n = nodes.find(path);
    if (n == nodes.end()) {
      fire.push_back({WatchEventType::kNodeDeleted, path});
    } else if (n->second.pzxid > w.relative_zxid) {
      fire.push_back({WatchEventType::kNodeChildrenChanged, path});
    } else {
      add_child_watch(cnx, path);
    }
  }
  for (WatchEvent& e : fire) {
    auto n = std::make_shared<zkwire::WatchNotification>();
    n->event = std::move(e);
    net().send(cnx.connection, process_, std::move(n));
  }
}

void ZooKeeperServer::add_data_watch(ClientCnx& cnx, const std::string& path) {
  cnx.data_watches.insert(path);
  data_watchers_[path].insert(cnx.connection.value);
}

void ZooKeeperServer::add_child_watch(ClientCnx& cnx, const std::string& path) {
  cnx.child_watches.insert(path);
  child_watchers_[path].insert(cnx.connection.value);
}

void ZooKeeperServer::take_watchers(WatcherIndex& index, const std::string& path,
                                    std::set<std::uint32_t>& into) {
  const auto it = index.find(path);
  if (it == index.end()) return;
  into.merge(it->second);
  index.erase(it);
}

void ZooKeeperServer::fire_watches(const std::vector<WatchEvent>& events) {
  // WatchManager.triggerWatch: one-shot, on the server the client is connected to. Only the
  // connections that set a watch on one of the paths, in connection order (walking every
  // client on every transaction grew with the cluster); every watch on those paths that the
  // events fire is consumed below, so their index entries go.
  std::set<std::uint32_t> watchers;
  for (const WatchEvent& e : events) {
    if (e.type != WatchEventType::kNodeChildrenChanged) {
      take_watchers(data_watchers_, e.path, watchers);
    }
    if (e.type == WatchEventType::kNodeChildrenChanged || e.type == WatchEventType::kNodeDeleted) {
      take_watchers(child_watchers_, e.path, watchers);
    }
  }
  for (const std::uint32_t conn : watchers) {
    const auto it = clients_.find(conn);
    if (it == clients_.end()) continue;
    ClientCnx& cnx = it->second;
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
// A committed transaction: applied to the tree, its watches fired, its client answered.

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
    // session_connections_ may name connections gone or moved to another session since.
    const auto by_session = session_connections_.find(txn.session);
    if (by_session == session_connections_.end()) return;
    const std::set<std::uint32_t> candidates = std::move(by_session->second);
    session_connections_.erase(by_session);
    for (const std::uint32_t conn : candidates) {
      const auto it = clients_.find(conn);
      if (it == clients_.end() || it->second.session != txn.session) continue;
      net().close(it->second.connection, process_);
      clients_.erase(it);
    }
  }
}

}  // namespace bootsim::models
