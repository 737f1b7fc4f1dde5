#include "models/dcos/signal.hpp"

namespace bootsim::models {

// The report is posted: the process is done and exits 0.
void DcosSignal::on_ready() {
  if (!control_->mark_started("telemetry report posted")) return;
  control_->finished("telemetry report posted");
}

}  // namespace bootsim::models
