#include "models/zookeeper/data_tree.hpp"

#include <algorithm>
#include <utility>

namespace bootsim::models {

// ------------------------------------------------------------------------------------------
// Names.

std::string_view to_string(ZkError e) {
  switch (e) {
    case ZkError::kOk:
      return "ok";
    case ZkError::kNoNode:
      return "NoNode";
    case ZkError::kNodeExists:
      return "NodeExists";
    case ZkError::kNotEmpty:
      return "NotEmpty";
    case ZkError::kNoChildrenForEphemerals:
      return "NoChildrenForEphemerals";
    case ZkError::kConnectionLoss:
      return "ConnectionLoss";
    case ZkError::kSessionExpired:
      return "SessionExpired";
    case ZkError::kClosed:
      return "Closed";
  }
  return "?";
}

std::string_view to_string(WatchEventType t) {
  switch (t) {
    case WatchEventType::kNodeCreated:
      return "NodeCreated";
    case WatchEventType::kNodeDeleted:
      return "NodeDeleted";
    case WatchEventType::kNodeDataChanged:
      return "NodeDataChanged";
    case WatchEventType::kNodeChildrenChanged:
      return "NodeChildrenChanged";
  }
  return "?";
}

// ------------------------------------------------------------------------------------------
// The data tree.

DataTree::DataTree() {
  nodes.emplace("/", Znode{});
}

std::string DataTree::parent_of(const std::string& path) {
  const auto slash = path.rfind('/');
  if (slash == 0 || slash == std::string::npos) return "/";
  return path.substr(0, slash);
}

std::vector<std::string> DataTree::children(const std::string& path) const {
  std::vector<std::string> out;
  const std::string prefix = path == "/" ? "/" : path + "/";
  for (auto it = nodes.lower_bound(prefix); it != nodes.end(); ++it) {
    const std::string& p = it->first;
    if (p.compare(0, prefix.size(), prefix) != 0) break;
    if (p.size() == prefix.size()) continue;
    const std::string rest = p.substr(prefix.size());
    if (rest.find('/') == std::string::npos) out.push_back(rest);
  }
  return out;  // map order: sorted
}

std::vector<WatchEvent> DataTree::apply(const Txn& txn) {
  std::vector<WatchEvent> events;
  auto touch_parent = [&](const std::string& path) {
    const std::string parent = parent_of(path);
    const auto p = nodes.find(parent);
    if (p != nodes.end()) {
      ++p->second.cversion;
      p->second.pzxid = txn.zxid;
    }
    events.push_back({WatchEventType::kNodeChildrenChanged, parent});
  };
  switch (txn.type) {
    case TxnType::kCreateSession:
      sessions[txn.session] = txn.timeout;
      break;
    case TxnType::kCloseSession: {
      std::vector<std::string> owned;
      for (const auto& [path, node] : nodes) {
        if (node.ephemeral_owner == txn.session) owned.push_back(path);
      }
      for (const std::string& path : owned) {
        nodes.erase(path);
        events.push_back({WatchEventType::kNodeDeleted, path});
        touch_parent(path);
      }
      sessions.erase(txn.session);
      break;
    }
    case TxnType::kCreate: {
      Znode n;
      n.data = txn.data;
      n.ephemeral_owner = txn.ephemeral_owner;
      n.czxid = n.mzxid = n.pzxid = txn.zxid;
      nodes[txn.path] = std::move(n);
      events.push_back({WatchEventType::kNodeCreated, txn.path});
      touch_parent(txn.path);
      break;
    }
    case TxnType::kDelete:
      nodes.erase(txn.path);
      events.push_back({WatchEventType::kNodeDeleted, txn.path});
      touch_parent(txn.path);
      break;
    case TxnType::kSetData: {
      const auto it = nodes.find(txn.path);
      if (it != nodes.end()) {
        it->second.data = txn.data;
        it->second.mzxid = txn.zxid;
      }
      events.push_back({WatchEventType::kNodeDataChanged, txn.path});
      break;
    }
    case TxnType::kError:
      break;
  }
  last_applied = std::max(last_applied, txn.zxid);
  return events;
}

}  // namespace bootsim::models
