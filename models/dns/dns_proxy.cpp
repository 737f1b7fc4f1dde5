#include "models/dns/dns_proxy.hpp"

#include "models/core/run_context.hpp"
#include "models/dns/dns_facts.hpp"

namespace bootsim::models {

void DnsProxy::on_spawned() {
  if (subscribed_) return;
  subscribed_ = true;
  ctx_.facts().subscribe(std::string(fact::kMesosDnsLeaderRecord),
                         [this] { check_leader_resolvable(); });
}

void DnsProxy::on_ready() {
  const auto id = control_->mark_started("answers ready.spartan");
  if (!id) return;
  up_ = true;
  ctx_.facts().set(site_->node.value, fact::kDnsProxyUp, *id);
  check_leader_resolvable();
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
