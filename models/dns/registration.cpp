#include "models/dns/registration.hpp"

#include <memory>

#include "models/core/registry.hpp"
#include "models/dns/admin_router.hpp"
#include "models/dns/gen_resolvconf.hpp"
#include "models/dns/mesos_dns.hpp"
#include "models/dns/ping_gate.hpp"
#include "models/dns/spartan.hpp"

namespace bootsim::models {

void register_dns_models(ModelRegistry& registry) {
  registry.add_process("dns-proxy", [](RunContext& ctx, const UnitDef& def) {
    return std::make_unique<Spartan>(ctx, def.start);
  });
  registry.add_process("gen-resolvconf", [](RunContext& ctx, const UnitDef&) {
    return std::make_unique<GenResolvconf>(ctx);
  });
  registry.add_process("mesos-dns", [](RunContext& ctx, const UnitDef& def) {
    return std::make_unique<MesosDns>(ctx, def.start);
  });
  // The UIs are served through Admin Router: ui.accessible comes with it on masters.
  registry.add_process("adminrouter", [](RunContext& ctx, const UnitDef& def) {
    return std::make_unique<AdminRouter>(ctx, def.start, "ui.accessible");
  });
  registry.add_process("adminrouter-agent", [](RunContext& ctx, const UnitDef& def) {
    return std::make_unique<AdminRouter>(ctx, def.start, "");
  });
  registry.add_gate("ping", {"ready.spartan", "leader.mesos", "marathon.mesos"},
                    [](RunContext& ctx, const GateDef& def, Role) {
                      return std::make_unique<PingGate>(ctx, def.arg);
                    });
}

}  // namespace bootsim::models
