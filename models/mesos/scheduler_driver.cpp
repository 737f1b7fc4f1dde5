#include "models/mesos/scheduler_driver.hpp"

#include <fmt/format.h>
#include <algorithm>

#include "models/core/run_context.hpp"
#include "models/mesos/protocol.hpp"

namespace bootsim::models {

namespace {
// Storing the framework id is one ZooKeeper write: a round trip to the ensemble's leader and a
// quorum commit. Stand-in duration until the driver uses the ZooKeeper client model.
constexpr sim::SimTime kZooKeeperWrite = sim::milliseconds(5);
}  // namespace

SchedulerDriver::SchedulerDriver(RunContext& ctx, std::string framework, sim::SimTime refuse,
                                 OfferHandler on_offer)
    : ctx_(ctx),
      framework_(std::move(framework)),
      refuse_(refuse),
      on_offer_(std::move(on_offer)) {}

void SchedulerDriver::start(sim::ProcessId process, sim::Port port) {
  process_ = process;
  port_ = port;
  rng_.emplace(ctx_.stream({framework_, "driver", ctx_.network().incarnation(process)}));
  ctx_.network().bind(process, port,
                      [this](sim::Address, const sim::Message& m) { on_message(m); });
  leader_.reset();
  registered_ = false;
  // libmesos' ZooKeeperMasterDetector: MASTER_DETECTOR_ZK_SESSION_TIMEOUT = 10 s.
  detector_ = std::make_unique<MasterDetector>(
      ctx_, process, zookeeper_servers(ctx_.topology()),
      ctx_.params().duration("mesos-master.zk_session_timeout"),
      [this](const std::optional<DetectedMaster>& leader) { on_leader_change(leader); },
      GroupOptions{.expiry = ExpiryDetection::kLocalTimer, .name = "driver-" + framework_});
  detector_->start();
}

void SchedulerDriver::stop() {
  process_.reset();
  detector_.reset();
  leader_.reset();
  registered_ = false;
  ++generation_;
}

void SchedulerDriver::on_leader_change(const std::optional<DetectedMaster>& leader) {
  if (!process_) return;
  if (!leader || (leader_ && leader_->info == leader->info)) return;
  leader_ = leader;
  registered_ = false;
  ctx_.milestone(framework_, "scheduler.detected_leader", leader->info.hostname,
                 RunContext::later(ctx_.latest_milestone("scheduler.started", framework_),
                                   ctx_.latest_milestone("mesos-master.elected")));
  backoff_ = ctx_.params().duration("scheduler.registration_backoff_factor");
  const std::uint64_t generation = ++generation_;
  try_register(generation);  // the first attempt goes at once, unlike the agents'
}

void SchedulerDriver::try_register(std::uint64_t generation) {
  if (generation != generation_ || registered_ || !leader_ || !process_) return;
  auto msg = std::make_shared<mesos::RegisterFramework>();
  msg->framework = framework_;
  msg->reply_to = {ctx_.network().node_of(*process_), port_};
  ctx_.network().send_message(*process_, {leader_->node, ports::kMesosMaster}, std::move(msg));
  const sim::SimTime delay = sim::from_seconds(rng_->uniform(0.0, backoff_.to_seconds()));
  backoff_ = std::min(backoff_ * 2, ctx_.params().duration("scheduler.max_registration_backoff"));
  ctx_.network().after(*process_, delay, [this, generation] { try_register(generation); });
}

void SchedulerDriver::on_message(const sim::Message& m) {
  if (!process_) return;
  sim::Network& net = ctx_.network();
  if (const auto* r = sim::message_as<mesos::FrameworkRegistered>(m)) {
    if (registered_) return;
    registered_ = true;
    const auto id = ctx_.milestone(
        framework_, "scheduler.registered", fmt::format("{} by {}", r->framework_id, r->master),
        RunContext::later(ctx_.latest_milestone("scheduler.detected_leader", framework_),
                          ctx_.latest_milestone("mesos-master.leading", r->master)));
    if (!id_stored_) {
      net.after(*process_, kZooKeeperWrite, [this, id] {
        if (id_stored_) return;
        id_stored_ = true;
        ctx_.milestone(framework_, "scheduler.framework_id_stored", "in ZooKeeper", id);
      });
    }
    return;
  }
  if (const auto* o = sim::message_as<mesos::ResourceOffers>(m)) {
    if (!offered_) {
      offered_ = true;
      ctx_.milestone(framework_, "scheduler.first_offer", o->agent,
                     RunContext::later(ctx_.latest_milestone("scheduler.registered", framework_),
                                       ctx_.latest_milestone("agent.available", o->agent)));
    }
    const auto task = on_offer_(o->agent);
    const sim::Address master{leader_ ? leader_->node : sim::NodeId{}, ports::kMesosMaster};
    if (task) {
      auto accept = std::make_shared<mesos::Accept>();
      accept->offer_id = o->offer_id;
      accept->framework = framework_;
      accept->task = *task;
      net.send_message(*process_, master, std::move(accept));
      ctx_.event(framework_, "scheduler", "launch", fmt::format("{} on {}", *task, o->agent));
    } else {
      auto decline = std::make_shared<mesos::Decline>();
      decline->offer_id = o->offer_id;
      decline->framework = framework_;
      decline->refuse = refuse_;
      net.send_message(*process_, master, std::move(decline));
    }
    return;
  }
  if (const auto* s = sim::message_as<mesos::StatusUpdate>(m)) {
    if (s->state == "TASK_RUNNING" && !task_running_) {
      task_running_ = true;
      ctx_.milestone(framework_, "scheduler.first_task_running",
                     fmt::format("{} on {}", s->task, s->agent),
                     ctx_.latest_milestone("scheduler.first_offer", framework_));
    }
  }
}

}  // namespace bootsim::models
