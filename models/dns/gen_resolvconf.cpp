#include "models/dns/gen_resolvconf.hpp"

#include "models/core/run_context.hpp"
#include "models/dns/dns_facts.hpp"

namespace bootsim::models {

namespace {
// gen_resolvconf.py: three proxy addresses, each queried with a 5 s UDP timeout.
constexpr int kProxyAddresses = 3;
constexpr sim::SimTime kQueryTimeout = sim::seconds(5);
}  // namespace

// One `ready.spartan` query to proxy address `address`: answered at once if the proxy runs,
// otherwise given up after the UDP timeout, then the next address.
void GenResolvconf::query(int address) {
  if (ctx_.facts().get(site_->node.value, fact::kDnsProxyUp)) {
    ctx_.network().after(process_, sim::milliseconds(1), [this] { finish(true); });
    return;
  }
  ctx_.network().after(process_, kQueryTimeout, [this, address] {
    if (address + 1 < kProxyAddresses) {
      query(address + 1);
    } else {
      finish(false);
    }
  });
}

void GenResolvconf::finish(bool answered) {
  HostStore& host = ctx_.host(site_->node);
  const bool had = resolv_conf_to_proxy(host).has_value();
  if (answered && !had) {
    const auto id = ctx_.event(site_->node_name, site_->unit, "resolv.conf -> DNS proxy", {},
                               ctx_.facts().get(site_->node.value, fact::kDnsProxyUp));
    host.write_file(host_path::kResolvConf, std::string(kResolvConfProxy), id);
  } else if (!answered && had) {
    const auto id = ctx_.event(site_->node_name, site_->unit, "resolv.conf -> upstream resolvers");
    host.write_file(host_path::kResolvConf, std::string(kResolvConfUpstream), id);
  }
  control_->mark_started(answered ? "nameserver 198.51.100.1-3" : "fallback resolvers");
}

}  // namespace bootsim::models
