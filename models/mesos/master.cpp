#include "models/mesos/master.hpp"

#include <fmt/format.h>

#include <utility>

#include "models/core/run_context.hpp"

namespace bootsim::models {

namespace {

std::string_view phase_name(MesosMaster::Phase p) {
  switch (p) {
    case MesosMaster::Phase::kDown:
      return "down";
    case MesosMaster::Phase::kStarting:
      return "starting";
    case MesosMaster::Phase::kContending:
      return "contending";
    case MesosMaster::Phase::kRecovering:
      return "recovering";
    case MesosMaster::Phase::kLeading:
      return "leading";
  }
  return "?";
}

// libprocess connects back to an agent with the OS's connect timeout; 5 s bounds it here.
constexpr sim::SimTime kConnectBackTimeout = sim::seconds(5);

}  // namespace

void MesosMaster::set_phase(Phase next, std::string detail) {
  if (next == phase_) return;
  const Phase from = std::exchange(phase_, next);
  ctx_.state_change(site_->node_name, "mesos-master", phase_name(from), phase_name(next),
                    std::move(detail));
}

std::vector<sim::Address> MesosMaster::master_addresses() const {
  std::vector<sim::Address> out;
  for (const HostInfo& m : ctx_.topology().masters) {
    out.push_back({m.node, ports::kMesosMaster});
  }
  return out;
}

void MesosMaster::on_ready() {
  ctx_.network().bind(process_, ports::kMesosMaster,
                      [this](sim::Address from, const sim::Message& m) { on_message(from, m); });
  control_->mark_started("listening on :5050");
  start_recovery_round();
  contend();
}

void MesosMaster::contend() {
  // src/master/master.cpp initialize(): contender->contend() and detector->detect(). The
  // election records mesos-master.contending and mesos-master.elected.
  MesosMasterElection::Callbacks cb;
  cb.on_elected = [this] { on_elected(); };
  // "Lost leadership... committing suicide!": the process exits, systemd restarts it.
  cb.on_lost_leadership = [this](const std::string& reason) { control_->exit(reason); };
  election_ =
      std::make_unique<MesosMasterElection>(ctx_, process_, std::move(cb), election_options_);
  set_phase(Phase::kContending, "contending in /mesos");
  election_->start();
}

void MesosMaster::on_exit() {
  // The process died without closing its ZooKeeper sessions: its znode stays until the
  // ensemble expires them. Dropping the election stops its callbacks (it may be running one).
  election_.reset();
  phase_ = Phase::kDown;
  agents_.clear();
  frameworks_.clear();
  filters_.clear();
  offers_.clear();
  pending_writes_.clear();
  allocation_timer_armed_ = false;
  fetching_ = false;
  ++recover_round_;
}

void MesosMaster::on_elected() {
  if (phase_ != Phase::kContending) return;
  elected_record_ = ctx_.latest_milestone("mesos-master.elected", "cluster");
  elected_at_ = ctx_.now();
  set_phase(Phase::kRecovering, "recovering the registry from the replicated log");
  // registry_fetch_timeout bounds the registrar's recovery (master.cpp: "Recovery failed").
  ctx_.network().after(process_, ctx_.params().duration("mesos-master.registry_fetch_timeout"),
                       [this] {
                         if (phase_ == Phase::kRecovering) {
                           control_->exit("Failed to perform fetch within registry_fetch_timeout");
                         }
                       });
  if (replica_ == mesos::ReplicaStatus::kVoting) start_fetch();
}

void MesosMaster::replica_status(mesos::ReplicaStatus next) {
  if (next == replica_) return;
  replica_ = next;
  ctx_.event(site_->node_name, "mesos-master", "replica",
             fmt::format("replicated log replica {}", mesos::to_string(next)));
  if (next == mesos::ReplicaStatus::kVoting && phase_ == Phase::kRecovering) start_fetch();
}

// Every master's replica runs the log's recover protocol when the process starts, unless it is
// VOTING already (src/log/recover.cpp). A round broadcasts to every replica and decides on the
// responses as they come: a quorum of VOTING replicas → catch up and vote; auto-initialisation
// of a brand-new log in two phases, EMPTY → STARTING when all 2·quorum−1 replicas are EMPTY or
// STARTING, STARTING → VOTING when all are STARTING or VOTING. A round that gets every answer
// without a decision runs again after a random 0.5–1 s; one that gets too few answers is
// abandoned after `mesos-master.log_recover_retry` (10 s).
void MesosMaster::start_recovery_round() {
  if (phase_ == Phase::kDown || replica_ == mesos::ReplicaStatus::kVoting) return;
  ++recover_round_;
  recover_answers_.clear();
  for (const sim::Address& a : master_addresses()) {
    auto req = std::make_shared<mesos::RecoverRequest>();
    req->round = recover_round_;
    req->reply_to = {site_->node, ports::kMesosMaster};
    ctx_.network().send_datagram(process_, a, std::move(req));
  }
  const int round = recover_round_;
  ctx_.network().after(process_, ctx_.params().duration("mesos-master.log_recover_retry"),
                       [this, round] {
                         if (round != recover_round_ || replica_ == mesos::ReplicaStatus::kVoting) {
                           return;
                         }
                         ctx_.event(site_->node_name, "mesos-master", "recover_retry",
                                    "Unable to finish the recover protocol in 10secs, "
                                    "retrying");
                         start_recovery_round();
                       });
}

void MesosMaster::on_recover_response(const mesos::RecoverResponse& r) {
  using mesos::ReplicaStatus;
  if (r.round != recover_round_ || replica_ == ReplicaStatus::kVoting) return;
  ++recover_answers_[r.status];
  const int quorum = ctx_.topology().quorum();
  const int cluster = 2 * quorum - 1;
  auto count = [&](ReplicaStatus s) { return recover_answers_[s]; };
  std::optional<ReplicaStatus> next;
  if (count(ReplicaStatus::kVoting) >= quorum) {
    next = ReplicaStatus::kVoting;  // catch-up of an empty log range is immediate
  } else if (replica_ == ReplicaStatus::kEmpty &&
             count(ReplicaStatus::kEmpty) + count(ReplicaStatus::kStarting) >= cluster) {
    next = ReplicaStatus::kStarting;
  } else if (replica_ == ReplicaStatus::kStarting &&
             count(ReplicaStatus::kStarting) + count(ReplicaStatus::kVoting) >= cluster) {
    next = ReplicaStatus::kVoting;
  }
  if (next) {
    ++recover_round_;  // this round is decided
    replica_status(*next);
    if (*next != ReplicaStatus::kVoting) start_recovery_round();  // the second phase
    return;
  }
  int answers = 0;
  for (const auto& [status, n] : recover_answers_) answers += n;
  if (answers < cluster) return;
  // Every replica answered and none of the rules applies: run again after a random delay.
  const int round = ++recover_round_;
  sim::RandomStream rng = ctx_.stream(
      {ctx_.network().process_name(process_), "log-recover", static_cast<std::uint64_t>(round)});
  ctx_.network().after(process_, sim::from_seconds(rng.uniform(0.5, 1.0)), [this, round] {
    if (round == recover_round_) start_recovery_round();
  });
}

// The registrar's fetch: a read through the log's coordinator, which needs promises from a
// quorum of VOTING replicas (one round trip).
void MesosMaster::start_fetch() {
  if (phase_ != Phase::kRecovering || fetching_) return;
  fetching_ = true;
  ++fetch_round_;
  fetch_answers_ = 0;
  for (const sim::Address& a : master_addresses()) {
    auto req = std::make_shared<mesos::PromiseRequest>();
    req->proposal = fetch_round_;
    req->reply_to = {site_->node, ports::kMesosMaster};
    ctx_.network().send_datagram(process_, a, std::move(req));
  }
  // Replicas still catching up do not promise: ask again after a random 0.5–1 s, as the log's
  // coordinator retries its election, until registry_fetch_timeout ends it.
  sim::RandomStream rng = ctx_.stream({ctx_.network().process_name(process_), "log-fetch",
                                       static_cast<std::uint64_t>(fetch_round_)});
  const int round = fetch_round_;
  ctx_.network().after(process_, sim::from_seconds(rng.uniform(0.5, 1.0)), [this, round] {
    if (!fetching_ || round != fetch_round_ || phase_ != Phase::kRecovering) return;
    fetching_ = false;
    start_fetch();
  });
}

void MesosMaster::recovered() {
  fetching_ = false;
  set_phase(Phase::kLeading, "registry recovered");
  const auto id = ctx_.milestone(
      site_->node_name, "mesos-master.leading",
      fmt::format("elected {:.3f}s ago", (ctx_.now() - elected_at_).to_seconds()), elected_record_);
  leading_record_ = id;
  arm_allocation_timer();
}

// The handlers below mirror Mesos' own, one per message type: the replicated log's replica and
// coordinator (src/log/replica.cpp, src/log/recover.cpp, src/log/coordinator.cpp) and the
// master's (src/master/master.cpp: Master::registerSlave, _registerSlave, subscribe, accept,
// decline, statusUpdate; /master/state from src/master/http.cpp). Replica messages and state
// requests are answered in every phase: they are not master business. Everything else is
// dropped until this master leads (elected and recovered), as Master::initialize's handlers do.
void MesosMaster::on_message(const sim::Address& from, const sim::Message& m) {
  if (on_replica_message(m)) return;
  if (sim::message_as<mesos::GetState>(m) != nullptr) {
    serve_state(from);
    return;
  }
  if (phase_ != Phase::kLeading) return;  // not elected or not recovered: drop
  if (const auto* w = sim::message_as<mesos::WriteResponse>(m)) {
    on_registry_write(*w);
  } else if (const auto* r = sim::message_as<mesos::RegisterSlave>(m)) {
    register_slave(*r);
  } else if (const auto* f = sim::message_as<mesos::RegisterFramework>(m)) {
    register_framework(*f);
  } else if (const auto* a = sim::message_as<mesos::Accept>(m)) {
    accept(*a);
  } else if (const auto* d = sim::message_as<mesos::Decline>(m)) {
    decline(*d);
  } else if (const auto* u = sim::message_as<mesos::StatusUpdate>(m)) {
    forward_status_update(*u);
  }
}

// The local replica and the log's coordinator (src/log/replica.cpp, recover.cpp,
// coordinator.cpp). Returns false for a message that is not theirs.
bool MesosMaster::on_replica_message(const sim::Message& m) {
  sim::Network& net = ctx_.network();
  if (const auto* r = sim::message_as<mesos::RecoverRequest>(m)) {
    auto resp = std::make_shared<mesos::RecoverResponse>();
    resp->round = r->round;
    resp->status = replica_;
    net.send_datagram(process_, r->reply_to, std::move(resp));
    return true;
  }
  if (const auto* r = sim::message_as<mesos::RecoverResponse>(m)) {
    on_recover_response(*r);
    return true;
  }
  if (const auto* p = sim::message_as<mesos::PromiseRequest>(m)) {
    auto resp = std::make_shared<mesos::PromiseResponse>();
    resp->proposal = p->proposal;
    resp->okay = replica_ == mesos::ReplicaStatus::kVoting;
    net.send_datagram(process_, p->reply_to, std::move(resp));
    return true;
  }
  if (const auto* p = sim::message_as<mesos::PromiseResponse>(m)) {
    if (!fetching_ || p->proposal != fetch_round_ || phase_ != Phase::kRecovering) return true;
    if (p->okay && ++fetch_answers_ >= ctx_.topology().quorum()) recovered();
    return true;
  }
  if (const auto* w = sim::message_as<mesos::WriteRequest>(m)) {
    if (replica_ != mesos::ReplicaStatus::kVoting) return true;  // only VOTING replicas accept
    auto resp = std::make_shared<mesos::WriteResponse>();
    resp->position = w->position;
    net.send_datagram(process_, w->reply_to, std::move(resp));
    return true;
  }
  return false;
}

// GET /master/state (src/master/http.cpp): the leader as this master detects it, and the
// frameworks (with the host each scheduler runs on) if it leads; answered to where it came from.
void MesosMaster::serve_state(sim::Address client) {
  auto state = std::make_shared<mesos::State>();
  if (election_ && election_->leader()) {
    state->leader = election_->leader()->info.hostname;
    state->leader_node = election_->leader()->node;
  }
  if (phase_ == Phase::kLeading) {
    for (const Framework& f : frameworks_) {
      state->frameworks.push_back(f.name);
      state->framework_hosts.push_back(ctx_.network().node_name(f.address.node));
    }
  }
  ctx_.network().send_datagram(process_, ports::kMesosMaster, client, std::move(state));
}

// Master::registerSlave: a new agent is admitted through a write to the registry (a quorum of
// replicas); one whose admission is in flight or done is not admitted twice.
void MesosMaster::register_slave(const mesos::RegisterSlave& r) {
  const auto it = agents_.find(r.agent);
  if (it != agents_.end()) return;  // admitted, or its admission is in flight
  agents_[r.agent] = Agent{r.agent, r.reply_to.node, false, std::nullopt};
  const int position = ++write_position_;
  pending_writes_[position] = {0, r.agent};
  for (const sim::Address& a : master_addresses()) {
    auto req = std::make_shared<mesos::WriteRequest>();
    req->position = position;
    req->reply_to = {site_->node, ports::kMesosMaster};
    ctx_.network().send_datagram(process_, a, std::move(req));
  }
}

// Master::_registerSlave: the registry write reached a quorum; the agent is registered, and the
// master connects back to it to say so.
void MesosMaster::on_registry_write(const mesos::WriteResponse& w) {
  const auto it = pending_writes_.find(w.position);
  if (it == pending_writes_.end()) return;
  if (++it->second.first < ctx_.topology().quorum()) return;
  const std::string agent = it->second.second;
  pending_writes_.erase(it);
  Agent& a = agents_[agent];
  a.admitted = true;
  ctx_.milestone(
      agent, "agent.registered", fmt::format("admitted by {}", site_->node_name),
      RunContext::later(ctx_.latest_milestone("agent.detected_leader", agent), leading_record_));
  connect_back(agent, a.node);
}

void MesosMaster::connect_back(const std::string& agent, sim::NodeId node) {
  sim::StreamHandlers h;
  h.on_open = [this, agent](sim::ConnectionId c) {
    ctx_.milestone(agent, "agent.connected_back", fmt::format("from {}", site_->node_name),
                   ctx_.latest_milestone("agent.registered", agent));
    auto reg = std::make_shared<mesos::SlaveRegistered>();
    reg->master = site_->node_name;
    ctx_.network().send(c, process_, std::move(reg));
    allocate();
  };
  h.on_connect_failed = [this, agent](sim::ConnectionId, sim::ConnectError) {
    ctx_.event(site_->node_name, "mesos-master", "connect_back_failed", agent);
  };
  ctx_.network().connect(process_, {node, ports::kMesosAgent}, kConnectBackTimeout, std::move(h));
}

// Master::subscribe: a framework is registered (again, idempotently) and confirmed; a new one
// triggers an allocation.
void MesosMaster::register_framework(const mesos::RegisterFramework& r) {
  bool known = false;
  for (const Framework& f : frameworks_) known = known || f.name == r.framework;
  if (!known) frameworks_.push_back(Framework{r.framework, r.reply_to});
  auto reg = std::make_shared<mesos::FrameworkRegistered>();
  reg->framework_id = fmt::format("{}-0000", r.framework);
  reg->master = site_->node_name;
  ctx_.network().send_datagram(process_, r.reply_to, std::move(reg));
  if (!known) allocate();
}

// Master::accept: the offer's resources go to a task the master sends to the agent.
void MesosMaster::accept(const mesos::Accept& a) {
  const auto it = offers_.find(a.offer_id);
  if (it == offers_.end()) return;  // rescinded
  const std::string agent = it->second.agent;
  ctx_.network().cancel(it->second.timeout);
  offers_.erase(it);
  agents_[agent].outstanding_offer.reset();
  auto run = std::make_shared<mesos::RunTask>();
  run->framework = a.framework;
  run->task = a.task;
  run->master = {site_->node, ports::kMesosMaster};
  ctx_.network().send_datagram(process_, {agents_[agent].node, ports::kMesosAgent}, std::move(run));
}

// Master::decline: the framework refuses the agent's resources for `refuse`.
void MesosMaster::decline(const mesos::Decline& d) {
  const auto it = offers_.find(d.offer_id);
  if (it == offers_.end()) return;
  const std::string agent = it->second.agent;
  ctx_.network().cancel(it->second.timeout);
  offers_.erase(it);
  agents_[agent].outstanding_offer.reset();
  filters_[{d.framework, agent}] = ctx_.now() + d.refuse;
}

// Master::statusUpdate: forwarded to the task's framework.
void MesosMaster::forward_status_update(const mesos::StatusUpdate& s) {
  for (const Framework& f : frameworks_) {
    if (f.name == s.framework) {
      ctx_.network().send_datagram(process_, f.address, std::make_shared<mesos::StatusUpdate>(s));
    }
  }
}

void MesosMaster::arm_allocation_timer() {
  if (allocation_timer_armed_) return;
  allocation_timer_armed_ = true;
  ctx_.network().after(process_, ctx_.params().duration("mesos-master.allocation_interval"),
                       [this] {
                         allocation_timer_armed_ = false;
                         if (phase_ != Phase::kLeading) return;
                         allocate();
                         arm_allocation_timer();
                       });
}

void MesosMaster::allocate() {
  if (phase_ != Phase::kLeading || frameworks_.empty()) return;
  // Frameworks in registration order: with equal (zero) shares the sorter breaks ties so.
  for (auto& [name, agent] : agents_) {
    if (!agent.admitted || agent.outstanding_offer) continue;
    for (const Framework& f : frameworks_) {
      const auto filter = filters_.find({f.name, name});
      if (filter != filters_.end() && ctx_.now() < filter->second) continue;
      const int id = ++next_offer_;
      auto offer = std::make_shared<mesos::ResourceOffers>();
      offer->offer_id = id;
      offer->agent = name;
      // Unanswered offers are rescinded after --offer_timeout.
      const sim::TimerId timeout = ctx_.network().after(
          process_, ctx_.params().duration("mesos-master.offer_timeout"), [this, id] {
            const auto it = offers_.find(id);
            if (it == offers_.end()) return;
            agents_[it->second.agent].outstanding_offer.reset();
            offers_.erase(it);
          });
      offers_[id] = Offer{f.name, name, timeout};
      agent.outstanding_offer = id;
      ctx_.network().send_datagram(process_, f.address, std::move(offer));
      break;
    }
  }
}

}  // namespace bootsim::models
