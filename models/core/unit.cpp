#include "models/core/unit.hpp"

#include <algorithm>
#include <memory>

#include "models/core/run_context.hpp"

namespace bootsim::models {

bool UnitDef::runs_on(Role r) const {
  return std::find(roles.begin(), roles.end(), r) != roles.end();
}

void Gate::answer_after(const UnitSite& site, sim::SimTime delay,
                        std::function<void(GateResult)> done, GateResult result) const {
  ctx_.network().after(site.probe, delay,
                       [done = std::make_shared<std::function<void(GateResult)>>(std::move(done)),
                        r = std::make_shared<GateResult>(std::move(result))] { (*done)(*r); });
}

}  // namespace bootsim::models
