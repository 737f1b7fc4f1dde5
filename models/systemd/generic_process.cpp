#include "models/systemd/generic_process.hpp"

#include "models/core/facts.hpp"
#include "models/core/run_context.hpp"

namespace bootsim::models {

void GenericProcess::on_exec(const UnitSite& site, sim::ProcessId process, UnitControl& control) {
  site_ = site;
  sim::RandomStream rng = ctx_.stream(process, "start");
  ctx_.network().after(process, start_.sample(rng), [this, &control] {
    const auto id = control.mark_started();
    if (!id) return;
    ctx_.facts().set(site_->node.value, fact::unit_up(site_->unit), *id);
    if (!extra_fact_.empty()) ctx_.facts().set(site_->node.value, extra_fact_, *id);
    if (!extra_milestone_.empty()) ctx_.milestone(site_->node_name, extra_milestone_, {}, id);
  });
}

void GenericProcess::on_exit() {
  if (!site_) return;
  ctx_.facts().clear(site_->node.value, fact::unit_up(site_->unit));
  if (!extra_fact_.empty()) ctx_.facts().clear(site_->node.value, extra_fact_);
}

}  // namespace bootsim::models
