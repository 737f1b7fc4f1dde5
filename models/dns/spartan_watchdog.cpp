#include "models/dns/spartan_watchdog.hpp"

#include <fmt/format.h>

#include "models/core/host_store.hpp"
#include "models/core/run_context.hpp"
#include "models/dns/dns_wire.hpp"
#include "models/dns/stub_resolver.hpp"

namespace bootsim::models {

void SpartanWatchdog::on_ready() {
  ctx_.network().after(process_, ctx_.params().duration("spartan-watchdog.sleep"),
                       [this] { check(); });
}

// `host ready.spartan 198.51.100.1 || pkill -l 9 -f spartan`
void SpartanWatchdog::check() {
  resolve_at(ctx_, process_, "ready.spartan", std::string(dns::kSpartanAddresses[0]),
             [this](const Resolution& r) {
               if (r.ok) {
                 control_->mark_started("ready.spartan answered");
                 return;
               }
               const int killed =
                   ctx_.host(site_->node).signal_matching("spartan", Signal::kKill, site_->unit);
               ctx_.event(site_->node_name, site_->unit, "pkill -9 -f spartan",
                          fmt::format("{}; {} process(es) killed", r.failure, killed), r.cause);
               control_->exit(killed > 0 ? "host ready.spartan failed: killed spartan"
                                         : "host ready.spartan failed; pkill matched nothing");
             });
}

}  // namespace bootsim::models
