#include "models/systemd/generic_process.hpp"

#include "models/core/facts.hpp"
#include "models/core/run_context.hpp"

namespace bootsim::models {

void GenericProcess::on_exec(const UnitSite& site, sim::ProcessId process, UnitControl& control) {
  site_ = site;
  RunContext& ctx = *site.ctx;
  sim::RandomStream rng = ctx.stream(process, "start");
  ctx.network().after(process, start_.sample(rng), [this, &control, &ctx] {
    const auto id = control.mark_started();
    if (!id) return;
    ctx.facts().set(site_->node.value, fact::unit_up(site_->unit), *id);
    if (!extra_fact_.empty()) ctx.facts().set(site_->node.value, extra_fact_, *id);
    if (!extra_milestone_.empty()) ctx.milestone(site_->node_name, extra_milestone_, {}, id);
  });
}

void GenericProcess::on_exit() {
  if (!site_) return;
  site_->ctx->facts().clear(site_->node.value, fact::unit_up(site_->unit));
  if (!extra_fact_.empty()) site_->ctx->facts().clear(site_->node.value, extra_fact_);
}

}  // namespace bootsim::models
