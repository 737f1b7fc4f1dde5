#include "models/dcos/service_scheduler.hpp"

#include <fmt/format.h>

#include "models/core/run_context.hpp"

namespace bootsim::models {

namespace {
constexpr sim::SimTime kDefaultRefuse = sim::seconds(5);  // mesos.proto Filters.refuse_seconds
constexpr sim::Port kSchedulerPort = 15501;               // any free LIBPROCESS_PORT
}  // namespace

ServiceScheduler::ServiceScheduler(RunContext& ctx, std::string name, sim::Distribution start,
                                   int instances)
    : ctx_(ctx),
      name_(std::move(name)),
      start_(std::move(start)),
      instances_(instances),
      driver_(ctx, name_, kDefaultRefuse, [this](const std::string&) -> std::optional<std::string> {
        if (launched_ >= instances_) return std::nullopt;
        return fmt::format("{}-{}", name_, launched_++);
      }) {}

void ServiceScheduler::on_exec(sim::ProcessId process) {
  sim::RandomStream rng = ctx_.stream({name_, "start", ctx_.network().incarnation(process)});
  ctx_.network().after(process, start_.sample(rng), [this, process] {
    ctx_.milestone(name_, "scheduler.started",
                   fmt::format("on {}", ctx_.network().node_name(ctx_.network().node_of(process))),
                   ctx_.latest_milestone("scheduler.first_task_running", "marathon"));
    driver_.start(process, kSchedulerPort);
  });
}

}  // namespace bootsim::models
