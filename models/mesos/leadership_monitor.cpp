#include "models/mesos/leadership_monitor.hpp"

#include <fmt/format.h>

namespace bootsim::models {

namespace {
// The master's phase event that precedes its mesos-master.leading milestone (master.cpp).
constexpr std::string_view kMasterComponent = "mesos-master";
constexpr std::string_view kLeadingPhase = "leading";
constexpr std::string_view kMasterModel = "mesos-master";  // the process model in the registry
}  // namespace

LeadershipMonitor::LeadershipMonitor(RunContext& ctx) : ctx_(ctx) {
  ctx_.on_event([this](sim::RecordId id) {
    const sim::TraceRecord& r = ctx_.trace().at(id);
    if (r.component() == kMasterComponent && r.name() == kLeadingPhase)
      begin_leading(std::string(r.node()));
  });
  ctx_.on_process_exit([this](const ProcessExit& e) {
    if (e.model == kMasterModel) end_leading(std::string(e.node));
  });
}

void LeadershipMonitor::begin_leading(const std::string& master) {
  if (leaders_.count(master)) return;
  const sim::SimTime now = ctx_.now();
  for (const auto& [other, since] : leaders_) {
    overlaps_.push_back(Overlap{other, master, now, std::nullopt});
    const std::string nodes = other < master ? other + "," + master : master + "," + other;
    ctx_.violation("single-mesos-leader", nodes,
                   fmt::format("{} leads from {}s while {} has led since {}s", master,
                               sim::format_seconds(now), other, sim::format_seconds(since)));
  }
  leaders_[master] = now;
}

void LeadershipMonitor::end_leading(const std::string& master) {
  if (leaders_.erase(master) == 0) return;
  const sim::SimTime now = ctx_.now();
  for (Overlap& o : overlaps_) {
    if (o.to || (o.first != master && o.second != master)) continue;
    o.to = now;
    ctx_.event("cluster", "checks", "single-mesos-leader overlap ended",
               fmt::format("{} and {} both led from {}s to {}s ({})", o.first, o.second,
                           sim::format_seconds(o.from), sim::format_seconds(now),
                           sim::format_duration(now - o.from)));
  }
}

}  // namespace bootsim::models
