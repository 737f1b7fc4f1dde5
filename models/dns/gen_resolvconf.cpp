#include "models/dns/gen_resolvconf.hpp"

#include "models/core/facts.hpp"
#include "models/core/run_context.hpp"

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
  const std::uint32_t node = site_->node.value;
  const bool had = ctx_.facts().get(node, fact::kResolvConfToProxy).has_value();
  if (answered && !had) {
    const auto id = ctx_.event(site_->node_name, site_->unit, "resolv.conf -> DNS proxy", {},
                               ctx_.facts().get(node, fact::kDnsProxyUp));
    ctx_.facts().set(node, fact::kResolvConfToProxy, id);
  } else if (!answered && had) {
    ctx_.event(site_->node_name, site_->unit, "resolv.conf -> upstream resolvers");
    ctx_.facts().clear(node, fact::kResolvConfToProxy);
  }
  control_->mark_started(answered ? "nameserver 198.51.100.1-3" : "fallback resolvers");
}

}  // namespace bootsim::models
