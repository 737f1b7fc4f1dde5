#include "models/dns/dns_proxy.hpp"

#include "models/core/facts.hpp"
#include "models/core/run_context.hpp"

namespace bootsim::models {

void DnsProxy::on_exec(const UnitSite& site, sim::ProcessId process, UnitControl& control) {
  site_ = site;
  if (!subscribed_) {
    subscribed_ = true;
    ctx_.facts().subscribe(std::string(fact::kMesosDnsLeaderRecord),
                           [this] { check_leader_resolvable(); });
  }
  sim::RandomStream rng = ctx_.stream(process, "start");
  ctx_.network().after(process, start_.sample(rng), [this, &control] {
    const auto id = control.mark_started("answers ready.spartan");
    if (!id) return;
    up_ = true;
    ctx_.facts().set(site_->node.value, fact::kDnsProxyUp, *id);
    check_leader_resolvable();
  });
}

void DnsProxy::on_exit() {
  up_ = false;
  resolvable_ = false;
  if (site_) ctx_.facts().clear(site_->node.value, fact::kDnsProxyUp);
}

void DnsProxy::check_leader_resolvable() {
  if (!up_ || !site_) return;
  std::optional<sim::RecordId> cause;
  for (const auto& [master, id] : ctx_.facts().holders(fact::kMesosDnsLeaderRecord)) {
    if (ctx_.network().reachable(site_->node, sim::NodeId{master})) {
      cause = id;
      break;
    }
  }
  if (cause && !resolvable_) {
    ctx_.milestone(
        site_->node_name, "dns-proxy.leader_resolvable", {},
        RunContext::later(cause, ctx_.facts().get(site_->node.value, fact::kDnsProxyUp)));
  }
  resolvable_ = cause.has_value();
}

}  // namespace bootsim::models
