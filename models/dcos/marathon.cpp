#include "models/dcos/marathon.hpp"

#include "models/core/run_context.hpp"
#include "models/mesos/group.hpp"

#include <algorithm>
#include <iterator>

namespace bootsim::models {

namespace {
// DC/OS sets LIBPROCESS_PORT=15101 for Marathon (dcos-config.yaml).
constexpr sim::Port kLibprocessPort = 15101;
// Marathon 1.4's Curator latch path under its ZooKeeper root (--zk zk://…/marathon).
constexpr std::string_view kLatchPath = "/marathon/leader-curator";
}  // namespace

Marathon::Marathon(RunContext& ctx, sim::Distribution start, MarathonApps& apps)
    : UnitProcess(ctx, std::move(start)),
      apps_(apps),
      driver_(ctx, "marathon", ctx.params().duration("marathon.decline_offer_duration"),
              [this](const std::string&) -> std::optional<std::string> {
                if (apps_.pending.empty()) return std::nullopt;
                std::string task = apps_.pending.front();
                apps_.pending.pop_front();
                return task;
              }) {}

// The start timer dies with the process incarnation, so no generation check is needed here.
void Marathon::on_ready() {
  control_->mark_started("JVM up, joining the leader latch");
  join_latch();
}

void Marathon::on_exit() {
  ++generation_;
  zk_.reset();  // the session stays until the ensemble expires it: so does the latch znode
  latch_node_.clear();
  leading_ = false;
  driver_.stop();
}

void Marathon::lost(const std::string& reason) {
  // Marathon 1.4 exits on any ZooKeeper trouble of its leader (CuratorElectionService).
  control_->exit(reason);
}

void Marathon::join_latch() {
  zk_ = std::make_unique<ZooKeeperClient>(
      ctx_, process_, zookeeper_servers(ctx_.topology()),
      ctx_.params().duration("marathon.zk_session_timeout"),
      ZooKeeperClient::Options{ExpiryDetection::kOnReconnect, "marathon"});
  const std::uint64_t generation = generation_;
  zk_->on_session_event([this, generation](SessionEvent e) {
    if (generation != generation_) return;
    if (e == SessionEvent::kExpired) {
      lost("ZooKeeper session expired, exiting");
    } else if (e == SessionEvent::kDisconnected && leading_) {
      lost("ZooKeeper connection lost while leading, exiting");
    }
  });
  zk_->connect();
  create_path(0, generation);
}

// Curator creates the latch's parents as needed, then its ephemeral sequential node.
void Marathon::create_path(std::size_t depth, std::uint64_t generation) {
  static constexpr std::string_view kParents[] = {"/marathon", kLatchPath};
  if (depth < std::size(kParents)) {
    zk_->create(std::string(kParents[depth]), "", CreateMode::kPersistent,
                [this, depth, generation](ZkError e, const std::string&) {
                  if (generation != generation_) return;
                  if (e != ZkError::kOk && e != ZkError::kNodeExists) {
                    lost("cannot create the leader latch path");
                    return;
                  }
                  create_path(depth + 1, generation);
                });
    return;
  }
  zk_->create(std::string(kLatchPath) + "/latch-", site_->node_name,
              CreateMode::kEphemeralSequential,
              [this, generation](ZkError e, const std::string& path) {
                if (generation != generation_) return;
                if (e != ZkError::kOk) {
                  lost("cannot join the leader latch");
                  return;
                }
                latch_node_ = path;
                ctx_.event(site_->node_name, "marathon", "latch", path);
                check_latch(generation);
              });
}

void Marathon::check_latch(std::uint64_t generation) {
  zk_->get_children(
      std::string(kLatchPath),
      [this, generation](const WatchEvent&) {
        if (generation == generation_) check_latch(generation);
      },
      [this, generation](ZkError e, const std::vector<std::string>& children) {
        if (generation != generation_ || e != ZkError::kOk || children.empty()) return;
        // Sequence numbers are the last 10 digits; the lowest holds the latch.
        const std::string lowest = *std::min_element(
            children.begin(), children.end(), [](const std::string& a, const std::string& b) {
              return a.substr(a.size() - 10) < b.substr(b.size() - 10);
            });
        const bool me = std::string(kLatchPath) + "/" + lowest == latch_node_;
        if (leading_ && !me) {
          lost("lost leadership (Curator), exiting");
          return;
        }
        if (!me || leading_) return;
        leading_ = true;
        ctx_.milestone("marathon", "scheduler.started", "leader on " + site_->node_name,
                       ctx_.latest_milestone("marathon.started", site_->node_name));
        driver_.start(process_, kLibprocessPort);
      });
}

}  // namespace bootsim::models
