#include "models/zookeeper/ensemble.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <cassert>
#include <utility>

namespace bootsim::models {

ZooKeeperEnsemble::ZooKeeperEnsemble(RunContext& ctx, ZooKeeperServer::Options options)
    : ZooKeeperEnsemble(ctx, options, ZooKeeperConfig::from(ctx.params(), options.version)) {}

ZooKeeperEnsemble::ZooKeeperEnsemble(RunContext& ctx, ZooKeeperServer::Options options,
                                     ZooKeeperConfig config)
    : ctx_(ctx), config_(std::move(config)) {
  std::vector<HostInfo> masters = ctx.topology().masters;
  std::sort(masters.begin(), masters.end(),
            [](const HostInfo& a, const HostInfo& b) { return a.zk_id < b.zk_id; });
  for (std::size_t i = 0; i < masters.size(); ++i) {
    assert(masters[i].zk_id == static_cast<int>(i) + 1 && "zk ids must be 1..N");
    const sim::ProcessId p = ctx.network().add_process(masters[i].node, "zookeeper");
    servers_.push_back(std::make_unique<ZooKeeperServer>(ctx, *this, masters[i].zk_id, p, options));
  }
}

ZooKeeperEnsemble::~ZooKeeperEnsemble() = default;

ZooKeeperServer& ZooKeeperEnsemble::server(int sid) {
  return *servers_.at(sid - 1);
}
const ZooKeeperServer& ZooKeeperEnsemble::server(int sid) const {
  return *servers_.at(sid - 1);
}

ZooKeeperServer* ZooKeeperEnsemble::server_on(sim::NodeId node) {
  for (auto& s : servers_) {
    if (ctx_.network().node_of(s->process()) == node) return s.get();
  }
  return nullptr;
}

sim::NodeId ZooKeeperEnsemble::node_of(int sid) const {
  return ctx_.network().node_of(servers_.at(sid - 1)->process());
}

std::vector<sim::Address> ZooKeeperEnsemble::client_addresses() const {
  std::vector<sim::Address> out;
  for (int sid = 1; sid <= size(); ++sid) out.push_back({node_of(sid), ports::kZooKeeperClient});
  return out;
}

std::vector<std::int64_t> ZooKeeperEnsemble::expire_sessions_of(sim::ProcessId client,
                                                                std::string_view why) {
  const int leader = serving_leader();
  if (leader == 0) return {};
  std::set<std::int64_t> sessions;
  for (const auto& s : servers_) {
    for (const std::int64_t id : s->sessions_of(client)) sessions.insert(id);
  }
  std::vector<std::int64_t> expired;
  for (const std::int64_t id : sessions) {
    if (server(leader).expire_session(id, why)) expired.push_back(id);
  }
  return expired;
}

int ZooKeeperEnsemble::serving_leader() const {
  for (const auto& l : servers_) {
    const ZooKeeperState s = l->state();
    if (s != ZooKeeperState::kLeading && s != ZooKeeperState::kStandalone) continue;
    int n = 0;
    for (const auto& f : servers_) {
      if (f->serving() && f->serving_epoch() == l->serving_epoch() && f->leader_sid() == l->sid()) {
        ++n;
      }
    }
    if (n >= quorum()) return l->sid();
  }
  return 0;
}

void ZooKeeperEnsemble::on_serving_changed(const ZooKeeperServer& server) {
  const ZooKeeperState st = server.state();
  const bool leads = st == ZooKeeperState::kLeading || st == ZooKeeperState::kStandalone;
  if (server.serving() && leads) {
    const std::uint64_t epoch = server.serving_epoch();
    std::set<int>& leaders = leaders_by_epoch_[epoch];
    leaders.insert(server.sid());
    if (leaders.size() > 1) {
      std::string nodes;
      for (const int sid : leaders) {
        nodes += (nodes.empty() ? "" : ",") + this->server(sid).node_name();
      }
      ctx_.violation("single-zookeeper-leader", nodes,
                     fmt::format("{} leaders served epoch {}", leaders.size(), epoch));
    }
    // An older leader still serving must step down within syncLimit ticks of losing its
    // quorum (plus the tick its check waits for): check it then.
    for (const auto& other : servers_) {
      if (other.get() == &server || other->state() != ZooKeeperState::kLeading) continue;
      if (other->serving_epoch() >= epoch) continue;
      const int sid = other->sid();
      const std::uint64_t old_epoch = other->serving_epoch();
      const std::uint64_t inc = other->incarnation();
      const int new_leader = server.sid();
      ctx_.engine().schedule_after(config_.tick * (config_.sync_limit + 1),
                                   [this, sid, old_epoch, inc, new_leader, epoch] {
                                     check_stale_leader(sid, old_epoch, inc, new_leader, epoch);
                                   });
    }
  }
  // zookeeper.quorum: a leader and a quorum (leader included) serving in one epoch.
  const int leader = serving_leader();
  if (leader == 0) return;
  const ZooKeeperServer& l = this->server(leader);
  const std::uint64_t epoch = l.serving_epoch();
  if (!quorum_epochs_.insert(epoch).second) return;
  std::optional<sim::RecordId> cause;
  for (const auto& f : servers_) {
    if (f->serving() && f->leader_sid() == leader && f->latest_serving_record()) {
      if (!cause || *f->latest_serving_record() > *cause) cause = f->latest_serving_record();
    }
  }
  quorum_record_ = ctx_.milestone("cluster", "zookeeper.quorum",
                                  l.state() == ZooKeeperState::kStandalone
                                      ? fmt::format("standalone {}", l.node_name())
                                      : fmt::format("leader {}, epoch {}", l.node_name(), epoch),
                                  cause);
}

void ZooKeeperEnsemble::check_stale_leader(int sid, std::uint64_t epoch, std::uint64_t incarnation,
                                           int new_leader, std::uint64_t new_epoch,
                                           bool was_paused) {
  const ZooKeeperServer& s = server(sid);
  if (s.incarnation() != incarnation || s.state() != ZooKeeperState::kLeading ||
      s.serving_epoch() != epoch) {
    return;
  }
  const bool paused = ctx_.network().process_state(s.process()) == sim::ProcessState::kPaused;
  if (paused || was_paused) {
    // Paused: look again every tick. Seen running again (resumed within the last tick): give
    // it the whole grace from now.
    const sim::SimTime delay = paused ? config_.tick : config_.tick * (config_.sync_limit + 1);
    ctx_.engine().schedule_after(
        delay, [this, sid, epoch, incarnation, new_leader, new_epoch, paused] {
          check_stale_leader(sid, epoch, incarnation, new_leader, new_epoch, paused);
        });
    return;
  }
  std::string a = s.node_name();
  std::string b = server(new_leader).node_name();
  if (b < a) std::swap(a, b);
  ctx_.violation(
      "single-zookeeper-leader", a + "," + b,
      fmt::format("{} still leads epoch {} {} after {} began leading epoch {}", s.node_name(),
                  epoch, sim::format_duration(config_.tick * (config_.sync_limit + 1)),
                  server(new_leader).node_name(), new_epoch));
}

}  // namespace bootsim::models
