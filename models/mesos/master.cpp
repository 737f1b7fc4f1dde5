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
  // Everything but the replica (on disk) goes with the process.
  election_.reset();
  set_phase(Phase::kDown, "process exited");
  fetching_ = false;
  fetched_.reset();
  ++recover_round_;
  registry_ = {};
  written_.reset();
  queued_ops_.clear();
  applying_ops_.clear();
  storing_.reset();
  agents_.clear();
  agent_index_.clear();
  agent_by_host_.clear();
  registering_.clear();
  reregistering_.clear();
  recovered_.clear();
  frameworks_.clear();
  framework_index_.clear();
  allocator_.reset();
  offers_.clear();
  allocation_pending_ = false;
  allocation_candidates_.reset();
  allocation_timer_armed_ = false;
  elected_record_.reset();
  leading_record_.reset();
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
    ctx_.network().send_message(process_, a, std::move(req));
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

// The registrar's fetch: the log's coordinator gets elected (Paxos phase 1: promises for a
// proposal from a quorum of VOTING replicas) and reads the latest registry they hold. A
// rejection names a higher promise: the next round proposes above it.
void MesosMaster::start_fetch() {
  if (phase_ != Phase::kRecovering || fetching_) return;
  fetching_ = true;
  fetch_answers_ = 0;
  fetched_position_ = -1;
  fetched_.reset();
  proposal_ = std::max(proposal_, promised_) + 1;
  for (const sim::Address& a : master_addresses()) {
    auto req = std::make_shared<mesos::PromiseRequest>();
    req->proposal = proposal_;
    req->reply_to = {site_->node, ports::kMesosMaster};
    ctx_.network().send_message(process_, a, std::move(req));
  }
  // Replicas still catching up do not promise: ask again after a random 0.5–1 s, as the log's
  // coordinator retries its election, until registry_fetch_timeout ends it.
  sim::RandomStream rng =
      ctx_.stream({ctx_.network().process_name(process_), "log-fetch", proposal_});
  const std::uint64_t proposal = proposal_;
  ctx_.network().after(process_, sim::from_seconds(rng.uniform(0.5, 1.0)), [this, proposal] {
    if (!fetching_ || proposal != proposal_ || phase_ != Phase::kRecovering) return;
    fetching_ = false;
    start_fetch();
  });
}

void MesosMaster::on_promise(const mesos::PromiseResponse& p) {
  if (!fetching_ || p.proposal != proposal_ || phase_ != Phase::kRecovering) return;
  if (!p.okay) {
    proposal_ = std::max(proposal_, p.promised);  // the retry proposes above it
    return;
  }
  if (p.position > fetched_position_) {
    fetched_position_ = p.position;
    fetched_ = p.registry;
  }
  if (++fetch_answers_ >= ctx_.topology().quorum()) recovered();
}

// Master::_recover: the registry is the master's; agents it lists must re-register within
// agent_reregister_timeout (Master::recoveredSlavesTimeout).
void MesosMaster::recovered() {
  fetching_ = false;
  registry_ = fetched_ ? fetched_->read() : mesos::Registry{};
  written_ = fetched_;
  write_position_ = std::max(fetched_position_, 0);
  for (const auto& [id, agent] : registry_.agents) {
    if (registry_.unreachable.count(id) == 0) recovered_.insert(id);
  }
  mesos::HierarchicalAllocator::Options options;
  options.allocation_interval = ctx_.params().duration("mesos-master.allocation_interval");
  allocator_ = std::make_unique<mesos::HierarchicalAllocator>(options);
  allocator_rng_.emplace(ctx_.stream(process_, "allocator"));
  // Agents admitted before now (only by a master broken on purpose: admit_while_recovering)
  // join the allocator that exists from here on.
  for (const auto& [id, a] : agents_) add_to_allocator(a);
  set_phase(Phase::kLeading, fmt::format("registry recovered: {} agents, {} unreachable",
                                         registry_.agents.size(), registry_.unreachable.size()));
  const auto id = ctx_.milestone(
      site_->node_name, "mesos-master.leading",
      fmt::format("elected {:.3f}s ago", (ctx_.now() - elected_at_).to_seconds()), elected_record_);
  leading_record_ = id;
  if (!recovered_.empty()) {
    ctx_.network().after(process_, ctx_.params().duration("mesos-master.agent_reregister_timeout"),
                         [this] { recovered_agents_timeout(); });
  }
  arm_allocation_timer();
}

// The handlers below mirror Mesos' own, one per message type: the replicated log's replica and
// coordinator (src/log/replica.cpp, src/log/recover.cpp, src/log/coordinator.cpp) and the
// master's (src/master/master.cpp; /master/state from src/master/http.cpp). Replica messages
// and state requests are answered in every phase: they are not master business. Everything
// else is dropped until this master leads (elected and recovered), as Master::initialize's
// handlers do.
void MesosMaster::on_message(const sim::Address& from, const sim::Message& m) {
  if (on_replica_message(m)) return;
  if (sim::message_as<mesos::GetState>(m) != nullptr) {
    serve_state(from);
    return;
  }
  if (phase_ != Phase::kLeading) {
    // Not elected or not recovered: dropped. Broken on purpose (tests only): a master that
    // handles agent registrations while it recovers.
    if (phase_ == Phase::kRecovering && testing_.admit_while_recovering) on_agent_message(m);
    return;
  }
  if (const auto* w = sim::message_as<mesos::WriteResponse>(m)) {
    on_registry_write(*w);
    return;
  }
  if (on_agent_message(m)) return;
  on_framework_message(m);
}

// The local replica (src/log/replica.cpp) and the coordinator's answers. Returns false for a
// message that is not theirs.
bool MesosMaster::on_replica_message(const sim::Message& m) {
  sim::Network& net = ctx_.network();
  if (const auto* r = sim::message_as<mesos::RecoverRequest>(m)) {
    auto resp = std::make_shared<mesos::RecoverResponse>();
    resp->round = r->round;
    resp->status = replica_;
    net.send_message(process_, r->reply_to, std::move(resp));
    return true;
  }
  if (const auto* r = sim::message_as<mesos::RecoverResponse>(m)) {
    on_recover_response(*r);
    return true;
  }
  if (const auto* p = sim::message_as<mesos::PromiseRequest>(m)) {
    if (replica_ != mesos::ReplicaStatus::kVoting) return true;  // only VOTING replicas answer
    auto resp = std::make_shared<mesos::PromiseResponse>();
    resp->proposal = p->proposal;
    resp->okay = p->proposal > promised_;
    if (resp->okay) promised_ = p->proposal;
    resp->promised = promised_;
    resp->position = replica_position_;
    resp->registry = replica_registry_;
    net.send_message(process_, p->reply_to, std::move(resp));
    return true;
  }
  if (const auto* p = sim::message_as<mesos::PromiseResponse>(m)) {
    on_promise(*p);
    return true;
  }
  if (const auto* w = sim::message_as<mesos::WriteRequest>(m)) {
    if (replica_ != mesos::ReplicaStatus::kVoting) return true;
    auto resp = std::make_shared<mesos::WriteResponse>();
    resp->proposal = w->proposal;
    resp->position = w->position;
    resp->okay = w->proposal >= promised_;
    if (resp->okay && w->position > replica_position_) {
      promised_ = w->proposal;
      replica_position_ = w->position;
      replica_registry_ = w->registry;
    }
    net.send_message(process_, w->reply_to, std::move(resp));
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
    for (const auto& [id, f] : frameworks_) {
      state->frameworks.push_back(f.info.name);
      state->framework_hosts.push_back(ctx_.network().node_name(f.address.node));
    }
  }
  ctx_.network().send_datagram(process_, ports::kMesosMaster, client, std::move(state));
}

// Registrar::apply: the operation joins the queue; update() stores every queued operation in
// one write unless a write is in flight, after which the next batch goes.
void MesosMaster::registrar_apply(RegistryOp op, std::function<void()> done) {
  if (phase_ != Phase::kLeading) {
    // Only a master broken on purpose gets here (admit_while_recovering): its registrar has
    // not recovered, so nothing is stored, and the operation takes effect in memory only.
    done();
    return;
  }
  queued_ops_.push_back(PendingOp{std::move(op), std::move(done)});
  if (!storing_) registrar_update();
}

// Registrar::update: a Paxos phase 2 for the next log position by the coordinator elected in
// the fetch; `registry_store_timeout` later without a quorum, the registrar aborts and the
// master with it ("Registrar aborting: Failed to update registry").
void MesosMaster::registrar_update() {
  if (queued_ops_.empty() || storing_) return;
  std::vector<mesos::RegistryOperation> operations;
  for (const PendingOp& p : queued_ops_) operations.push_back(p.op);
  applying_ops_ = std::move(queued_ops_);
  queued_ops_.clear();
  storing_ = mesos::StoredRegistry::after(written_, std::move(operations), registry_);
  write_acks_ = 0;
  const int position = ++write_position_;
  for (const sim::Address& a : master_addresses()) {
    auto req = std::make_shared<mesos::WriteRequest>();
    req->proposal = proposal_;
    req->position = position;
    req->registry = storing_;
    req->reply_to = {site_->node, ports::kMesosMaster};
    ctx_.network().send_message(process_, a, std::move(req));
  }
  const sim::SimTime timeout = ctx_.params().duration("mesos-master.registry_store_timeout");
  store_timer_ = ctx_.network().after(process_, timeout, [this, timeout] {
    control_->exit(
        fmt::format("Registrar aborting: Failed to update registry: Failed to "
                    "perform store within {:g}secs",
                    timeout.to_seconds()));
  });
}

void MesosMaster::on_registry_write(const mesos::WriteResponse& w) {
  if (!storing_ || w.position != write_position_ || w.proposal != proposal_) return;
  if (!w.okay) {
    // A replica promised a higher proposal: another coordinator was elected. The store
    // fails, and the registrar aborts.
    control_->exit("Registrar aborting: Failed to update registry: coordinator demoted");
    return;
  }
  if (++write_acks_ < ctx_.topology().quorum()) return;
  ctx_.network().cancel(store_timer_);
  std::vector<PendingOp> done = std::move(applying_ops_);
  applying_ops_.clear();
  for (const PendingOp& p : done) p.op(registry_);  // as storing_ holds it, without a copy
  written_ = std::move(storing_);
  storing_.reset();
  for (PendingOp& p : done) p.done();
  registrar_update();
}

}  // namespace bootsim::models
