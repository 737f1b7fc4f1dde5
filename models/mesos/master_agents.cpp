// MesosMaster's agent handling (master.hpp): registration, re-registration, the SlaveObserver's
// pings, and marking agents unreachable. Mirrors src/master/master.cpp of Mesos 1.2:
// Master::registerSlave, _registerSlave, reregisterSlave, _reregisterSlave, SlaveObserver,
// markUnreachable, _markUnreachable, recoveredSlavesTimeout.
#include <fmt/format.h>

#include <utility>

#include "models/core/run_context.hpp"
#include "models/mesos/master.hpp"

namespace bootsim::models {

namespace {
// libprocess connects back to an agent with the OS's connect timeout; 5 s bounds it here.
constexpr sim::SimTime kConnectBackTimeout = sim::seconds(5);
}  // namespace

bool MesosMaster::on_agent_message(const sim::Message& m) {
  if (const auto* r = sim::message_as<mesos::RegisterSlave>(m)) {
    register_slave(*r);
  } else if (const auto* rr = sim::message_as<mesos::ReregisterSlave>(m)) {
    reregister_slave(*rr);
  } else if (const auto* p = sim::message_as<mesos::PongSlave>(m)) {
    pong(*p);
  } else {
    return false;
  }
  return true;
}

// Master::registerSlave: an admission in flight for this agent is not started twice; an agent
// already registered gets its acknowledgement again ("already registered, resending
// acknowledgement"); a new one gets an id and is admitted through the registrar.
void MesosMaster::register_slave(const mesos::RegisterSlave& r) {
  const std::string& host = r.info.hostname;
  if (registering_.count(host) != 0) return;
  if (const auto it = agent_by_host_.find(host); it != agent_by_host_.end()) {
    send_registered(it->second, false);
    return;
  }
  registering_.insert(host);
  mesos::SlaveInfo info = r.info;
  info.id = fmt::format("{}-S{}", election_->info().id, next_agent_++);
  const sim::NodeId node = r.reply_to.node;
  registrar_apply([info](mesos::Registry& reg) { reg.agents[info.id] = {info}; },
                  [this, info, node] {
                    registering_.erase(info.hostname);
                    admitted(info, node, {}, false);
                  });
}

// Master::reregisterSlave: a registered agent is answered again; one whose re-admission is in
// flight is ignored; otherwise MarkSlaveReachable goes through the registrar (also for an agent
// that the registry lists: after a failover every agent is re-admitted so).
void MesosMaster::reregister_slave(const mesos::ReregisterSlave& r) {
  const std::string& id = r.info.id;
  if (agents_.count(id) != 0) {
    agents_.at(id).node = r.reply_to.node;
    send_registered(id, true);
    return;
  }
  if (reregistering_.count(id) != 0) return;
  recovered_.erase(id);
  reregistering_.insert(id);
  const mesos::SlaveInfo info = r.info;
  const sim::NodeId node = r.reply_to.node;
  registrar_apply(
      [info](mesos::Registry& reg) {
        reg.unreachable.erase(info.id);
        reg.agents[info.id] = {info};
      },
      [this, info, node, tasks = r.tasks] {
        reregistering_.erase(info.id);
        admitted(info, node, tasks, true);
      });
}

// _registerSlave / _reregisterSlave: the agent is registered, the allocator gets it (with what
// its tasks use), the SlaveObserver starts pinging, and the master tells the agent.
void MesosMaster::admitted(const mesos::SlaveInfo& info, sim::NodeId node,
                           std::vector<mesos::Task> tasks, bool reregistered) {
  if (const auto old = agent_by_host_.find(info.hostname); old != agent_by_host_.end()) {
    // The host came back with a new id (it rebooted): the old one is gone.
    mark_unreachable(old->second, "replaced by a new registration of its host");
  }
  Agent& a = add_agent_entry(info.id);
  a.info = info;
  a.node = node;
  agent_by_host_[info.hostname] = info.id;
  for (mesos::Task& t : tasks) a.tasks[t.name] = std::move(t);
  // A master recovering has no allocator yet (only one broken on purpose admits then):
  // recovered() adds the agent.
  if (allocator_) add_to_allocator(a);
  // The admission, recorded by this master, is the registration's cause (what the
  // agent-registers-with-leader check reads).
  const sim::RecordId admit = ctx_.event(
      site_->node_name, "mesos-master", "admit_agent", fmt::format("{} {}", info.hostname, info.id),
      RunContext::later(ctx_.latest_milestone("agent.detected_leader", info.hostname),
                        leading_record_));
  a.registered_record =
      ctx_.milestone(info.hostname, "agent.registered",
                     fmt::format("{} {} by {}", reregistered ? "re-admitted" : "admitted", info.id,
                                 site_->node_name),
                     admit);
  send_registered(info.id, reregistered);
  ping(info.id);
  request_allocation(info.id);
}

// The allocator gets the agent's resources and what its tasks use of them.
void MesosMaster::add_to_allocator(const Agent& a) {
  allocator_->add_agent(a.info.id, a.info.role, a.info.resources);
  for (const auto& [name, t] : a.tasks)
    allocator_->allocate_to(t.framework_id, a.info.id, t.resources);
}

// The acknowledgement goes over a connection the master opens to the agent's advertised
// address (libprocess), so a master that cannot reach the agent cannot register it.
void MesosMaster::send_registered(const std::string& agent_id, bool reregistered) {
  const Agent& a = agents_.at(agent_id);
  const std::string host = a.info.hostname;
  sim::StreamHandlers h;
  h.on_open = [this, agent_id, host, reregistered](sim::ConnectionId c) {
    ctx_.milestone(host, "agent.connected_back", fmt::format("from {}", site_->node_name),
                   ctx_.latest_milestone("agent.registered", host));
    const sim::SimTime total = ctx_.params().duration("mesos-master.agent_ping_timeout") *
                               ctx_.params().integer("mesos-master.max_agent_ping_timeouts");
    if (reregistered) {
      auto reg = std::make_shared<mesos::SlaveReregistered>();
      reg->agent_id = agent_id;
      reg->master = site_->node_name;
      reg->total_ping_timeout = total;
      ctx_.network().send(c, process_, std::move(reg));
    } else {
      auto reg = std::make_shared<mesos::SlaveRegistered>();
      reg->agent_id = agent_id;
      reg->master = site_->node_name;
      reg->total_ping_timeout = total;
      ctx_.network().send(c, process_, std::move(reg));
    }
    ctx_.network().close(c, process_);
    if (const auto it = agents_.find(agent_id); it != agents_.end()) {
      Agent& linked = it->second;
      linked.linked = true;
      for (sim::Message& m : std::exchange(linked.queued, {})) send_to_agent(linked, std::move(m));
    }
  };
  h.on_connect_failed = [this, host, agent_id](sim::ConnectionId, sim::ConnectError) {
    ctx_.event(site_->node_name, "mesos-master", "connect_back_failed", host);
    // libprocess drops what waited on a link that never opened.
    if (const auto it = agents_.find(agent_id); it != agents_.end()) it->second.queued.clear();
  };
  ctx_.network().connect(process_, {a.node, ports::kMesosAgent}, kConnectBackTimeout, std::move(h));
}

// SlaveObserver::ping and ::timeout: a ping every agent_ping_timeout; one still unanswered
// when the next is due counts a timeout; max_agent_ping_timeouts of them in a row and the
// agent is marked unreachable.
void MesosMaster::ping(const std::string& agent_id) {
  const auto it = agents_.find(agent_id);
  if (it == agents_.end()) return;
  Agent& a = it->second;
  if (a.pinged && ++a.timeouts >= ctx_.params().integer("mesos-master.max_agent_ping_timeouts")) {
    mark_unreachable(agent_id, fmt::format("{} pings unanswered", a.timeouts));
  }
  auto msg = std::make_shared<mesos::PingSlave>();
  msg->reply_to = {site_->node, ports::kMesosMaster};
  send_to_agent(a, std::move(msg));
  a.pinged = true;
  a.ping_timer =
      ctx_.network().after(process_, ctx_.params().duration("mesos-master.agent_ping_timeout"),
                           [this, id = agent_id] { ping(id); });
}

void MesosMaster::send_to_agent(Agent& a, sim::Message m) {
  if (!a.linked) {
    a.queued.push_back(std::move(m));
    return;
  }
  ctx_.network().send_message(process_, {a.node, ports::kMesosAgent}, std::move(m));
}

// SlaveObserver::pong: the agent answered; a pending removal is cancelled.
void MesosMaster::pong(const mesos::PongSlave& p) {
  const auto it = agents_.find(p.agent_id);
  if (it == agents_.end()) return;
  it->second.pinged = false;
  it->second.timeouts = 0;
  it->second.marking_unreachable = false;
}

// SlaveObserver::markUnreachable: a permit from the removal rate limiter first
// (--agent_removal_rate_limit, DC/OS 100/1mins: one permit every 0.6 s).
void MesosMaster::mark_unreachable(const std::string& agent_id, std::string_view why) {
  const auto it = agents_.find(agent_id);
  if (it == agents_.end() || it->second.marking_unreachable) return;
  it->second.marking_unreachable = true;
  ctx_.event(it->second.info.hostname, "mesos-master", "marking_unreachable", std::string(why));
  ctx_.network().after(process_, removal_permit(), [this, id = agent_id] {
    const auto a = agents_.find(id);
    if (a == agents_.end() || !a->second.marking_unreachable) return;  // a pong came
    registrar_apply([id](mesos::Registry& reg) { reg.unreachable.insert(id); },
                    [this, id] { unreachable(id); });
  });
}

// Master::_markUnreachable and removeSlave: tasks are reported (TASK_LOST: the frameworks here
// are not PARTITION_AWARE), offers rescinded, the agent leaves the allocator.
void MesosMaster::unreachable(const std::string& agent_id) {
  const auto it = agents_.find(agent_id);
  if (it == agents_.end()) return;
  for (const int offer : std::set<int>(it->second.offers)) rescind(offer, true);
  if (testing_.keep_unreachable_agents) {
    ctx_.event(it->second.info.hostname, "mesos-master", "unreachable",
               fmt::format("{} marked unreachable, kept (broken on purpose)", agent_id));
    return;
  }
  Agent a = std::move(it->second);
  erase_agent_entry(agent_id);
  if (const auto h = agent_by_host_.find(a.info.hostname);
      h != agent_by_host_.end() && h->second == agent_id) {
    agent_by_host_.erase(h);
  }
  ctx_.network().cancel(a.ping_timer);
  for (const auto& [name, task] : a.tasks) {
    auto update = std::make_shared<mesos::StatusUpdate>();
    update->framework_id = task.framework_id;
    update->task = name;
    update->agent_id = agent_id;
    update->agent = a.info.hostname;
    update->state = mesos::TaskState::kLost;
    send_to_framework(task.framework_id, std::move(update));
  }
  if (allocator_) allocator_->remove_agent(agent_id);  // none before recovery (broken master)
  ctx_.event(a.info.hostname, "mesos-master", "unreachable",
             fmt::format("{} removed, {} tasks lost", agent_id, a.tasks.size()));
}

// The removal rate limiter (--agent_removal_rate_limit, DC/OS 100/1mins): permits one after
// another, 1 min / limit apart (libprocess RateLimiter). Returns how long until this one.
sim::SimTime MesosMaster::removal_permit() {
  const sim::SimTime spacing =
      sim::minutes(1) / ctx_.params().integer("mesos-master.agent_removal_rate_limit");
  const sim::SimTime permit = std::max(ctx_.now(), next_removal_permit_);
  next_removal_permit_ = permit + spacing;
  return permit - ctx_.now();
}

// Master::recoveredSlavesTimeout: agents of the recovered registry that did not re-register
// within agent_reregister_timeout are marked unreachable, each after a permit of the removal
// rate limiter (markUnreachableAfterFailover).
void MesosMaster::recovered_agents_timeout() {
  for (const std::string& id : std::set<std::string>(recovered_)) {
    ctx_.event(registry_.agents.count(id) ? registry_.agents.at(id).info.hostname : id,
               "mesos-master", "reregister_timeout", id);
    ctx_.network().after(process_, removal_permit(), [this, agent = id] {
      if (reregistering_.count(agent) != 0 || agents_.count(agent) != 0) return;  // came back
      registrar_apply([agent](mesos::Registry& reg) { reg.unreachable.insert(agent); }, [] {});
    });
  }
  recovered_.clear();
}

}  // namespace bootsim::models
