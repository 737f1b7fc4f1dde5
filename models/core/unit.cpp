#include "models/core/unit.hpp"

#include <algorithm>
#include <memory>

#include "models/core/run_context.hpp"

namespace bootsim::models {

bool UnitDef::runs_on(Role r) const {
  return std::find(roles.begin(), roles.end(), r) != roles.end();
}

bool UnitDef::wanted_on(Role r) const {
  return runs_on(r) &&
         (wanted_by.empty() || std::find(wanted_by.begin(), wanted_by.end(), r) != wanted_by.end());
}

void Gate::answer_after(const UnitSite& site, sim::SimTime delay,
                        std::function<void(GateResult)> done, GateResult result) const {
  ctx_.network().after(site.probe, delay,
                       [done = std::make_shared<std::function<void(GateResult)>>(std::move(done)),
                        r = std::make_shared<GateResult>(std::move(result))] { (*done)(*r); });
}

void UnitProcess::on_exec(const UnitSite& site, sim::ProcessId process, UnitControl& control) {
  site_ = &site;
  process_ = process;
  control_ = &control;
  on_spawned();
  if (!start_) {
    on_ready();
    return;
  }
  rng_.emplace(ctx_.stream(process, stream_purpose_));
  // Start-up reads the program and its state from disk: a slow disk (a slow-disk fault)
  // stretches it. A simplification: the whole start time scales, CPU work included.
  const sim::SimTime start = ctx_.network().disk_time(site.node, start_->sample(*rng_));
  ctx_.network().after(process, start, [this] { on_ready(); });
}

}  // namespace bootsim::models
