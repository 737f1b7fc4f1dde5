#include "models/mesos/offer_cycle_monitor.hpp"

#include <fmt/format.h>

namespace bootsim::models {

namespace {
constexpr std::string_view kMaster = "mesos-master";  // component of the master's events
}  // namespace

OfferCycleMonitor::OfferCycleMonitor(RunContext& ctx) : ctx_(ctx) {
  ctx_.on_event([this](sim::RecordId id) { on_record(id); });
  ctx_.on_milestone([this](sim::RecordId id) { on_record(id); });
  ctx_.on_process_exit([this](const ProcessExit& e) {
    if (e.model == kMaster) leaders_.erase(std::string(e.node));
  });
}

void OfferCycleMonitor::on_record(sim::RecordId id) {
  const sim::TraceRecord& r = ctx_.trace().at(id);
  if (r.kind == sim::RecordKind::kMilestone) {
    if (r.name == "agent.registered") check_registration(id, r);
    return;
  }
  if (r.component != kMaster) return;
  if (r.name == "leading") {
    leaders_.insert(r.node);
  } else if (r.name == "unreachable") {
    registered_.erase(r.node);
  } else if (r.name == "offered") {
    check_offer(r);
  }
}

void OfferCycleMonitor::check_registration(sim::RecordId id, const sim::TraceRecord& r) {
  registered_[r.node] = id;
  const sim::TraceRecord* admit = r.cause ? &ctx_.trace().at(*r.cause) : nullptr;
  if (admit == nullptr || admit->component != kMaster || admit->name != "admit_agent") {
    ctx_.violation("agent-registers-with-leader", r.node,
                   fmt::format("{} registered without a master admitting it", r.node));
    return;
  }
  if (leaders_.count(admit->node) == 0) {
    ctx_.violation("agent-registers-with-leader", r.node + "," + admit->node,
                   fmt::format("{} admitted by {}, which does not lead at {}s", r.node, admit->node,
                               sim::format_seconds(r.time)));
  }
}

void OfferCycleMonitor::check_offer(const sim::TraceRecord& r) {
  const auto it = registered_.find(r.node);
  if (it == registered_.end() || !r.cause || *r.cause != it->second) {
    ctx_.violation("offer-for-registered-agent", r.node,
                   fmt::format("an offer for {} at {}s, which is not registered", r.node,
                               sim::format_seconds(r.time)));
  }
}

}  // namespace bootsim::models
