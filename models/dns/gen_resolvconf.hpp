// GenResolvconf: the oneshot behind dcos-gen-resolvconf.timer (5 s after boot, then every
// minute). gen_resolvconf.py asks `ready.spartan` of the DNS proxy addresses 198.51.100.1-3
// with a 5 s UDP timeout each; if one answers, resolv.conf points at the proxy, otherwise it
// falls back to the upstream resolvers (packages/spartan/extra/gen_resolvconf.py).
#pragma once

#include <optional>

#include "models/core/unit.hpp"

namespace bootsim::models {

class GenResolvconf final : public UnitProcess {
 public:
  explicit GenResolvconf(RunContext& ctx) : UnitProcess(ctx) {}
  void on_exec(const UnitSite& site, sim::ProcessId process, UnitControl& control) override;

 private:
  void query(int address, UnitControl& control);
  void finish(bool answered, UnitControl& control);
  std::optional<UnitSite> site_;
  sim::ProcessId process_;
};

}  // namespace bootsim::models
