#include "models/mesos/offer_cycle_monitor.hpp"

#include <fmt/format.h>

#include <string_view>

namespace bootsim::models {

namespace {
constexpr std::string_view kMaster = "mesos-master";      // component of the master's events
constexpr std::string_view kScheduler = "scheduler";      // component of the drivers' events
constexpr std::string_view kCosmos = "cosmos";            // component and model of dcos-cosmos
constexpr std::string_view kAdminRouter = "adminrouter";  // model of dcos-adminrouter
}  // namespace

OfferCycleMonitor::OfferCycleMonitor(RunContext& ctx) : ctx_(ctx) {
  ctx_.on_event([this](sim::RecordId id) { on_record(id); });
  ctx_.on_milestone([this](sim::RecordId id) { on_record(id); });
  ctx_.on_process_exit([this](const ProcessExit& e) {
    const std::string node(e.node);
    if (e.model == kMaster) leaders_.erase(node);
    if (e.model == kAdminRouter) adminrouter_up_.erase(node);
    if (e.model == kCosmos) cosmos_up_.erase(node);
  });
}

void OfferCycleMonitor::on_record(sim::RecordId id) {
  const sim::TraceRecord& r = ctx_.trace().at(id);
  if (r.kind == sim::RecordKind::kMilestone) {
    on_milestone(id, r);
    return;
  }
  const std::string_view component = r.component();  // looked up once: this runs per record
  if (component == kMaster) {
    on_master_event(r);
  } else if (component == kScheduler && r.name() == "framework_id_write") {
    check_id_write(r);
  } else if (component == kCosmos && r.name() == "serving") {
    cosmos_up_.emplace(r.node());
    note_install_path(r.node());
  }
}

void OfferCycleMonitor::on_milestone(sim::RecordId id, const sim::TraceRecord& r) {
  if (r.name() == "agent.registered") {
    check_registration(id, r);
  } else if (r.name() == "adminrouter.started") {
    adminrouter_up_.emplace(r.node());
    note_install_path(r.node());
  } else if (r.name() == "scheduler.first_task_running") {
    check_first_task(r);
  }
}

void OfferCycleMonitor::on_master_event(const sim::TraceRecord& r) {
  if (r.name() == "leading") {
    leaders_.emplace(r.node());
  } else if (r.name() == "unreachable") {
    registered_.erase(std::string(r.node()));
  } else if (r.name() == "offered") {
    check_offer(r);
  } else if (r.name() == "task_launched") {
    check_launch(r);
  } else if (r.name() == "framework_registered") {
    if (const auto fid = ctx_.trace().text_arg(r, "framework_id")) {
      confirmed_.emplace(std::string(r.node()), std::string(*fid));
    }
  }
}

void OfferCycleMonitor::check_registration(sim::RecordId id, const sim::TraceRecord& r) {
  registered_[std::string(r.node())] = id;
  const sim::TraceRecord* admit = r.cause() ? &ctx_.trace().at(*r.cause()) : nullptr;
  if (admit == nullptr || admit->component() != kMaster || admit->name() != "admit_agent") {
    ctx_.violation("agent-registers-with-leader", std::string(r.node()),
                   fmt::format("{} registered without a master admitting it", r.node()));
    return;
  }
  if (leaders_.count(admit->node()) == 0) {
    ctx_.violation("agent-registers-with-leader", fmt::format("{},{}", r.node(), admit->node()),
                   fmt::format("{} admitted by {}, which does not lead at {}s", r.node(),
                               admit->node(), sim::format_seconds(r.time)));
  }
}

void OfferCycleMonitor::check_offer(const sim::TraceRecord& r) {
  const auto it = registered_.find(r.node());
  if (it == registered_.end() || !r.cause() || *r.cause() != it->second) {
    ctx_.violation("offer-for-registered-agent", std::string(r.node()),
                   fmt::format("an offer for {} at {}s, which is not registered", r.node(),
                               sim::format_seconds(r.time)));
  }
}

// The arguments the master writes (ResourceUnits, master.hpp): cpus in thousandths.
mesos::Resources OfferCycleMonitor::resources_of(const sim::TraceRecord& r) const {
  const sim::Trace& t = ctx_.trace();
  const auto get = [&](std::string_view key) {
    return static_cast<double>(t.int_arg(r, key).value_or(0));
  };
  return {.cpus = get("cpus_m"), .mem = get("mem"), .disk = get("disk"), .ports = get("ports")};
}

// The master's `offered` record with id `id`, if that is one.
const sim::TraceRecord* OfferCycleMonitor::offered_record(sim::RecordId id) const {
  const sim::TraceRecord* r = ctx_.trace().find(id);
  return r != nullptr && r->component() == kMaster && r->name() == "offered" ? r : nullptr;
}

void OfferCycleMonitor::check_launch(const sim::TraceRecord& r) {
  const auto offer = ctx_.trace().record_arg(r, "offer");
  const sim::TraceRecord* offered = offer ? offered_record(*offer) : nullptr;
  if (offered == nullptr) {
    ctx_.violation("task-within-offer", std::string(r.node()),
                   fmt::format("a task launched on {} at {}s from no offer", r.node(),
                               sim::format_seconds(r.time)));
    return;
  }
  // Only offers that launched are kept; the others' resources are in their records.
  const auto [it, first_launch] = offer_left_.try_emplace(*offer);
  if (first_launch) it->second = resources_of(*offered);
  const mesos::Resources task = resources_of(r);
  if (!task.fits_in(it->second)) {
    ctx_.violation("task-within-offer", std::string(r.node()),
                   fmt::format("a task launched on {} at {}s takes cpus_m:{:g};mem:{:g};disk:{:g};"
                               "ports:{:g} of an offer with cpus_m:{:g};mem:{:g};disk:{:g};ports:"
                               "{:g} left",
                               r.node(), sim::format_seconds(r.time), task.cpus, task.mem,
                               task.disk, task.ports, it->second.cpus, it->second.mem,
                               it->second.disk, it->second.ports));
  }
  it->second -= task;
}

void OfferCycleMonitor::check_id_write(const sim::TraceRecord& r) {
  const std::string id(ctx_.trace().text_arg(r, "framework_id").value_or(""));
  if (confirmed_.count({std::string(r.node()), id}) == 0) {
    ctx_.violation(
        "framework-id-confirmed", std::string(r.node()),
        fmt::format("{} writes framework id '{}' at {}s, which no master confirmed to it", r.node(),
                    id, sim::format_seconds(r.time)));
  }
}

void OfferCycleMonitor::note_install_path(std::string_view master) {
  if (adminrouter_up_.count(master) != 0 && cosmos_up_.count(master) != 0) {
    install_path_served_ = true;
  }
}

void OfferCycleMonitor::check_first_task(const sim::TraceRecord& r) {
  if (install_path_served_) return;
  ctx_.violation("first-task-after-install", std::string(r.node()),
                 fmt::format("{}'s first task runs at {}s, before Admin Router and Cosmos served "
                             "together on any master",
                             r.node(), sim::format_seconds(r.time)));
}

}  // namespace bootsim::models
