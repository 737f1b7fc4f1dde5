#include "models/mesos/agent.hpp"

#include <fmt/format.h>
#include <algorithm>

#include "models/core/run_context.hpp"
#include "models/mesos/protocol.hpp"

namespace bootsim::models {

void MesosAgent::on_spawned() {
  auto accept = [this](sim::ConnectionId, sim::Address) {
    sim::StreamHandlers h;
    h.on_message = [this](sim::ConnectionId, const sim::Message& m) { on_message(m); };
    return h;
  };
  ctx_.network().listen(process_, ports::kMesosAgent, accept);
  ctx_.network().bind(process_, ports::kMesosAgent,
                      [this](sim::Address, const sim::Message& m) { on_message(m); });
}

void MesosAgent::on_ready() {
  control_->mark_started("recovered: no checkpointed executors");
  running_ = true;
  // The agent's --zk_session_timeout defaults to 10 s, like the master's.
  detector_ = std::make_unique<MasterDetector>(
      ctx_, process_, zookeeper_servers(ctx_.topology()),
      ctx_.params().duration("mesos-master.zk_session_timeout"),
      [this](const std::optional<DetectedMaster>& leader) { on_leader_change(leader); });
  detector_->start();
}

void MesosAgent::on_exit() {
  running_ = false;
  detector_.reset();
  registered_ = false;
  leader_.reset();
  ++generation_;
}

void MesosAgent::on_leader_change(const std::optional<DetectedMaster>& leader) {
  if (!running_) return;
  if (!leader || (leader_ && leader_->info == leader->info)) return;
  leader_ = leader;
  registered_ = false;
  ctx_.milestone(site_->node_name, "agent.detected_leader", leader->info.hostname,
                 RunContext::later(ctx_.latest_milestone("agent.started", site_->node_name),
                                   ctx_.latest_milestone("mesos-master.elected")));
  const std::uint64_t generation = ++generation_;
  backoff_ = ctx_.params().duration("mesos-agent.registration_backoff_factor");
  // The first attempt waits U(0, b) so that many agents do not register at once.
  const sim::SimTime delay = sim::from_seconds(rng_->uniform(0.0, backoff_.to_seconds()));
  ctx_.network().after(process_, delay, [this, generation] { try_register(generation); });
}

void MesosAgent::try_register(std::uint64_t generation) {
  if (generation != generation_ || registered_ || !leader_) return;
  auto msg = std::make_shared<mesos::RegisterSlave>();
  msg->agent = site_->node_name;
  msg->reply_to = {site_->node, ports::kMesosAgent};
  ctx_.network().send_message(process_, {leader_->node, ports::kMesosMaster}, std::move(msg));
  ctx_.event(site_->node_name, "mesos-agent", "register", leader_->info.hostname);
  backoff_ = std::min(backoff_ * 2, ctx_.params().duration("mesos-agent.max_registration_backoff"));
  const sim::SimTime delay = sim::from_seconds(rng_->uniform(0.0, backoff_.to_seconds()));
  ctx_.network().after(process_, delay, [this, generation] { try_register(generation); });
}

void MesosAgent::on_message(const sim::Message& m) {
  if (const auto* r = sim::message_as<mesos::SlaveRegistered>(m)) {
    if (registered_) return;
    registered_ = true;
    ctx_.milestone(site_->node_name, "agent.available",
                   fmt::format("registered with {}", r->master),
                   ctx_.latest_milestone("agent.connected_back", site_->node_name));
    return;
  }
  if (const auto* t = sim::message_as<mesos::RunTask>(m)) {
    // Each task runs as its own process on the agent, so faults can target it.
    auto it = task_processes_.find(t->task);
    if (it == task_processes_.end()) {
      it = task_processes_.emplace(t->task, ctx_.network().add_process(site_->node, t->task)).first;
    }
    const sim::ProcessId task = it->second;
    if (!ctx_.network().process_up(task)) ctx_.network().start_process(task);
    ctx_.event(site_->node_name, "mesos-agent", "run_task", t->task);
    auto update = std::make_shared<mesos::StatusUpdate>();
    update->framework = t->framework;
    update->task = t->task;
    update->agent = site_->node_name;
    update->state = "TASK_RUNNING";
    ctx_.network().send_message(process_, t->master, std::move(update));
    // The executor runs the task's command: its program, if it has one.
    if (TaskProgram* program = programs_.find(t->task)) program->on_exec(task);
  }
}

}  // namespace bootsim::models
