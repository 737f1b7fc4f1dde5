#include "models/dns/admin_router.hpp"

#include "models/core/host_store.hpp"
#include "models/core/run_context.hpp"

namespace bootsim::models {

void AdminRouter::on_ready() {
  const auto id = control_->mark_started();
  if (!id) return;
  ctx_.host(site_->node).hold(host_path::listening(site_->unit), process_, *id);
  if (!ui_milestone_.empty()) ctx_.milestone(site_->node_name, ui_milestone_, {}, id);
  leader_ = std::make_unique<CachedLookup>(ctx_, process_, site_->node_name, "leader.mesos");
  leader_->start();
}

}  // namespace bootsim::models
