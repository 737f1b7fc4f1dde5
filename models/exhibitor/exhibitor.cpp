#include "models/exhibitor/exhibitor.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <map>
#include <memory>
#include <utility>

#include "models/zookeeper/config.hpp"
#include "models/zookeeper/wire.hpp"

namespace bootsim::models {

namespace {
constexpr std::string_view kStatusPath = "/exhibitor/v1/cluster/status";
constexpr std::string_view kStatePath = "/exhibitor/v1/cluster/state";
// start_exhibitor.py: --check-ms 2000 when the cluster has one master (else exhibitor.check-ms).
constexpr sim::SimTime kSingleMasterCheck = sim::seconds(2);
}  // namespace

std::string_view to_string(InstanceState s) {
  switch (s) {
    case InstanceState::kLatent:
      return "latent";
    case InstanceState::kDown:
      return "down";
    case InstanceState::kNotServing:
      return "not serving";
    case InstanceState::kServing:
      return "serving";
  }
  return "?";
}

// One /cluster/status request in progress: the answers of every master's Exhibitor.
struct Exhibitor::StatusRequest {
  sim::ConnectionId client;
  std::vector<exhibitor_wire::ServerStatus> answers;  // index sid-1
  std::vector<bool> answered;
  int pending = 0;
};

Exhibitor::Exhibitor(RunContext& ctx, ZooKeeperEnsemble& ensemble, sim::Distribution start)
    : UnitProcess(ctx, std::move(start)), ensemble_(ensemble) {}
Exhibitor::~Exhibitor() = default;

sim::SimTime Exhibitor::check_period() const {
  return ensemble_.size() == 1 ? kSingleMasterCheck : ctx_.params().duration("exhibitor.check-ms");
}

void Exhibitor::start(UnitControl& control) {
  const UnitSite& site = *site_;
  checked_once_ = false;
  state_ = InstanceState::kLatent;
  is_leader_ = false;
  status_requests_.clear();
  zk_id_ = 0;
  std::string servers;
  for (const HostInfo& m : ctx_.topology().masters) {
    if (m.node == site.node) zk_id_ = m.zk_id;
  }
  for (int sid = 1; sid <= ensemble_.size(); ++sid) {
    servers +=
        fmt::format("{}{}:{}", servers.empty() ? "" : ",", sid, ensemble_.server(sid).node_name());
  }
  control.mark_started(fmt::format("static ensemble {}", servers));
  ctx_.event(site.node_name, "exhibitor", "config_written",
             zk_id_ != 0 ? fmt::format("zoo.cfg servers {}; myid {}", servers, zk_id_)
                         : fmt::format("zoo.cfg servers {}; this node is not listed", servers));
  ctx_.network().listen(process_, ports::kExhibitor, [this](sim::ConnectionId c, sim::Address) {
    sim::StreamHandlers h;
    h.on_message = [this](sim::ConnectionId cc, const sim::Message& m) {
      const auto* get = sim::message_as<exhibitor_wire::HttpGet>(m);
      if (get == nullptr) return;
      if (get->path == kStatePath) {
        auto r = std::make_shared<exhibitor_wire::HttpResponse>();
        r->state = local_status();
        ctx_.network().send(cc, process_, std::move(r));
      } else if (get->path == kStatusPath) {
        serve_status(cc);
      } else {
        auto r = std::make_shared<exhibitor_wire::HttpResponse>();
        r->status = 404;
        ctx_.network().send(cc, process_, std::move(r));
      }
    };
    (void)c;
    return h;
  });
  schedule_check();
}

void Exhibitor::on_exit() {
  ++generation_;
  status_requests_.clear();
  // ZooKeeper runs as Exhibitor's child (same unit cgroup): it goes with it.
  if (zk_id_ != 0) ensemble_.server(zk_id_).kill();
}

void Exhibitor::schedule_check() {
  const std::uint64_t gen = generation_;
  ctx_.network().after(process_, check_period(), [this, gen] {
    if (gen == generation_) check();
  });
}

void Exhibitor::check() {
  schedule_check();
  if (zk_id_ == 0) return;  // checkForRestart: not in the server list, nothing to start
  // Checker.calculateState: a four-letter command to the local ZooKeeper.
  sim::Network& net = ctx_.network();
  const std::uint64_t gen = generation_;
  auto settled = std::make_shared<bool>(false);
  sim::StreamHandlers h;
  h.on_open = [this, gen](sim::ConnectionId c) {
    if (gen != generation_) return;
    auto w = std::make_shared<zkwire::FourLetterWord>();
    w->word = "srvr";
    ctx_.network().send(c, process_, std::move(w));
  };
  h.on_connect_failed = [this, gen, settled](sim::ConnectionId, sim::ConnectError) {
    if (gen != generation_ || *settled) return;
    *settled = true;
    on_checked(InstanceState::kDown, false);
  };
  h.on_message = [this, gen, settled](sim::ConnectionId, const sim::Message& m) {
    const auto* r = sim::message_as<zkwire::FourLetterReply>(m);
    if (gen != generation_ || *settled || r == nullptr) return;
    *settled = true;
    on_checked(r->serving ? InstanceState::kServing : InstanceState::kNotServing,
               r->mode == "leader" || r->mode == "standalone");
  };
  h.on_closed = [this, gen, settled](sim::ConnectionId) {
    if (gen != generation_ || *settled) return;
    *settled = true;
    on_checked(InstanceState::kDown, false);
  };
  // Assumption: a check never takes longer than the check period.
  net.connect(process_, sim::Address{site_->node, ports::kZooKeeperClient}, check_period(),
              std::move(h));
}

void Exhibitor::set_state(InstanceState s, bool leader) {
  ctx_.event(site_->node_name, "exhibitor", "instance_state",
             fmt::format("{} -> {}{}", to_string(state_), to_string(s), leader ? " (leader)" : ""));
  state_ = s;
  state_since_ = ctx_.now();
  is_leader_ = leader;
}

void Exhibitor::on_checked(InstanceState s, bool leader) {
  // MonitorRunningInstance.doWork: a changed state is recorded (DOWN restarts at once); an
  // unchanged DOWN / NOT_SERVING restarts once it has lasted 2·tick·max(initLimit, syncLimit).
  if (!checked_once_ || s != state_) {
    checked_once_ = true;
    set_state(s, leader);
    if (s == InstanceState::kDown) restart_zookeeper("ZooKeeper is down");
    return;
  }
  is_leader_ = leader;
  if (s != InstanceState::kDown && s != InstanceState::kNotServing) return;
  const ZooKeeperConfig& cfg = ensemble_.config();
  const sim::SimTime restart_after = cfg.tick * 2 * std::max(cfg.init_limit, cfg.sync_limit);
  const sim::SimTime elapsed = ctx_.now() - state_since_;
  if (elapsed > restart_after) {
    restart_zookeeper(fmt::format("{} for {}", to_string(s), sim::format_duration(elapsed)));
    state_since_ = ctx_.now();  // restartZooKeeper: updateTimestampMs
  }
}

void Exhibitor::restart_zookeeper(std::string_view why) {
  ++restart_count_;
  ctx_.event(site_->node_name, "exhibitor", "restart_zookeeper", std::string(why));
  ensemble_.server(zk_id_).launch();  // KillRunningInstance(restart): kill, then start
}

exhibitor_wire::ServerStatus Exhibitor::local_status() const {
  exhibitor_wire::ServerStatus s;
  s.hostname = site_->node_name;
  s.description = std::string(to_string(zk_id_ == 0 ? InstanceState::kLatent : state_));
  s.is_leader = is_leader_;
  return s;
}

void Exhibitor::serve_status(sim::ConnectionId c) {
  // ClusterResource.getClusterStatus: every server of the list, each asked for its state
  // (our own answered locally).
  const std::uint64_t id = ++next_request_;
  auto req = std::make_unique<StatusRequest>();
  req->client = c;
  const int n = ensemble_.size();
  req->answers.resize(static_cast<std::size_t>(n));
  req->answered.assign(static_cast<std::size_t>(n), false);
  for (int sid = 1; sid <= n; ++sid) {
    req->answers[sid - 1].hostname = ensemble_.server(sid).node_name();
    req->answers[sid - 1].description = std::string(to_string(InstanceState::kDown));
  }
  StatusRequest& r = *req;
  status_requests_[id] = std::move(req);
  sim::Network& net = ctx_.network();
  const std::uint64_t gen = generation_;
  for (int sid = 1; sid <= n; ++sid) {
    if (sid == zk_id_) {
      r.answers[sid - 1] = local_status();
      r.answered[sid - 1] = true;
      continue;
    }
    ++r.pending;
    auto done = [this, gen, id, sid](std::optional<exhibitor_wire::ServerStatus> s) {
      if (gen != generation_) return;
      const auto it = status_requests_.find(id);
      if (it == status_requests_.end() || it->second->answered[sid - 1]) return;
      it->second->answered[sid - 1] = true;
      if (s) it->second->answers[sid - 1] = *s;  // otherwise it stays "down"
      if (--it->second->pending == 0) finish_status(id);
    };
    sim::StreamHandlers h;
    h.on_open = [this, gen](sim::ConnectionId cc) {
      if (gen != generation_) return;
      auto get = std::make_shared<exhibitor_wire::HttpGet>();
      get->path = std::string(kStatePath);
      ctx_.network().send(cc, process_, std::move(get));
    };
    h.on_connect_failed = [done](sim::ConnectionId, sim::ConnectError) { done(std::nullopt); };
    h.on_message = [this, done](sim::ConnectionId cc, const sim::Message& m) {
      if (const auto* resp = sim::message_as<exhibitor_wire::HttpResponse>(m)) {
        done(resp->state);
        ctx_.network().close(cc, process_);
      }
    };
    h.on_closed = [done](sim::ConnectionId) { done(std::nullopt); };
    net.connect(process_, sim::Address{ensemble_.node_of(sid), ports::kExhibitor}, check_period(),
                std::move(h));
    // Assumption: a remote state request that has not answered within one check period
    // counts as down (the timeout of Exhibitor's remote client was not verified).
    net.after(process_, check_period(), [this, gen, id, sid] {
      if (gen != generation_) return;
      const auto it = status_requests_.find(id);
      if (it == status_requests_.end() || it->second->answered[sid - 1]) return;
      it->second->answered[sid - 1] = true;
      if (--it->second->pending == 0) finish_status(id);
    });
  }
  if (r.pending == 0) finish_status(id);
}

void Exhibitor::finish_status(std::uint64_t request) {
  const auto it = status_requests_.find(request);
  if (it == status_requests_.end()) return;
  auto resp = std::make_shared<exhibitor_wire::HttpResponse>();
  resp->servers = it->second->answers;
  ctx_.network().send(it->second->client, process_, std::move(resp));
  status_requests_.erase(it);
}

}  // namespace bootsim::models
