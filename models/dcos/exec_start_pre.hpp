// The host-local ExecStartPre commands of DC/OS units as Gates: `test -f
// /var/lib/dcos/cluster-id`, `curl --fail` to a local service, `test -S` on telegraf's socket,
// and `check-time`.
//
//   auto gate = make_dcos_local_gate(ctx, GateDef{"file", "cluster-id"});
//   gate->probe(site, [](GateResult r) { ... });
//
// Contract: each checks its own host's store (host_store.hpp: a file, a listening service)
// within about a millisecond and calls `done` once. `check-time` passes: the clock is taken as
// synchronised.
#pragma once

#include <memory>

#include "models/core/unit.hpp"

namespace bootsim::models {

// nullptr for a kind or argument this file does not define.
std::unique_ptr<Gate> make_dcos_local_gate(RunContext& ctx, const GateDef& def);

}  // namespace bootsim::models
