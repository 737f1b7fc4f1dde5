#include "models/zookeeper/server.hpp"

#include <fmt/format.h>

#include <utility>

#include "models/zookeeper/ensemble.hpp"

namespace bootsim::models {

// ------------------------------------------------------------------------------------------
// Names.

std::string_view to_string(ZooKeeperState s) {
  switch (s) {
    case ZooKeeperState::kDown:
      return "down";
    case ZooKeeperState::kStarting:
      return "starting";
    case ZooKeeperState::kSettingUp:
      return "setting-up";
    case ZooKeeperState::kLooking:
      return "LOOKING";
    case ZooKeeperState::kFollowingSync:
      return "FOLLOWING(syncing)";
    case ZooKeeperState::kFollowing:
      return "FOLLOWING";
    case ZooKeeperState::kLeadingSync:
      return "LEADING(syncing)";
    case ZooKeeperState::kLeading:
      return "LEADING";
    case ZooKeeperState::kStandalone:
      return "standalone";
  }
  return "?";
}

std::string_view to_string(PeerState s) {
  switch (s) {
    case PeerState::kLooking:
      return "LOOKING";
    case PeerState::kFollowing:
      return "FOLLOWING";
    case PeerState::kLeading:
      return "LEADING";
  }
  return "?";
}

// ------------------------------------------------------------------------------------------
// Identity, lifecycle, start-up.

ZooKeeperServer::ZooKeeperServer(RunContext& ctx, ZooKeeperEnsemble& ensemble, int sid,
                                 sim::ProcessId process, Options options)
    : ctx_(ctx),
      ensemble_(ensemble),
      sid_(sid),
      process_(process),
      node_name_(ctx.network().node_name(ctx.network().node_of(process))),
      options_(options),
      cfg_(ensemble.config()),
      rng_(ctx.stream({ctx.network().process_name(process)})) {}

ZooKeeperServer::~ZooKeeperServer() {
  if (startup_job_ && options_.shared_cpu != nullptr) options_.shared_cpu->cancel(*startup_job_);
}

sim::Network& ZooKeeperServer::net() {
  return ctx_.network();
}
int ZooKeeperServer::ensemble_size() const {
  return ensemble_.size();
}
int ZooKeeperServer::quorum() const {
  return ensemble_.quorum();
}

bool ZooKeeperServer::alive() const {
  const sim::Network& n = ctx_.network();
  return state_ != ZooKeeperState::kDown && n.process_up(process_) &&
         n.incarnation(process_) == incarnation_;
}

ZooKeeperState ZooKeeperServer::state() const {
  return alive() ? state_ : ZooKeeperState::kDown;
}

bool ZooKeeperServer::serving() const {
  const ZooKeeperState s = state();
  return s == ZooKeeperState::kFollowing || s == ZooKeeperState::kLeading ||
         s == ZooKeeperState::kStandalone;
}

PeerState ZooKeeperServer::peer_state() const {
  switch (state()) {
    case ZooKeeperState::kFollowingSync:
    case ZooKeeperState::kFollowing:
      return PeerState::kFollowing;
    case ZooKeeperState::kLeadingSync:
    case ZooKeeperState::kLeading:
    case ZooKeeperState::kStandalone:
      return PeerState::kLeading;
    default:
      return PeerState::kLooking;
  }
}

int ZooKeeperServer::leader_sid() const {
  const ZooKeeperState s = state();
  if (s == ZooKeeperState::kStandalone) return sid_;
  if (s == ZooKeeperState::kFollowingSync || s == ZooKeeperState::kFollowing ||
      s == ZooKeeperState::kLeadingSync || s == ZooKeeperState::kLeading) {
    return leader_sid_;
  }
  return 0;
}

void ZooKeeperServer::log(std::string_view event, std::string detail) {
  ctx_.event(node_name_, "zookeeper", event, std::move(detail));
}

void ZooKeeperServer::transition(ZooKeeperState next, std::string_view why) {
  const bool was_serving = serving();
  const ZooKeeperState prev = state_;
  state_ = next;
  ctx_.state_change(node_name_, "zookeeper", to_string(prev), to_string(next), std::string(why));
  if (was_serving && !serving()) ensemble_.on_serving_changed(*this);
}

void ZooKeeperServer::reset_volatile() {
  serving_record_.reset();
  serving_epoch_ = 0;
  logical_clock_ = 0;
  election_took_.reset();
  proposal_ = Vote{};
  current_vote_ = Vote{};
  recvset_.clear();
  outofelection_.clear();
  outofelection_state_.clear();
  not_timeout_ = cfg_.finalize_wait;
  finalizing_ = false;
  poll_timer_ = {};
  finalize_timer_ = {};
  peers_.clear();
  send_queue_.clear();
  sender_waiting_on_ = 0;
  election_conn_peer_.clear();
  election_listening_ = false;
  leader_sid_ = 0;
  zab_epoch_ = 0;
  ++role_generation_;
  learners_.clear();
  connecting_.clear();
  epoch_acks_.clear();
  newleader_acks_.clear();
  proposed_epoch_ = 0;
  epoch_decided_ = false;
  epoch_acked_ = false;
  leader_serving_ = false;
  zxid_counter_ = 0;
  outstanding_.clear();
  pending_tree_ = DataTree{};
  session_deadline_.clear();
  quorum_listening_ = false;
  leader_connection_.reset();
  learner_synced_ = false;
  got_leader_info_ = false;
  learner_pending_.clear();
  touched_sessions_.clear();
  revalidating_.clear();
  clients_.clear();
  data_watchers_.clear();
  child_watchers_.clear();
  session_connections_.clear();
  client_listening_ = false;
}

void ZooKeeperServer::launch() {
  if (net().process_up(process_)) net().crash_process(process_);
  if (!net().node_up(net().node_of(process_))) return;  // nothing runs on a dead host
  net().start_process(process_);
  incarnation_ = net().incarnation(process_);
  reset_volatile();
  state_ = ZooKeeperState::kDown;
  transition(ZooKeeperState::kStarting, "launched");
  const sim::SimTime start = cfg_.server_start.sample(rng_);
  after_startup_work(start, options_.start_threads_milli, &ZooKeeperServer::on_client_port_bound);
}

void ZooKeeperServer::after_startup_work(sim::SimTime work, std::int64_t threads_milli,
                                         void (ZooKeeperServer::*then)()) {
  sim::SharedCpu* cpu = options_.shared_cpu;
  if (cpu == nullptr) {
    net().after(process_, work, [this, then] { (this->*then)(); });
    return;
  }
  if (startup_job_) cpu->cancel(*startup_job_);  // a relaunch drops the old JVM's work
  const std::uint64_t inc = incarnation_;
  startup_job_ = cpu->run(work, threads_milli, [this, then, inc] {
    startup_job_.reset();
    if (net().process_up(process_) && net().incarnation(process_) == inc) (this->*then)();
  });
}

void ZooKeeperServer::enter_looking_after_setup() {
  start_looking("server started");
}

void ZooKeeperServer::kill() {
  if (!alive()) return;
  const bool was_serving = serving();
  net().crash_process(process_);
  ctx_.state_change(node_name_, "zookeeper", to_string(state_), to_string(ZooKeeperState::kDown),
                    "process killed");
  state_ = ZooKeeperState::kDown;
  if (was_serving) ensemble_.on_serving_changed(*this);
}

void ZooKeeperServer::on_client_port_bound() {
  net().listen(process_, ports::kZooKeeperClient, [this](sim::ConnectionId c, sim::Address) {
    on_client_accepted(c);
    sim::StreamHandlers h;
    h.on_message = [this](sim::ConnectionId cc, const sim::Message& m) {
      on_client_message(cc, m);
    };
    h.on_closed = [this](sim::ConnectionId cc) { on_client_closed(cc); };
    return h;
  });
  client_listening_ = true;
  started_record_ = ctx_.milestone(node_name_, "zookeeper.started", "client port 2181 bound");
  if (ensemble_size() == 1) {
    // A one-server ensemble runs standalone: it serves as soon as the client port is bound.
    transition(ZooKeeperState::kStandalone, "one server in the ensemble");
    leader_sid_ = sid_;
    zab_epoch_ = disk_.current_epoch;
    serving_epoch_ = zab_epoch_;
    leader_serving_ = true;
    pending_tree_ = disk_.tree;
    zxid_counter_ = disk_.last_zxid & 0xffffffffu;
    for (const auto& [session, timeout] : disk_.tree.sessions) {
      session_deadline_[session] = ctx_.now() + timeout;
    }
    const std::uint64_t gen = role_generation_;
    net().after(process_, cfg_.tick / 2, [this, gen] {
      if (gen == role_generation_) leader_half_tick(1);
    });
    serving_record_ = ctx_.milestone(node_name_, "zookeeper.serving", "standalone");
    ensemble_.on_serving_changed(*this);
    return;
  }
  transition(ZooKeeperState::kSettingUp, "client port bound");
  const sim::SimTime setup = options_.shared_cpu != nullptr && options_.setup_work
                                 ? options_.setup_work->sample(rng_)
                                 : cfg_.setup_before_looking;
  after_startup_work(setup, options_.setup_threads_milli,
                     &ZooKeeperServer::enter_looking_after_setup);
}

// ------------------------------------------------------------------------------------------
// Common to both roles.

void ZooKeeperServer::stop_serving_roles(std::string_view why) {
  (void)why;
  ++role_generation_;
  for (auto& [conn, l] : learners_) net().close(l.connection, process_);
  learners_.clear();
  if (leader_connection_) net().close(*leader_connection_, process_);
  leader_connection_.reset();
  close_all_clients();
  leader_serving_ = false;
  learner_synced_ = false;
  epoch_decided_ = false;
  epoch_acked_ = false;
  outstanding_.clear();
  learner_pending_.clear();
  revalidating_.clear();
  session_deadline_.clear();
  touched_sessions_.clear();
}

void ZooKeeperServer::became_serving(std::string detail) {
  serving_record_ = ctx_.milestone(node_name_, "zookeeper.serving", std::move(detail));
  ensemble_.on_serving_changed(*this);
}

}  // namespace bootsim::models
