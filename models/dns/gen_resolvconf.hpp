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
  // A oneshot: it starts querying at exec (no start time of its own).
  explicit GenResolvconf(RunContext& ctx) : UnitProcess(ctx, std::nullopt) {}

 private:
  void on_ready() override { query(0); }
  void query(int address);
  void finish(bool answered);
};

}  // namespace bootsim::models
