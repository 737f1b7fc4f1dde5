#include "models/dns/registration.hpp"

#include <memory>

#include "models/core/registry.hpp"
#include "models/dns/admin_router.hpp"
#include "models/dns/gen_resolvconf.hpp"
#include "models/dns/mesos_dns.hpp"
#include "models/dns/ping_gate.hpp"
#include "models/dns/spartan.hpp"
#include "models/dns/spartan_watchdog.hpp"

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
  registry.add_process("spartan-watchdog", [](RunContext& ctx, const UnitDef&) {
    return std::make_unique<SpartanWatchdog>(ctx);
  });
  // The UIs are served through Admin Router: ui.accessible comes with it on masters.
  // "adminrouter-upstream": 1.9's nginx.master.conf, leader.mesos in an upstream block;
  // "adminrouter": a resolver cache by TTL (later DC/OS).
  registry.add_process("adminrouter-upstream", [](RunContext& ctx, const UnitDef& def) {
    return std::make_unique<AdminRouter>(ctx, def.start, "ui.accessible",
                                         LeaderResolution::kAtConfigLoad);
  });
  registry.add_process("adminrouter", [](RunContext& ctx, const UnitDef& def) {
    return std::make_unique<AdminRouter>(ctx, def.start, "ui.accessible",
                                         LeaderResolution::kPerTtl);
  });
  registry.add_process("adminrouter-agent", [](RunContext& ctx, const UnitDef& def) {
    return std::make_unique<AdminRouter>(ctx, def.start, "", LeaderResolution::kPerTtl);
  });
  // dcos-adminrouter-reload reloads dcos-adminrouter, dcos-adminrouter-agent-reload
  // dcos-adminrouter-agent: DC/OS names a reload unit after the unit it reloads.
  registry.add_process("adminrouter-reload", [](RunContext& ctx, const UnitDef& def) {
    constexpr std::string_view kSuffix = "-reload";
    std::string target = def.name;
    if (target.ends_with(kSuffix)) target.resize(target.size() - kSuffix.size());
    return std::make_unique<AdminRouterReload>(ctx, std::move(target));
  });
  registry.add_gate("ping", {"ready.spartan", "leader.mesos", "marathon.mesos"},
                    [](RunContext& ctx, const GateDef& def, Role) {
                      return std::make_unique<PingGate>(ctx, def.arg);
                    });
}

}  // namespace bootsim::models
