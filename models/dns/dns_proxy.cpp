#include "models/dns/dns_proxy.hpp"

#include "models/core/facts.hpp"
#include "models/core/run_context.hpp"

namespace bootsim::models {

void DnsProxy::on_exec(const UnitSite& site, sim::ProcessId process, UnitControl& control) {
  site_ = site;
  RunContext& ctx = *site.ctx;
  if (!subscribed_) {
    subscribed_ = true;
    ctx.facts().subscribe(std::string(fact::kMesosDnsLeaderRecord),
                          [this] { check_leader_resolvable(); });
  }
  sim::RandomStream rng = ctx.stream(process, "start");
  ctx.network().after(process, start_.sample(rng), [this, &control, &ctx] {
    const auto id = control.mark_started("answers ready.spartan");
    if (!id) return;
    up_ = true;
    ctx.facts().set(site_->node.value, fact::kDnsProxyUp, *id);
    check_leader_resolvable();
  });
}

void DnsProxy::on_exit() {
  up_ = false;
  resolvable_ = false;
  if (site_) site_->ctx->facts().clear(site_->node.value, fact::kDnsProxyUp);
}

void DnsProxy::check_leader_resolvable() {
  if (!up_ || !site_) return;
  RunContext& ctx = *site_->ctx;
  std::optional<sim::RecordId> cause;
  for (const auto& [master, id] : ctx.facts().holders(fact::kMesosDnsLeaderRecord)) {
    if (ctx.network().reachable(site_->node, sim::NodeId{master})) {
      cause = id;
      break;
    }
  }
  if (cause && !resolvable_) {
    ctx.milestone(site_->node_name, "dns-proxy.leader_resolvable", {},
                  RunContext::later(cause, ctx.facts().get(site_->node.value, fact::kDnsProxyUp)));
  }
  resolvable_ = cause.has_value();
}

}  // namespace bootsim::models
