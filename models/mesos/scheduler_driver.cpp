#include "models/mesos/scheduler_driver.hpp"

#include <fmt/format.h>
#include <algorithm>

#include "models/core/run_context.hpp"

namespace bootsim::models {

namespace {
// The znode path's prefixes, shortest first: "/a/b" → {"/a", "/a/b"}.
std::vector<std::string> prefixes(const std::string& path) {
  std::vector<std::string> out;
  for (std::size_t i = 1; i <= path.size(); ++i) {
    if (i == path.size() || path[i] == '/') out.push_back(path.substr(0, i));
  }
  return out;
}
}  // namespace

SchedulerDriver::SchedulerDriver(RunContext& ctx, mesos::FrameworkInfo info, sim::SimTime refuse,
                                 Handlers handlers)
    : ctx_(ctx), info_(std::move(info)), refuse_(refuse), handlers_(std::move(handlers)) {
  if (const auto* t = ctx_.find_shared<TestingVariants>()) {
    testing_stores_unconfirmed_id_ = t->scheduler_stores_unconfirmed_id;
  }
}

void SchedulerDriver::start(sim::ProcessId process, sim::Port port, ZooKeeperClient& zk,
                            std::string id_path) {
  process_ = process;
  port_ = port;
  zk_ = &zk;
  id_path_ = std::move(id_path);
  rng_.emplace(ctx_.stream({info_.name, "driver", ctx_.network().incarnation(process)}));
  sim::Network& net = ctx_.network();
  net.bind(process, port, [this](sim::Address, const sim::Message& m) { on_message(m); });
  net.listen(process, port, [](sim::ConnectionId, sim::Address) { return sim::StreamHandlers{}; });
  leader_.reset();
  registered_ = false;
  id_stored_ = false;
  const std::uint64_t generation = ++generation_;
  zk_->get_data(id_path_, {}, [this, generation](ZkError e, const std::string& data) {
    if (generation != generation_) return;
    if (e == ZkError::kOk && !data.empty()) {
      info_.id = data;
      failover_ = true;
      id_stored_ = true;
    }
    detect();
  });
}

void SchedulerDriver::detect() {
  // libmesos' ZooKeeperMasterDetector: MASTER_DETECTOR_ZK_SESSION_TIMEOUT = 10 s.
  detector_ = std::make_unique<MasterDetector>(
      ctx_, *process_, zookeeper_servers(ctx_.topology()),
      ctx_.params().duration("mesos-master.zk_session_timeout"),
      [this](const std::optional<DetectedMaster>& leader) { on_leader_change(leader); },
      GroupOptions{.expiry = ExpiryDetection::kLocalTimer, .name = "driver-" + info_.name});
  detector_->start();
}

void SchedulerDriver::stop() {
  process_.reset();
  detector_.reset();
  zk_ = nullptr;
  leader_.reset();
  registered_ = false;
  ++generation_;
}

void SchedulerDriver::on_leader_change(const std::optional<DetectedMaster>& leader) {
  if (!process_) return;
  if (!leader || (leader_ && leader_->info == leader->info)) return;
  leader_ = leader;
  registered_ = false;
  ctx_.milestone(info_.name, "scheduler.detected_leader", leader->info.hostname,
                 RunContext::later(ctx_.latest_milestone("scheduler.started", info_.name),
                                   ctx_.latest_milestone("mesos-master.elected")));
  backoff_ = ctx_.params().duration("scheduler.registration_backoff_factor");
  const std::uint64_t generation = ++generation_;
  try_register(generation);  // the first attempt goes at once, unlike the agents'
}

sim::SimTime SchedulerDriver::max_backoff() const {
  sim::SimTime cap = ctx_.params().duration("scheduler.max_registration_backoff");
  if (info_.failover_timeout > sim::SimTime::zero()) {
    cap = std::min(cap, info_.failover_timeout / 10);
  }
  return cap;
}

void SchedulerDriver::try_register(std::uint64_t generation) {
  if (generation != generation_ || registered_ || !leader_ || !process_) return;
  if (testing_stores_unconfirmed_id_ && info_.id.empty()) {
    // Broken on purpose (TestingVariants): an id of its own, stored before any master answers.
    info_.id = info_.name + "-unconfirmed";
    store_id(0, generation_);
  }
  const sim::Address self{ctx_.network().node_of(*process_), port_};
  if (info_.id.empty()) {
    auto msg = std::make_shared<mesos::RegisterFramework>();
    msg->framework = info_;
    msg->reply_to = self;
    send_to_master(std::move(msg));
  } else {
    auto msg = std::make_shared<mesos::ReregisterFramework>();
    msg->framework = info_;
    msg->reply_to = self;
    msg->failover = failover_;
    send_to_master(std::move(msg));
  }
  // doReliableRegistration caps maxBackoff before drawing the delay, and doubles it after.
  backoff_ = std::min(backoff_, max_backoff());
  const sim::SimTime delay = sim::from_seconds(rng_->uniform(0.0, backoff_.to_seconds()));
  backoff_ = backoff_ * 2;
  ctx_.network().after(*process_, delay, [this, generation] { try_register(generation); });
}

void SchedulerDriver::send_to_master(sim::Message m) {
  if (!process_ || !leader_) return;
  ctx_.network().send_message(*process_, {leader_->node, ports::kMesosMaster}, std::move(m));
}

void SchedulerDriver::suppress() {
  auto m = std::make_shared<mesos::Suppress>();
  m->framework_id = info_.id;
  if (registered_) send_to_master(std::move(m));
}

void SchedulerDriver::revive() {
  auto m = std::make_shared<mesos::Revive>();
  m->framework_id = info_.id;
  if (registered_) send_to_master(std::move(m));
}

void SchedulerDriver::reconcile() {
  auto m = std::make_shared<mesos::ReconcileTasks>();
  m->framework_id = info_.id;
  if (registered_) send_to_master(std::move(m));
}

void SchedulerDriver::on_message(const sim::Message& m) {
  if (!process_) return;
  if (const auto* r = sim::message_as<mesos::FrameworkRegistered>(m)) {
    on_registered(*r);
  } else if (const auto* o = sim::message_as<mesos::ResourceOffers>(m)) {
    on_offers(*o);
  } else if (const auto* s = sim::message_as<mesos::StatusUpdate>(m)) {
    on_update(*s);
  }
}

// SchedulerProcess::registered / reregistered; then the scheduler stores the id.
void SchedulerDriver::on_registered(const mesos::FrameworkRegistered& r) {
  if (registered_) return;
  registered_ = true;
  failover_ = false;
  const bool changed = info_.id != r.framework_id;
  info_.id = r.framework_id;
  ctx_.milestone(info_.name, "scheduler.registered",
                 fmt::format("{} by {}", r.framework_id, r.master),
                 RunContext::later(ctx_.latest_milestone("scheduler.detected_leader", info_.name),
                                   ctx_.latest_milestone("mesos-master.leading", r.master)));
  if (changed || !id_stored_) store_id(0, generation_);
  if (handlers_.on_registered) handlers_.on_registered();
}

// Creates the id's parents, then the id's znode (or sets it if it exists).
void SchedulerDriver::store_id(std::size_t depth, std::uint64_t generation) {
  if (zk_ == nullptr) return;
  if (depth == 0) {
    // What the framework-id-confirmed check reads: the id handed to ZooKeeper.
    ctx_.typed_event(sim::RecordType::kPlain, info_.name, "scheduler", "framework_id_write",
                     fmt::format("{} to {}", info_.id, id_path_),
                     {sim::arg_text("framework_id", info_.id)});
  }
  const std::vector<std::string> path = prefixes(id_path_);
  auto next = [this, depth, generation](ZkError e) {
    if (generation != generation_) return;
    if (e != ZkError::kOk) return;  // the scheduler stores it on its next registration
    if (depth + 1 < prefixes(id_path_).size()) {
      store_id(depth + 1, generation);
      return;
    }
    id_stored_ = true;
    ctx_.milestone(info_.name, "scheduler.framework_id_stored",
                   fmt::format("{} in {}", info_.id, id_path_),
                   ctx_.latest_milestone("scheduler.registered", info_.name));
  };
  const bool last = depth + 1 == path.size();
  zk_->create(path[depth], last ? info_.id : "", CreateMode::kPersistent,
              [this, last, next](ZkError e, const std::string&) {
                if (e == ZkError::kNodeExists && last && zk_ != nullptr) {
                  zk_->set_data(id_path_, info_.id, next);
                  return;
                }
                next(e == ZkError::kNodeExists ? ZkError::kOk : e);
              });
}

void SchedulerDriver::on_offers(const mesos::ResourceOffers& o) {
  for (const mesos::Offer& offer : o.offers) {
    if (!offered_) {
      offered_ = true;
      ctx_.milestone(info_.name, "scheduler.first_offer", offer.hostname,
                     RunContext::later(ctx_.latest_milestone("scheduler.registered", info_.name),
                                       ctx_.latest_milestone("agent.available", offer.hostname)));
    }
    std::vector<mesos::Task> tasks = handlers_.on_offer(offer);
    if (!tasks.empty()) {
      auto accept = std::make_shared<mesos::Accept>();
      accept->framework_id = info_.id;
      accept->offer_id = offer.id;
      accept->refuse = refuse_;
      for (const mesos::Task& t : tasks) {
        launches_[t.name] = ctx_.keep(ctx_.typed_event(
            sim::RecordType::kPlain, info_.name, "scheduler", "launch",
            fmt::format("{} on {}", t.name, offer.hostname),
            {sim::arg_text("task", t.name), sim::arg_text("agent", offer.hostname)},
            RunContext::later(ctx_.latest_milestone("scheduler.registered", info_.name),
                              ctx_.latest_milestone("agent.available", offer.hostname))));
      }
      accept->tasks = std::move(tasks);
      send_to_master(std::move(accept));
    } else {
      auto decline = std::make_shared<mesos::Decline>();
      decline->framework_id = info_.id;
      decline->offer_id = offer.id;
      decline->refuse = refuse_;
      send_to_master(std::move(decline));
    }
  }
}

// SchedulerProcess::statusUpdate: acknowledged through the master (implicit acknowledgements)
// unless the master generated it.
void SchedulerDriver::on_update(const mesos::StatusUpdate& s) {
  if (s.uuid != 0) {
    auto ack = std::make_shared<mesos::StatusUpdateAck>();
    ack->framework_id = s.framework_id;
    ack->task = s.task;
    ack->agent_id = s.agent_id;
    ack->uuid = s.uuid;
    send_to_master(std::move(ack));
  }
  if (mesos::terminal(s.state) || s.state == mesos::TaskState::kUnreachable) {
    ctx_.event(info_.name, "scheduler", "task_lost",
               fmt::format("{} {} on {}", s.task, mesos::to_string(s.state), s.agent));
  }
  if (s.state == mesos::TaskState::kRunning) {
    const auto launch = launches_.find(s.task);
    last_running_ = ctx_.keep(ctx_.event(
        info_.name, "scheduler", "task_running", fmt::format("{} on {}", s.task, s.agent),
        launch != launches_.end() ? std::optional(launch->second)
                                  : ctx_.latest_milestone("scheduler.first_offer", info_.name)));
    if (!task_running_) {
      task_running_ = true;
      ctx_.milestone(info_.name, "scheduler.first_task_running",
                     fmt::format("{} on {}", s.task, s.agent), last_running_);
    }
  }
  if (handlers_.on_update) handlers_.on_update(s);
}

}  // namespace bootsim::models
