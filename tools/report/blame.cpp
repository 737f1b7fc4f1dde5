// bootsim blame: every unit by its time from boot to running, longest first, split into the
// time its ExecStartPre gates failed, the RestartSec delays between attempts, and its start
// (like `systemd-analyze blame`, which gives only the last).
#include <fmt/format.h>

#include "tools/report/phases.hpp"
#include "tools/report/report.hpp"

namespace bootsim::report {

std::string format_blame(const models::RunResult& r) {
  std::string out = fmt::format(
      "bootsim blame: scenario {}, profile {}, seed {}: each unit's time from boot to running\n",
      printable(r.scenario), printable(r.profile), r.seed);
  out += fmt::format("{:>11} {:>11} {:>13} {:>11} {:>8}  {}\n", "total", "gate wait",
                     "restart delay", "start", "attempts", "unit@node");
  const auto secs = [](sim::SimTime t) { return sim::format_seconds(t) + "s"; };
  for (const Blame& b : blame(r)) {
    out +=
        fmt::format("{:>11} {:>11} {:>13} {:>11} {:>8}  {}@{}{}\n", secs(b.total()),
                    secs(b.gate_wait), secs(b.restart_delay), secs(b.start), b.attempts,
                    printable(b.unit), printable(b.node), b.running_at ? "" : "  (never running)");
  }
  return out;
}

}  // namespace bootsim::report
