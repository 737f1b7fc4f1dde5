// MesosMaster's framework handling (master.hpp): registration, links and failover, the offer
// cycle with the hierarchical allocator, task launches and status updates. Mirrors
// src/master/master.cpp of Mesos 1.2: Master::registerFramework, reregisterFramework, exited,
// failoverFramework, removeFramework, offer, accept, decline, suppress, revive,
// statusUpdate, statusUpdateAcknowledgement, reconcileTasks, and Master::initialize's
// allocator set-up.
#include <fmt/format.h>
#include <cassert>
#include <cmath>

#include "models/core/run_context.hpp"
#include "models/mesos/master.hpp"

#include <cassert>

namespace bootsim::models {

namespace {
// libprocess links with the OS's connect timeout; 5 s bounds it here.
constexpr sim::SimTime kLinkTimeout = sim::seconds(5);
}  // namespace

// Resources as the integers the trace's arguments carry: cpus in thousandths (Mesos keeps
// scalars to three decimals, Value::Scalar), the others whole.
ResourceUnits::ResourceUnits(const mesos::Resources& r)
    : cpus_m(std::llround(r.cpus * 1000)),
      mem(std::llround(r.mem)),
      disk(std::llround(r.disk)),
      ports(std::llround(r.ports)) {}

bool MesosMaster::on_framework_message(const sim::Message& m) {
  if (const auto* r = sim::message_as<mesos::RegisterFramework>(m)) {
    register_framework(r->framework, r->reply_to, false);
  } else if (const auto* rr = sim::message_as<mesos::ReregisterFramework>(m)) {
    register_framework(rr->framework, rr->reply_to, true);
  } else if (const auto* a = sim::message_as<mesos::Accept>(m)) {
    accept(*a);
  } else if (const auto* d = sim::message_as<mesos::Decline>(m)) {
    decline(*d);
  } else if (const auto* s = sim::message_as<mesos::Suppress>(m)) {
    allocator_->suppress(s->framework_id);
  } else if (const auto* v = sim::message_as<mesos::Revive>(m)) {
    allocator_->revive(v->framework_id);
    request_allocation(std::nullopt);
  } else if (const auto* u = sim::message_as<mesos::StatusUpdate>(m)) {
    status_update(*u);
  } else if (const auto* k = sim::message_as<mesos::StatusUpdateAck>(m)) {
    acknowledge(*k);
  } else if (const auto* c = sim::message_as<mesos::ReconcileTasks>(m)) {
    reconcile(*c);
  } else {
    return false;
  }
  return true;
}

// Master::registerFramework / reregisterFramework. A framework registered from the same
// address is acknowledged again; one that comes back with its id (a new scheduler process, or
// any scheduler after a master failover) keeps it; a new one gets "<master id>-NNNN". The
// master links to the scheduler to learn when it goes away.
void MesosMaster::register_framework(const mesos::FrameworkInfo& info, const sim::Address& reply_to,
                                     bool reregister) {
  std::string id = info.id;
  if (!reregister) {
    for (const auto& [fid, f] : frameworks_) {
      if (f.address == reply_to && f.info.name == info.name) id = fid;
    }
  }
  const bool known = !id.empty() && frameworks_.count(id) != 0;
  if (id.empty()) id = fmt::format("{}-{:04}", election_->info().id, next_framework_++);
  Framework& f = add_framework_entry(id);
  if (known) {
    ctx_.network().cancel(f.failover_timer);
    allocator_->set_framework_active(id, true);
  } else {
    mesos::Resources used;  // what its tasks on re-registered agents use
    for (const auto& [aid, a] : agents_) {
      for (const auto& [name, t] : a.tasks) {
        if (t.framework_id == id) used += t.resources;
      }
    }
    allocator_->add_framework(id, info.role, used);
  }
  f.info = info;
  f.info.id = id;
  const bool moved = f.address != reply_to;
  f.address = reply_to;
  f.connected = true;
  // The confirmation the framework-id-confirmed check reads.
  ctx_.typed_event(sim::RecordType::kPlain, info.name, "mesos-master", "framework_registered",
                   fmt::format("{} by {}", id, site_->node_name),
                   {sim::arg_text("framework_id", id)});
  auto reg = std::make_shared<mesos::FrameworkRegistered>();
  reg->framework_id = id;
  reg->master = site_->node_name;
  reg->reregistered = reregister;
  ctx_.network().send_message(process_, reply_to, std::move(reg));
  if (!known || moved || !f.link) link_framework(id);
  if (!known) request_allocation(std::nullopt);
}

void MesosMaster::link_framework(const std::string& id) {
  Framework& f = frameworks_.at(id);
  if (f.link) ctx_.network().close(*f.link, process_);
  sim::StreamHandlers h;
  h.on_closed = [this, id](sim::ConnectionId c) { framework_disconnected(id, c); };
  h.on_connect_failed = [this, id](sim::ConnectionId c, sim::ConnectError) {
    framework_disconnected(id, c);
  };
  f.link = ctx_.network().connect(process_, f.address, kLinkTimeout, std::move(h));
}

// Master::exited for a framework: it is deactivated, its offers rescinded, and it is removed
// once its failover_timeout passes without a re-registration (failoverFramework).
void MesosMaster::framework_disconnected(const std::string& id, sim::ConnectionId link) {
  const auto it = frameworks_.find(id);
  if (it == frameworks_.end() || it->second.link != link) return;
  Framework& f = it->second;
  f.link.reset();
  f.connected = false;
  allocator_->set_framework_active(id, false);
  for (const int offer : std::set<int>(f.offers)) rescind(offer, false);
  ctx_.event(f.info.name, "mesos-master", "framework_disconnected",
             fmt::format("{}: failover_timeout {:g}s", id, f.info.failover_timeout.to_seconds()));
  f.failover_timer = ctx_.network().after(process_, f.info.failover_timeout,
                                          [this, fid = id] { remove_framework(fid); });
}

void MesosMaster::remove_framework(const std::string& id) {
  const auto it = frameworks_.find(id);
  if (it == frameworks_.end() || it->second.connected) return;
  ctx_.event(it->second.info.name, "mesos-master", "framework_removed", id);
  for (auto& [aid, a] : agents_) {
    std::erase_if(a.tasks, [&](const auto& t) { return t.second.framework_id == id; });
  }
  allocator_->remove_framework(id);
  erase_framework_entry(id);
}

void MesosMaster::send_to_framework(const std::string& framework_id, sim::Message m) {
  const Framework* const f = find_framework(framework_id);
  if (f == nullptr || !f->connected) return;
  ctx_.network().send_message(process_, f->address, std::move(m));
}

MesosMaster::Agent* MesosMaster::find_agent(std::string_view id) {
  const auto it = agent_index_.find(id);
  return it == agent_index_.end() ? nullptr : it->second;
}

MesosMaster::Framework* MesosMaster::find_framework(std::string_view id) {
  const auto it = framework_index_.find(id);
  return it == framework_index_.end() ? nullptr : it->second;
}

MesosMaster::Agent& MesosMaster::add_agent_entry(const std::string& id) {
  auto& [key, agent] = *agents_.try_emplace(id).first;
  agent_index_.emplace(key, &agent);
  return agent;
}

MesosMaster::Framework& MesosMaster::add_framework_entry(const std::string& id) {
  auto& [key, framework] = *frameworks_.try_emplace(id).first;
  framework_index_.emplace(key, &framework);
  return framework;
}

void MesosMaster::erase_agent_entry(const std::string& id) {
  agent_index_.erase(id);
  agents_.erase(id);
}

void MesosMaster::erase_framework_entry(const std::string& id) {
  framework_index_.erase(id);
  frameworks_.erase(id);
}

// Master::accept: tasks are launched if their resources fit in the offer (else they fail
// validation: TASK_LOST here, TASK_ERROR in Mesos); what they leave goes back to the allocator
// with the call's filter.
void MesosMaster::accept(const mesos::Accept& a) {
  const auto it = offers_.find(a.offer_id);
  if (it == offers_.end() || it->second.framework_id != a.framework_id) return;  // rescinded
  const OutstandingOffer offer = it->second;
  ctx_.network().cancel(offer.timeout);
  offers_.erase(it);
  // An outstanding offer's framework and agent are known: both rescind their offers as they go.
  Framework* const framework = find_framework(offer.framework_id);
  Agent* const agent_entry = find_agent(offer.agent_id);
  assert(framework != nullptr && agent_entry != nullptr);
  framework->offers.erase(a.offer_id);
  Agent& agent = *agent_entry;
  agent.offers.erase(a.offer_id);
  mesos::Resources left = offer.resources;
  for (const mesos::Task& t : a.tasks) {
    if (!t.resources.fits_in(left) && !testing_.skip_offer_validation) {
      ctx_.event(
          agent.info.hostname, "mesos-master", "task_invalid",
          fmt::format("{}: {} exceeds the offer's {}", t.name, t.resources.text(), left.text()));
      continue;
    }
    left -= t.resources;
    mesos::Task task = t;
    task.framework_id = a.framework_id;
    task.state = mesos::TaskState::kStaging;
    agent.tasks[task.name] = task;
    // What the task-within-offer check reads: the offer (its record) and what the task takes.
    const ResourceUnits u(task.resources);
    ctx_.typed_event(
        sim::RecordType::kPlain, agent.info.hostname, "mesos-master", "task_launched",
        fmt::format("{}: {}", task.name, task.resources.text()),
        {sim::arg_record("offer", offer.offered), sim::arg_int("cpus_m", u.cpus_m),
         sim::arg_int("mem", u.mem), sim::arg_int("disk", u.disk), sim::arg_int("ports", u.ports)},
        offer.offered);
    auto run = std::make_shared<mesos::RunTask>();
    run->framework_id = a.framework_id;
    run->framework = framework->info.name;
    run->task = std::move(task);
    run->master = {site_->node, ports::kMesosMaster};
    send_to_agent(agent, std::move(run));
  }
  ctx_.release(offer.offered);  // its launches, which read it back, are recorded
  allocator_->recover(offer.framework_id, offer.agent_id, left, ctx_.now(), a.refuse);
}

// Master::decline: the offer's resources go back, filtered for `refuse`.
void MesosMaster::decline(const mesos::Decline& d) {
  const auto it = offers_.find(d.offer_id);
  if (it == offers_.end() || it->second.framework_id != d.framework_id) return;
  const OutstandingOffer offer = it->second;
  ctx_.network().cancel(offer.timeout);
  offers_.erase(it);
  Framework* const framework = find_framework(offer.framework_id);
  Agent* const agent = find_agent(offer.agent_id);
  assert(framework != nullptr && agent != nullptr);  // as in accept
  framework->offers.erase(d.offer_id);
  agent->offers.erase(d.offer_id);
  ctx_.release(offer.offered);  // nothing launches from it now: nothing reads it back
  allocator_->recover(offer.framework_id, offer.agent_id, offer.resources, ctx_.now(), d.refuse);
}

// Master::removeOffer(offer, rescind): the resources go back without a filter.
void MesosMaster::rescind(int offer_id, bool tell_framework) {
  const auto it = offers_.find(offer_id);
  if (it == offers_.end()) return;
  const OutstandingOffer offer = it->second;
  ctx_.network().cancel(offer.timeout);
  offers_.erase(it);
  ctx_.release(offer.offered);  // as in decline
  if (Framework* const f = find_framework(offer.framework_id)) f->offers.erase(offer_id);
  if (Agent* const a = find_agent(offer.agent_id)) {
    a->offers.erase(offer_id);
    ctx_.event(a->info.hostname, "mesos-master", "offer_rescinded",
               fmt::format("offer {} to {}", offer_id, offer.framework_id));
  }
  if (tell_framework) {
    auto msg = std::make_shared<mesos::RescindResourceOffer>();
    msg->offer_id = offer_id;
    send_to_framework(offer.framework_id, std::move(msg));
  }
  allocator_->recover(offer.framework_id, offer.agent_id, offer.resources, ctx_.now());
}

// Master::statusUpdate: the master's books follow the agent's updates, which go on to the
// framework (forwarded with the agent's uuid, for the acknowledgement).
void MesosMaster::status_update(const mesos::StatusUpdate& s) {
  if (const auto a = agents_.find(s.agent_id); a != agents_.end()) {
    if (const auto t = a->second.tasks.find(s.task); t != a->second.tasks.end()) {
      t->second.state = s.state;
    }
  }
  send_to_framework(s.framework_id, std::make_shared<mesos::StatusUpdate>(s));
}

// Master::statusUpdateAcknowledgement: forwarded to the agent that sent the update.
void MesosMaster::acknowledge(const mesos::StatusUpdateAck& k) {
  const auto a = agents_.find(k.agent_id);
  if (a == agents_.end()) return;
  send_to_agent(a->second, std::make_shared<mesos::StatusUpdateAck>(k));
}

// Master::reconcileTasks (implicit): the latest state of each of the framework's tasks, as
// master-generated updates (no acknowledgement expected).
void MesosMaster::reconcile(const mesos::ReconcileTasks& r) {
  for (const auto& [aid, a] : agents_) {
    for (const auto& [name, t] : a.tasks) {
      if (t.framework_id != r.framework_id) continue;
      auto update = std::make_shared<mesos::StatusUpdate>();
      update->framework_id = t.framework_id;
      update->task = name;
      update->agent_id = aid;
      update->agent = a.info.hostname;
      update->state = t.state;
      send_to_framework(r.framework_id, std::move(update));
    }
  }
}

// HierarchicalAllocatorProcess::allocate(slaveIds): event-driven allocations join the pending
// run's candidates; one run is dispatched at a time.
void MesosMaster::request_allocation(const std::optional<std::string>& agent_id) {
  if (!agent_id) {
    allocation_candidates_.reset();
  } else if (allocation_candidates_ || !allocation_pending_) {
    if (!allocation_pending_) allocation_candidates_.emplace();
    allocation_candidates_->insert(*agent_id);
  }
  if (allocation_pending_) return;
  allocation_pending_ = true;
  ctx_.network().after(process_, sim::SimTime::zero(), [this] { allocate_now(); });
}

void MesosMaster::allocate_now() {
  allocation_pending_ = false;
  if (phase_ != Phase::kLeading) return;
  const std::optional<std::set<std::string>> candidates = std::move(allocation_candidates_);
  allocation_candidates_.reset();
  offer(allocator_->allocate(ctx_.now(), &*allocator_rng_, candidates ? &*candidates : nullptr));
}

// HierarchicalAllocatorProcess::batch: every allocation_interval over every agent.
void MesosMaster::arm_allocation_timer() {
  if (allocation_timer_armed_) return;
  allocation_timer_armed_ = true;
  ctx_.network().after(process_, ctx_.params().duration("mesos-master.allocation_interval"),
                       [this] {
                         allocation_timer_armed_ = false;
                         if (phase_ != Phase::kLeading) return;
                         request_allocation(std::nullopt);
                         arm_allocation_timer();
                       });
}

// Master::offer: one ResourceOffersMessage per framework with an offer per agent; each is
// rescinded after offer_timeout unless answered.
void MesosMaster::offer(const std::vector<mesos::Allocation>& allocations) {
  std::shared_ptr<mesos::ResourceOffers> msg;
  for (std::size_t i = 0; i < allocations.size(); ++i) {
    const mesos::Allocation& a = allocations[i];
    if (!msg) msg = std::make_shared<mesos::ResourceOffers>();
    const int id = ++next_offer_;
    const sim::TimerId timeout =
        ctx_.network().after(process_, ctx_.params().duration("mesos-master.offer_timeout"),
                             [this, id] { rescind(id, true); });
    // The allocator knows only the master's agents and frameworks.
    Framework* const framework = find_framework(a.framework);
    Agent* const agent_entry = find_agent(a.agent);
    assert(framework != nullptr && agent_entry != nullptr);
    framework->offers.insert(id);
    Agent& agent = *agent_entry;
    agent.offers.insert(id);
    const ResourceUnits u(a.resources);
    const sim::RecordId offered =
        ctx_.typed_event(sim::RecordType::kPlain, agent.info.hostname, "mesos-master", "offered",
                         fmt::format("offer {} to {}: {}", id, a.framework, a.resources.text()),
                         {sim::arg_int("cpus_m", u.cpus_m), sim::arg_int("mem", u.mem),
                          sim::arg_int("disk", u.disk), sim::arg_int("ports", u.ports)},
                         agent.registered_record);
    // Its launches name it and the offer-cycle checks read it back: kept while outstanding
    // (accept, decline and rescind release it; with 100 services at 10,000 agents the offers
    // that were kept to the end were 920,000 of 1.4 million kept records).
    ctx_.keep(offered);
    offers_[id] = OutstandingOffer{a.framework, a.agent, a.resources, timeout, offered};
    msg->offers.push_back(
        mesos::Offer{id, a.agent, agent.info.hostname, a.resources, agent.info.role});
    if (i + 1 == allocations.size() || allocations[i + 1].framework != a.framework) {
      send_to_framework(a.framework, std::move(msg));
      msg.reset();
    }
  }
}

}  // namespace bootsim::models
