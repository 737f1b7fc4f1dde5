// SpartanWatchdog: the oneshot of dcos-spartan-watchdog.timer (DC/OS 1.9, masters and agents;
// dcos/dcos@1.9.0 packages/spartan/extra/dcos-spartan-watchdog.service and .timer):
//
//   ExecStartPre=/bin/sleep 60
//   ExecStart=toybox timeout -k 1m 1m /bin/bash -c
//       "toybox host ready.spartan 198.51.100.1 || toybox pkill -l 9 -f spartan"  (one line)
//
// Started by its timer (`spartan-watchdog.OnBootSec`, `spartan-watchdog.OnUnitActiveSec`), it
// waits `spartan-watchdog.sleep`, asks Spartan's first address for ready.spartan through the
// host's resolver (toybox host: res_query with that one server, resolv.conf's timeout and
// attempts), and when no answer comes SIGKILLs every process whose command line holds
// "spartan" (HostStore::signal_matching): Spartan dies as under a crash and its unit
// (Restart=always, RestartSec=5) starts it again. Spartan not running (still held at its
// bootstrap gate, say): nothing matches, nothing happens.
// Not modelled, as it never acts here: the outer `timeout 1m`, since `host` gives up after
// timeout x attempts (3 s, or 10 s before gen-resolvconf first wrote resolv.conf); pkill -f
// also matching the watchdog's own bash (the oneshot then ends killed instead of failed).
// Spartan's own watchdog inside the VM is Spartan's (spartan.hpp): it cannot act while the VM
// is stopped, which this one can.
#pragma once

#include "models/core/unit.hpp"

namespace bootsim::models {

class SpartanWatchdog final : public UnitProcess {
 public:
  // A oneshot: it starts with its ExecStartPre sleep at exec (no start time of its own).
  explicit SpartanWatchdog(RunContext& ctx) : UnitProcess(ctx, std::nullopt) {}

 private:
  void on_ready() override;
  void check();
};

}  // namespace bootsim::models
