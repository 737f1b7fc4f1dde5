#include "models/mesos/agent.hpp"

#include <fmt/format.h>
#include <algorithm>
#include <utility>

#include "models/core/host_store.hpp"
#include "models/core/run_context.hpp"

namespace bootsim::models {

namespace {
// src/slave/constants.hpp STATUS_UPDATE_RETRY_INTERVAL_MIN / _MAX.
constexpr sim::SimTime kUpdateRetryMin = sim::seconds(10);
constexpr sim::SimTime kUpdateRetryMax = sim::minutes(10);
// The port ranges DC/OS gives agents (gen/dcos-config.yaml), as counts: private
// 1025-2180,2182-3887,3889-5049,5052-8079,8082-8180,8182-32000; public 1-21,23-5050,5052-32000.
constexpr double kPrivatePorts = 30'969;
constexpr double kPublicPorts = 31'998;

std::string_view phase_name(MesosAgent::Phase p) {
  switch (p) {
    case MesosAgent::Phase::kDown:
      return "down";
    case MesosAgent::Phase::kRecovering:
      return "recovering";
    case MesosAgent::Phase::kConnecting:
      return "connecting";
    case MesosAgent::Phase::kBackoff:
      return "backoff";
    case MesosAgent::Phase::kRegistering:
      return "registering";
    case MesosAgent::Phase::kRegistered:
      return "registered";
  }
  return "?";
}
}  // namespace

void MesosAgent::set_phase(Phase next, std::string detail, sim::ArgList args) {
  if (next == phase_ && next != Phase::kRegistering) return;
  const Phase from = std::exchange(phase_, next);
  ctx_.state_change(site_->node_name, "mesos-agent", phase_name(from), phase_name(next),
                    std::move(detail), args);
}

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

std::uint64_t MesosAgent::boot_id() const {
  // systemd runs once per host boot: its incarnation is the boot's id.
  return ctx_.network().incarnation(site_->probe);
}

mesos::SlaveInfo MesosAgent::info() const {
  mesos::SlaveInfo i;
  i.hostname = site_->node_name;
  const bool is_public = site_->unit.find("public") != std::string::npos;
  i.role = std::string(is_public ? mesos::kPublicRole : mesos::kAnyRole);
  const Parameters& p = ctx_.params();
  i.resources = {static_cast<double>(p.integer("mesos-agent.cpus")),
                 static_cast<double>(p.integer("mesos-agent.mem")),
                 static_cast<double>(p.integer("mesos-agent.disk")),
                 is_public ? kPublicPorts : kPrivatePorts};
  i.id = id_;
  return i;
}

// Slave::recover: the checkpointed id unless the host rebooted; the tasks whose executors
// still run. Returns how many tasks were recovered.
std::size_t MesosAgent::recover() {
  HostStore& host = ctx_.host(site_->node);
  const HostEntry* latest = host.find(host_path::kAgentLatest);
  const HostEntry* boot = host.find(host_path::kAgentBootId);
  const bool rebooted = boot == nullptr || boot->content != std::to_string(boot_id());
  id_ = latest != nullptr && !rebooted ? latest->content : "";
  std::erase_if(tasks_,
                [&](const auto& t) { return !ctx_.network().process_up(t.second.process); });
  if (rebooted) {
    tasks_.clear();
    updates_.clear();
  }
  return tasks_.size();
}

void MesosAgent::on_ready() {
  running_ = true;
  const std::size_t recovered = recover();
  control_->mark_started(id_.empty() ? std::string("recovered: no checkpointed agent")
                                     : fmt::format("recovered {} with {} tasks", id_, recovered));
  if (recovered == 0) {
    start_detector();
    return;
  }
  set_phase(Phase::kRecovering, fmt::format("waiting for the executors of {} task{} to re-register",
                                            recovered, recovered == 1 ? "" : "s"));
  // Executors are given executor_reregistration_timeout to re-register before the agent
  // detects the master (MESOS-7539).
  ctx_.network().after(process_,
                       ctx_.params().duration("mesos-agent.executor_reregistration_timeout"),
                       [this] { start_detector(); });
}

void MesosAgent::start_detector() {
  set_phase(Phase::kConnecting, "detecting the leading master in ZooKeeper");
  // The agent's --zk_session_timeout defaults to 10 s, like the master's.
  detector_ = std::make_unique<MasterDetector>(
      ctx_, process_, zookeeper_servers(ctx_.topology()),
      ctx_.params().duration("mesos-master.zk_session_timeout"),
      [this](const std::optional<DetectedMaster>& leader) { on_leader_change(leader); });
  detector_->start();
}

void MesosAgent::on_exit() {
  running_ = false;
  set_phase(Phase::kDown, "process exited");
  detector_.reset();
  registered_ = false;
  leader_.reset();
  ++generation_;
  ++ping_generation_;
}

void MesosAgent::on_leader_change(const std::optional<DetectedMaster>& leader) {
  if (!running_) return;
  if (!leader || (leader_ && leader_->info == leader->info)) return;
  leader_ = leader;
  registered_ = false;
  ctx_.milestone(site_->node_name, "agent.detected_leader", leader->info.hostname,
                 RunContext::later(ctx_.latest_milestone("agent.started", site_->node_name),
                                   ctx_.latest_milestone("mesos-master.elected")));
  start_registration();
}

// Slave::detected: the first attempt after U(0, b), so that many agents do not register at once.
void MesosAgent::start_registration() {
  const std::uint64_t generation = ++generation_;
  backoff_ = ctx_.params().duration("mesos-agent.registration_backoff_factor");
  const sim::SimTime delay = sim::from_seconds(rng_->uniform(0.0, backoff_.to_seconds()));
  attempts_ = 0;
  set_phase(Phase::kBackoff, fmt::format("first attempt in {}s", sim::format_seconds(delay)),
            {sim::arg_duration("delay", delay)});
  ctx_.network().after(process_, delay, [this, generation] { try_register(generation); });
}

void MesosAgent::try_register(std::uint64_t generation) {
  if (generation != generation_ || registered_ || !leader_) return;
  const sim::Address master{leader_->node, ports::kMesosMaster};
  const sim::Address self{site_->node, ports::kMesosAgent};
  if (id_.empty()) {
    auto msg = std::make_shared<mesos::RegisterSlave>();
    msg->info = info();
    msg->reply_to = self;
    ctx_.network().send_message(process_, master, std::move(msg));
  } else {
    auto msg = std::make_shared<mesos::ReregisterSlave>();
    msg->info = info();
    msg->reply_to = self;
    for (const auto& [name, run] : tasks_) msg->tasks.push_back(run.task);
    ctx_.network().send_message(process_, master, std::move(msg));
  }
  ctx_.event(site_->node_name, "mesos-agent", id_.empty() ? "register" : "reregister",
             leader_->info.hostname);
  backoff_ = std::min(backoff_ * 2, ctx_.params().duration("mesos-agent.max_registration_backoff"));
  const sim::SimTime delay = sim::from_seconds(rng_->uniform(0.0, backoff_.to_seconds()));
  ++attempts_;
  set_phase(Phase::kRegistering,
            fmt::format("attempt {} to {}; next in {}s unless answered", attempts_,
                        leader_->info.hostname, sim::format_seconds(delay)),
            {sim::arg_int("attempt", attempts_), sim::arg_duration("retry_after", delay)});
  ctx_.network().after(process_, delay, [this, generation] { try_register(generation); });
}

void MesosAgent::on_message(const sim::Message& m) {
  if (const auto* r = sim::message_as<mesos::SlaveRegistered>(m)) {
    registered(r->agent_id, r->master, r->total_ping_timeout);
  } else if (const auto* rr = sim::message_as<mesos::SlaveReregistered>(m)) {
    registered(rr->agent_id, rr->master, rr->total_ping_timeout);
  } else if (const auto* p = sim::message_as<mesos::PingSlave>(m)) {
    on_ping(*p);
  } else if (const auto* t = sim::message_as<mesos::RunTask>(m)) {
    run_task(*t);
  } else if (const auto* a = sim::message_as<mesos::StatusUpdateAck>(m)) {
    on_ack(*a);
  }
}

// Slave::registered / reregistered: the id is checkpointed; held status updates go out.
void MesosAgent::registered(const std::string& agent_id, const std::string& master,
                            sim::SimTime total_ping_timeout) {
  if (registered_ || !running_) return;
  registered_ = true;
  id_ = agent_id;
  set_phase(Phase::kRegistered, fmt::format("{} registered with {}", agent_id, master));
  total_ping_timeout_ = total_ping_timeout;
  HostStore& host = ctx_.host(site_->node);
  const auto cause = ctx_.milestone(
      site_->node_name, "agent.available", fmt::format("{} registered with {}", agent_id, master),
      ctx_.latest_milestone("agent.connected_back", site_->node_name));
  host.write_file(host_path::kAgentLatest, agent_id, cause);
  host.write_file(host_path::kAgentBootId, std::to_string(boot_id()), cause);
  arm_ping_timer();
  flush_updates();
}

void MesosAgent::on_ping(const mesos::PingSlave& p) {
  if (!registered_) return;  // Slave::ping answers only once registered with that master
  auto pong = std::make_shared<mesos::PongSlave>();
  pong->agent_id = id_;
  ctx_.network().send_message(process_, p.reply_to, std::move(pong));
  arm_ping_timer();
}

// Slave::pingTimeout: no ping for the total ping timeout; re-detect and register again.
void MesosAgent::arm_ping_timer() {
  const std::uint64_t generation = ++ping_generation_;
  ctx_.network().after(process_, total_ping_timeout_, [this, generation] {
    if (generation != ping_generation_ || !registered_) return;
    ctx_.event(site_->node_name, "mesos-agent", "ping_timeout",
               "no ping from the master: re-registering");
    registered_ = false;
    start_registration();
  });
}

// Slave::runTask: the task runs in a process of its own, through the fetcher and the
// containerizer to its executor, then its command.
void MesosAgent::run_task(const mesos::RunTask& r) {
  if (!registered_ || tasks_.count(r.task.name) != 0) return;
  auto found = task_processes_.find(r.task.name);
  if (found == task_processes_.end()) {
    found =
        task_processes_.emplace(r.task.name, ctx_.network().add_process(site_->node, r.task.name))
            .first;
  }
  const sim::ProcessId process = found->second;
  if (!ctx_.network().process_up(process)) ctx_.network().start_process(process);
  tasks_[r.task.name] = TaskRun{r.task, process};
  ctx_.event(site_->node_name, "mesos-agent", "run_task",
             fmt::format("{} of {}: {}", r.task.name, r.framework, r.task.resources.text()));
  sim::RandomStream rng = ctx_.stream({r.task.name, "launch", ctx_.network().incarnation(process)});
  // One draw per statement: the operands of + are evaluated in an unspecified order.
  const sim::SimTime fetch = ctx_.params().distribution("mesos-agent.fetch").sample(rng);
  const sim::SimTime staging =
      fetch + ctx_.params().distribution("mesos-agent.container_start").sample(rng);
  const sim::SimTime starting = ctx_.params().distribution("mesos-agent.task_start").sample(rng);
  std::string task = r.task.name;
  ctx_.network().after(process, staging,
                       [this, task] { task_step(task, mesos::TaskState::kStarting); });
  ctx_.network().after(process, staging + starting, [this, task = std::move(task)] {
    task_step(task, mesos::TaskState::kRunning);
  });
}

void MesosAgent::task_step(const std::string& task, mesos::TaskState next) {
  const auto it = tasks_.find(task);
  if (it == tasks_.end()) return;
  it->second.task.state = next;
  send_update(task, next);
  // The executor runs the task's command: its program, if it has one.
  if (next == mesos::TaskState::kRunning) {
    if (TaskProgram* program = programs_.find(task)) program->on_exec(it->second.process);
  }
}

// StatusUpdateManager::update: queued per task; only the oldest unacknowledged one is sent.
void MesosAgent::send_update(const std::string& task, mesos::TaskState state) {
  mesos::StatusUpdate u;
  u.framework_id = tasks_.at(task).task.framework_id;
  u.task = task;
  u.agent_id = id_;
  u.agent = site_->node_name;
  u.state = state;
  u.uuid = ++next_uuid_;
  auto& stream = updates_[task];
  stream.push_back(PendingUpdate{std::move(u), kUpdateRetryMin});
  if (stream.size() == 1) send_head(task);
}

void MesosAgent::flush_updates() {
  for (const auto& [task, stream] : updates_) {
    if (!stream.empty()) send_head(task);
  }
}

// Sends the stream's oldest update to the leading master and retries it, doubling the interval
// up to 10 min, until acknowledged; held while the agent is not registered (the update manager
// is paused while the agent is disconnected).
void MesosAgent::send_head(const std::string& task) {
  const auto it = updates_.find(task);
  if (it == updates_.end() || it->second.empty() || !registered_ || !leader_) {
    return;
  }
  PendingUpdate& head = it->second.front();
  head.update.agent_id = id_;
  ctx_.network().send_message(process_, {leader_->node, ports::kMesosMaster},
                              std::make_shared<mesos::StatusUpdate>(head.update));
  const int uuid = head.update.uuid;
  const sim::SimTime retry = head.retry;
  head.retry = std::min(head.retry * 2, kUpdateRetryMax);
  ctx_.network().after(process_, retry, [this, uuid] {
    for (const auto& [name, stream] : updates_) {
      if (!stream.empty() && stream.front().update.uuid == uuid) {
        send_head(name);
        return;
      }
    }
  });
}

void MesosAgent::on_ack(const mesos::StatusUpdateAck& a) {
  const auto it = updates_.find(a.task);
  if (it == updates_.end() || it->second.empty() || it->second.front().update.uuid != a.uuid) {
    return;
  }
  it->second.pop_front();
  if (!it->second.empty()) send_head(a.task);
}

}  // namespace bootsim::models
