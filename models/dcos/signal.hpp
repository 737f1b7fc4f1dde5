// DcosSignal: the main process of dcos-signal (DC/OS 1.9's telemetry reporter,
// dcos/dcos@1.9.0 packages/dcos-signal). It runs once per start: it gathers the cluster's
// report and POSTs it to the telemetry service outside the cluster, then exits 0. Its unit has
// Restart=on-failure, RestartSec=20, so a clean exit leaves it inactive until its timer
// (OnCalendar=hourly) starts it again; a failed ExecStartPre (`ping leader.mesos`, `bootstrap
// dcos-signal`) restarts it after 20 s.
//
//   registry.add_process("dcos-signal", [](RunContext& ctx, const UnitDef& def) {
//     return std::make_unique<DcosSignal>(ctx, def.start);
//   });
//
// Simplification: the report's HTTP calls (to Mesos, 3DT and Cosmos through Admin Router) and
// the POST to the outside are not sent; the unit's start distribution stands for them, and the
// process never fails on them (dcos-signal logs a failed source and reports the rest).
#pragma once

#include <utility>

#include "models/core/unit.hpp"
#include "sim/distribution.hpp"

namespace bootsim::models {

class DcosSignal final : public UnitProcess {
 public:
  DcosSignal(RunContext& ctx, sim::Distribution report) : UnitProcess(ctx, std::move(report)) {}

 private:
  void on_ready() override;
};

}  // namespace bootsim::models
