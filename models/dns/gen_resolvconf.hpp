// GenResolvconf: the oneshot behind dcos-gen-resolvconf.timer (OnBootSec and OnUnitActiveSec
// from `resolvconf.OnBootSec` / `resolvconf.OnUnitActiveSec`). gen_resolvconf.py asks
// `ready.spartan` of Spartan's three addresses 198.51.100.1-3 in turn, each with a UDP timeout
// of `resolvconf.query_timeout`, and writes /etc/resolv.conf: the addresses that answered as
// nameservers, or the upstream resolvers when none did, with `options timeout:1 attempts:3`
// (dcos/dcos@1.9.0 packages/spartan/extra/gen_resolvconf.py). The file is the host's
// (HostStore): it stays through crashes of any process and of the host.
#pragma once

#include <string>
#include <vector>

#include "models/core/unit.hpp"

namespace bootsim::models {

class GenResolvconf final : public UnitProcess {
 public:
  // A oneshot: it starts querying at exec (no start time of its own).
  explicit GenResolvconf(RunContext& ctx) : UnitProcess(ctx, std::nullopt) {}

 private:
  void on_ready() override;
  void query(std::size_t address);
  void finish();

  std::vector<std::string> answered_;
  std::optional<sim::RecordId> cause_;
};

}  // namespace bootsim::models
