#include "models/dns/ping_gate.hpp"

#include <fmt/format.h>

#include "models/core/run_context.hpp"
#include "models/dns/dns_facts.hpp"
#include "models/dns/gen_resolvconf.hpp"

namespace bootsim::models {

namespace {
// A probe of something on the same host answers within about a millisecond.
constexpr sim::SimTime kLocalProbe = sim::milliseconds(1);
// glibc with `options timeout:1 attempts:3` (gen_resolvconf.py) gives up after 3 s when no
// nameserver answers.
constexpr sim::SimTime kResolverGiveUp = sim::seconds(3);
}  // namespace

void PingGate::probe(const UnitSite& site, std::function<void(GateResult)> done) {
  Facts& f = ctx_.facts();
  const auto node = site.node.value;
  const auto proxy = f.get(node, fact::kDnsProxyUp);
  const auto resolv = resolv_conf_to_proxy(ctx_.host(site.node));
  if (!resolv) {
    // resolv.conf still lists the upstream resolvers, which know no `.spartan` or `.mesos`.
    answer_after(site, kLocalProbe, std::move(done),
                 {false, fmt::format("{}: NXDOMAIN (resolv.conf not yet pointing at the DNS proxy)",
                                     name_)});
    return;
  }
  if (!proxy) {
    answer_after(site, kLocalProbe, std::move(done),
                 {false, fmt::format("{}: DNS proxy not answering", name_)});
    return;
  }
  if (name_ == "ready.spartan") {
    answer_after(site, kLocalProbe, std::move(done), {true, {}, RunContext::later(proxy, resolv)});
    return;
  }
  // *.mesos is forwarded to the masters' Mesos-DNS without caching: any that has the record
  // and can be reached answers.
  const std::string_view record =
      name_ == "leader.mesos" ? fact::kMesosDnsLeaderRecord : fact::kMesosDnsMarathonRecord;
  bool any_serving = false;
  for (const auto& [master, cause] : f.holders(fact::kMesosDnsServing)) {
    if (ctx_.network().reachable(site.node, sim::NodeId{master})) any_serving = true;
  }
  for (const auto& [master, cause] : f.holders(record)) {
    if (!ctx_.network().reachable(site.node, sim::NodeId{master})) continue;
    answer_after(site, kLocalProbe, std::move(done),
                 {true, {}, RunContext::later(cause, RunContext::later(proxy, resolv))});
    return;
  }
  if (any_serving) {
    answer_after(site, kLocalProbe, std::move(done), {false, fmt::format("{}: NXDOMAIN", name_)});
  } else {
    answer_after(site, kResolverGiveUp, std::move(done),
                 {false, fmt::format("{}: no Mesos-DNS answered", name_)});
  }
}

}  // namespace bootsim::models
