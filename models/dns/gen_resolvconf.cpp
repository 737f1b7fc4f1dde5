#include "models/dns/gen_resolvconf.hpp"

#include <fmt/format.h>

#include "models/core/run_context.hpp"
#include "models/dns/dns_wire.hpp"
#include "models/dns/resolv_conf.hpp"
#include "sim/request.hpp"

namespace bootsim::models {

void GenResolvconf::on_ready() {
  answered_.clear();
  cause_.reset();
  query(0);
}

// One `ready.spartan` query to Spartan address `address` (all three are the host's own Spartan).
void GenResolvconf::query(std::size_t address) {
  if (address == std::size(dns::kSpartanAddresses)) return finish();
  sim::Network& net = ctx_.network();
  sim::request(net, process_, {site_->node, dns::kSpartanPort},
               std::make_shared<dns::Query>("ready.spartan"),
               ctx_.params().duration("resolvconf.query_timeout"),
               [this, address](sim::Message answer) {
                 const auto* r = answer ? sim::message_as<dns::Response>(answer) : nullptr;
                 if (r != nullptr && r->rcode == dns::Rcode::kNoError) {
                   answered_.emplace_back(dns::kSpartanAddresses[address]);
                   cause_ = RunContext::later(cause_, r->cause);
                 }
                 query(address + 1);
               });
}

// Rewrites resolv.conf; a trace event only when what it says changes.
void GenResolvconf::finish() {
  HostStore& host = ctx_.host(site_->node);
  const ResolvConf conf =
      answered_.empty() ? upstream_resolv_conf() : spartan_resolv_conf(answered_);
  const HostEntry* old = host.find(host_path::kResolvConf);
  const std::string text = conf.text();
  if (old == nullptr || old->content != text) {
    const auto id = ctx_.event(
        site_->node_name, site_->unit,
        answered_.empty() ? "resolv.conf -> upstream resolvers" : "resolv.conf -> Spartan",
        fmt::format("nameserver {}", fmt::join(conf.nameservers, ", ")), cause_);
    host.write_file(host_path::kResolvConf, text, ctx_.keep(id));
  }
  control_->mark_started(answered_.empty()
                             ? "fallback resolvers"
                             : fmt::format("nameserver {}", fmt::join(answered_, ", ")));
}

}  // namespace bootsim::models
