#include "models/dns/registration.hpp"

#include <memory>

#include "models/core/registry.hpp"
#include "models/dns/dns_proxy.hpp"
#include "models/dns/gen_resolvconf.hpp"
#include "models/dns/mesos_dns.hpp"
#include "models/dns/ping_gate.hpp"

namespace bootsim::models {

void register_dns_models(ModelRegistry& registry) {
  registry.add_process("dns-proxy", [](RunContext&, const UnitDef& def) {
    return std::make_unique<DnsProxy>(def.start);
  });
  registry.add_process("gen-resolvconf", [](RunContext&, const UnitDef&) {
    return std::make_unique<GenResolvconf>();
  });
  registry.add_process("mesos-dns", [](RunContext&, const UnitDef& def) {
    return std::make_unique<MesosDns>(def.start);
  });
  registry.add_gate(
      "ping", {"ready.spartan", "leader.mesos", "marathon.mesos"},
      [](RunContext&, const GateDef& def, Role) { return std::make_unique<PingGate>(def.arg); });
}

}  // namespace bootsim::models
