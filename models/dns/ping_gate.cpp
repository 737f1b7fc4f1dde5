#include "models/dns/ping_gate.hpp"

#include <fmt/format.h>

#include "models/core/run_context.hpp"
#include "models/dns/stub_resolver.hpp"

namespace bootsim::models {

void PingGate::probe(const UnitSite& site, std::function<void(GateResult)> done) {
  resolve(ctx_, site.probe, name_,
          [this, node = site.node_name, done = std::move(done)](const Resolution& r) {
            if (name_ == "leader.mesos") note_leader_lookup(ctx_, node, r);
            if (r.ok) return done({true, {}, r.cause});
            done({false, fmt::format("{}: {}", name_, r.failure)});
          });
}

}  // namespace bootsim::models
