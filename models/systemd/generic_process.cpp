#include "models/systemd/generic_process.hpp"

#include "models/core/facts.hpp"
#include "models/core/run_context.hpp"

namespace bootsim::models {

void GenericProcess::on_ready() {
  const auto id = control_->mark_started();
  if (!id) return;
  ctx_.facts().set(site_->node.value, fact::unit_up(site_->unit), *id);
  if (!extra_fact_.empty()) ctx_.facts().set(site_->node.value, extra_fact_, *id);
  if (!extra_milestone_.empty()) ctx_.milestone(site_->node_name, extra_milestone_, {}, id);
}

void GenericProcess::on_exit() {
  if (!site_) return;
  ctx_.facts().clear(site_->node.value, fact::unit_up(site_->unit));
  if (!extra_fact_.empty()) ctx_.facts().clear(site_->node.value, extra_fact_);
}

}  // namespace bootsim::models
