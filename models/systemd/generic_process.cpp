#include "models/systemd/generic_process.hpp"

#include "models/core/host_store.hpp"
#include "models/core/run_context.hpp"

namespace bootsim::models {

// What the process serves goes with it: the store drops it when this incarnation ends.
void GenericProcess::on_ready() {
  const auto id = control_->mark_started();
  if (!id) return;
  HostStore& host = ctx_.host(site_->node);
  host.hold(host_path::listening(site_->unit), process_, *id);
  if (!extra_socket_.empty()) host.hold(extra_socket_, process_, *id);
}

}  // namespace bootsim::models
