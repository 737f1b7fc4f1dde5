#include "models/mesos_master.hpp"

#include <fmt/format.h>

#include "models/exec_start_pre.hpp"
#include "models/run_context.hpp"

namespace bootsim::models {

namespace {

std::string_view phase_name(MesosMaster::Phase p) {
  switch (p) {
    case MesosMaster::Phase::kDown: return "down";
    case MesosMaster::Phase::kStarting: return "starting";
    case MesosMaster::Phase::kContending: return "contending";
    case MesosMaster::Phase::kRecovering: return "recovering";
    case MesosMaster::Phase::kLeading: return "leading";
  }
  return "?";
}

// libprocess connects back to an agent with the OS's connect timeout; 5 s bounds it here.
constexpr sim::SimTime kConnectBackTimeout = sim::seconds(5);

}  // namespace

void MesosMaster::set_phase(Phase next, std::string detail) {
  if (next == phase_) return;
  phase_ = next;
  site_->ctx->event(site_->node_name, "mesos-master", phase_name(next), std::move(detail));
}

std::vector<sim::Address> MesosMaster::master_addresses() const {
  std::vector<sim::Address> out;
  for (const HostInfo& m : site_->ctx->topology().masters) {
    out.push_back({m.node, ports::kMesosMaster});
  }
  return out;
}

void MesosMaster::on_exec(const UnitSite& site, sim::ProcessId process, UnitControl& control) {
  site_ = site;
  process_ = process;
  control_ = &control;
  RunContext& ctx = *site.ctx;
  if (!subscribed_) {
    subscribed_ = true;
    group_.watch([this] { on_group_change(); });
  }
  phase_ = Phase::kStarting;
  ctx.network().bind(process, ports::kMesosMaster,
                     [this](sim::Address from, const sim::Message& m) { on_message(from, m); });
  sim::RandomStream rng = ctx.engine().stream(ctx.network().process_name(process) + "/start/" +
                                              std::to_string(ctx.network().incarnation(process)));
  ctx.network().after(process, start_.sample(rng), [this] {
    control_->mark_started("listening on :5050");
    contend();
  });
}

void MesosMaster::contend() {
  sequence_ = group_.join(site_->node, site_->node_name);
  set_phase(Phase::kContending, fmt::format("{}/json.info_{:010d}", group_.path(), *sequence_));
  site_->ctx->milestone(site_->node_name, "mesos-master.contending",
                        fmt::format("json.info_{:010d}", *sequence_),
                        site_->ctx->latest_milestone("mesos-master.started", site_->node_name));
  on_group_change();
}

void MesosMaster::on_exit() {
  RunContext& ctx = *site_->ctx;
  if (sequence_) {
    // The process died without closing its session: its ephemeral znode stays until the
    // session times out.
    group_.leave(*sequence_, ctx.params().duration("mesos-master.zk_session_timeout"));
  }
  sequence_.reset();
  if (phase_ == Phase::kLeading) ctx.facts().clear(site_->node.value, fact::kMesosLeading);
  phase_ = Phase::kDown;
  agents_.clear();
  frameworks_.clear();
  filters_.clear();
  offers_.clear();
  pending_writes_.clear();
  allocation_timer_armed_ = false;
}

void MesosMaster::on_group_change() {
  if (phase_ == Phase::kDown || phase_ == Phase::kStarting || !sequence_) return;
  const auto leader = group_.leader();
  const bool me = leader && leader->sequence == *sequence_;
  if (!me) {
    if (phase_ == Phase::kRecovering || phase_ == Phase::kLeading) {
      // src/master/master.cpp: "Lost leadership... committing suicide!"
      control_->exit("lost leadership, committing suicide");
    }
    return;
  }
  if (phase_ != Phase::kContending) return;
  RunContext& ctx = *site_->ctx;
  elected_record_ = ctx.milestone("cluster", "mesos-master.elected", site_->node_name,
                                  ctx.latest_milestone("mesos-master.contending", site_->node_name));
  elected_at_ = ctx.now();
  set_phase(Phase::kRecovering, "recovering the registry from the replicated log");
  // registry_fetch_timeout bounds the whole recovery (master.cpp: "Recovery failed").
  ctx.network().after(process_, ctx.params().duration("mesos-master.registry_fetch_timeout"),
                      [this] {
                        if (phase_ == Phase::kRecovering) {
                          control_->exit("Failed to perform fetch within registry_fetch_timeout");
                        }
                      });
  start_recovery_round();
}

void MesosMaster::start_recovery_round() {
  if (phase_ != Phase::kRecovering) return;
  RunContext& ctx = *site_->ctx;
  ++recover_round_;
  recover_answers_.clear();
  initialized_answers_ = 0;
  for (const sim::Address& a : master_addresses()) {
    auto req = std::make_shared<mesos::RecoverRequest>();
    req->round = recover_round_;
    req->reply_to = {site_->node, ports::kMesosMaster};
    ctx.network().send_datagram(process_, a, std::move(req));
  }
  const int round = recover_round_;
  ctx.network().after(process_, ctx.params().duration("mesos-master.log_recover_retry"),
                      [this, round] {
                        if (phase_ != Phase::kRecovering || round != recover_round_) return;
                        site_->ctx->event(site_->node_name, "mesos-master", "recover_retry",
                                          "Unable to finish the recover protocol, retrying");
                        start_recovery_round();
                      });
}

void MesosMaster::recovered() {
  RunContext& ctx = *site_->ctx;
  replica_initialized_ = true;
  set_phase(Phase::kLeading, "registry recovered");
  for (const auto& [node, cause] : ctx.facts().holders(fact::kMesosLeading)) {
    if (node != site_->node.value) {
      ctx.violation("single-mesos-leader",
                    fmt::format("{},{}", ctx.network().node_name(sim::NodeId{node}),
                                site_->node_name),
                    fmt::format("{} leads while {} still leads",
                                site_->node_name, ctx.network().node_name(sim::NodeId{node})));
    }
  }
  const auto id = ctx.milestone(site_->node_name, "mesos-master.leading",
                                fmt::format("elected {:.3f}s ago",
                                            (ctx.now() - elected_at_).to_seconds()),
                                elected_record_);
  leading_record_ = id;
  ctx.facts().set(site_->node.value, fact::kMesosLeading, id);
  arm_allocation_timer();
}

void MesosMaster::on_message(const sim::Address& from, const sim::Message& m) {
  RunContext& ctx = *site_->ctx;
  sim::Network& net = ctx.network();
  (void)from;
  // Replica and state requests are answered in every phase: they are not master business.
  if (const auto* r = sim::message_as<mesos::RecoverRequest>(m)) {
    auto resp = std::make_shared<mesos::RecoverResponse>();
    resp->round = r->round;
    resp->initialized = replica_initialized_;
    net.send_datagram(process_, r->reply_to, std::move(resp));
    return;
  }
  if (const auto* r = sim::message_as<mesos::RecoverResponse>(m)) {
    if (phase_ != Phase::kRecovering || r->round != recover_round_) return;
    recover_answers_.insert(ctx.network().node_name(from.node));
    if (r->initialized) ++initialized_answers_;
    const int n = static_cast<int>(ctx.topology().masters.size());
    const int answers = static_cast<int>(recover_answers_.size());
    // A quorum of initialised replicas, or every replica empty on a brand-new cluster.
    if (initialized_answers_ >= ctx.topology().quorum() || (answers == n && initialized_answers_ == 0)) {
      recovered();
    }
    return;
  }
  if (const auto* w = sim::message_as<mesos::WriteRequest>(m)) {
    replica_initialized_ = true;
    auto resp = std::make_shared<mesos::WriteResponse>();
    resp->position = w->position;
    net.send_datagram(process_, w->reply_to, std::move(resp));
    return;
  }
  if (const auto* g = sim::message_as<mesos::GetState>(m)) {
    auto state = std::make_shared<mesos::State>();
    if (const auto leader = group_.leader()) {
      state->leader = leader->name;
      state->leader_node = leader->node;
    }
    if (phase_ == Phase::kLeading) {
      for (const Framework& f : frameworks_) state->frameworks.push_back(f.name);
    }
    net.send_datagram(process_, g->reply_to, std::move(state));
    return;
  }
  if (phase_ != Phase::kLeading) return;  // not elected or not recovered: drop
  if (const auto* w = sim::message_as<mesos::WriteResponse>(m)) {
    const auto it = pending_writes_.find(w->position);
    if (it == pending_writes_.end()) return;
    if (++it->second.first < ctx.topology().quorum()) return;
    const std::string agent = it->second.second;
    pending_writes_.erase(it);
    Agent& a = agents_[agent];
    a.admitted = true;
    ctx.milestone(agent, "agent.registered", fmt::format("admitted by {}", site_->node_name),
                  RunContext::later(ctx.latest_milestone("agent.detected_leader", agent),
                                    leading_record_));
    sim::StreamHandlers h;
    h.on_open = [this, agent](sim::ConnectionId c) {
      RunContext& c2 = *site_->ctx;
      c2.milestone(agent, "agent.connected_back", fmt::format("from {}", site_->node_name),
                   c2.latest_milestone("agent.registered", agent));
      auto reg = std::make_shared<mesos::SlaveRegistered>();
      reg->master = site_->node_name;
      c2.network().send(c, process_, std::move(reg));
      allocate();
    };
    h.on_connect_failed = [this, agent](sim::ConnectionId, sim::ConnectError) {
      site_->ctx->event(site_->node_name, "mesos-master", "connect_back_failed", agent);
    };
    net.connect(process_, {a.node, ports::kMesosAgent}, kConnectBackTimeout, std::move(h));
    return;
  }
  if (const auto* r = sim::message_as<mesos::RegisterSlave>(m)) {
    const auto it = agents_.find(r->agent);
    if (it != agents_.end()) return;  // admitted, or its admission is in flight
    agents_[r->agent] = Agent{r->agent, r->reply_to.node, false, std::nullopt};
    const int position = ++write_position_;
    pending_writes_[position] = {0, r->agent};
    for (const sim::Address& a : master_addresses()) {
      auto req = std::make_shared<mesos::WriteRequest>();
      req->position = position;
      req->reply_to = {site_->node, ports::kMesosMaster};
      net.send_datagram(process_, a, std::move(req));
    }
    return;
  }
  if (const auto* r = sim::message_as<mesos::RegisterFramework>(m)) {
    bool known = false;
    for (const Framework& f : frameworks_) known = known || f.name == r->framework;
    if (!known) frameworks_.push_back(Framework{r->framework, r->reply_to});
    auto reg = std::make_shared<mesos::FrameworkRegistered>();
    reg->framework_id = fmt::format("{}-0000", r->framework);
    reg->master = site_->node_name;
    net.send_datagram(process_, r->reply_to, std::move(reg));
    if (!known) allocate();
    return;
  }
  if (const auto* a = sim::message_as<mesos::Accept>(m)) {
    const auto it = offers_.find(a->offer_id);
    if (it == offers_.end()) return;  // rescinded
    const std::string agent = it->second.agent;
    net.cancel(it->second.timeout);
    offers_.erase(it);
    agents_[agent].outstanding_offer.reset();
    auto run = std::make_shared<mesos::RunTask>();
    run->framework = a->framework;
    run->task = a->task;
    run->master = {site_->node, ports::kMesosMaster};
    net.send_datagram(process_, {agents_[agent].node, ports::kMesosAgent}, std::move(run));
    return;
  }
  if (const auto* d = sim::message_as<mesos::Decline>(m)) {
    const auto it = offers_.find(d->offer_id);
    if (it == offers_.end()) return;
    const std::string agent = it->second.agent;
    net.cancel(it->second.timeout);
    offers_.erase(it);
    agents_[agent].outstanding_offer.reset();
    filters_[{d->framework, agent}] = ctx.now() + d->refuse;
    return;
  }
  if (const auto* s = sim::message_as<mesos::StatusUpdate>(m)) {
    for (const Framework& f : frameworks_) {
      if (f.name == s->framework) {
        net.send_datagram(process_, f.address, std::make_shared<mesos::StatusUpdate>(*s));
      }
    }
    return;
  }
}

void MesosMaster::arm_allocation_timer() {
  if (allocation_timer_armed_) return;
  allocation_timer_armed_ = true;
  RunContext& ctx = *site_->ctx;
  ctx.network().after(process_, ctx.params().duration("mesos-master.allocation_interval"),
                      [this] {
                        allocation_timer_armed_ = false;
                        if (phase_ != Phase::kLeading) return;
                        allocate();
                        arm_allocation_timer();
                      });
}

void MesosMaster::allocate() {
  if (phase_ != Phase::kLeading || frameworks_.empty()) return;
  RunContext& ctx = *site_->ctx;
  // Frameworks in registration order: with equal (zero) shares the sorter breaks ties so.
  for (auto& [name, agent] : agents_) {
    if (!agent.admitted || agent.outstanding_offer) continue;
    for (const Framework& f : frameworks_) {
      const auto filter = filters_.find({f.name, name});
      if (filter != filters_.end() && ctx.now() < filter->second) continue;
      const int id = ++next_offer_;
      auto offer = std::make_shared<mesos::ResourceOffers>();
      offer->offer_id = id;
      offer->agent = name;
      // Unanswered offers are rescinded after --offer_timeout.
      const sim::TimerId timeout = ctx.network().after(
          process_, ctx.params().duration("mesos-master.offer_timeout"), [this, id] {
            const auto it = offers_.find(id);
            if (it == offers_.end()) return;
            agents_[it->second.agent].outstanding_offer.reset();
            offers_.erase(it);
          });
      offers_[id] = Offer{f.name, name, timeout};
      agent.outstanding_offer = id;
      ctx.network().send_datagram(process_, f.address, std::move(offer));
      break;
    }
  }
}

}  // namespace bootsim::models
