// GenResolvconf: the oneshot behind dcos-gen-resolvconf.timer (5 s after boot, then every
// minute). gen_resolvconf.py asks `ready.spartan` of the DNS proxy addresses 198.51.100.1-3
// with a 5 s UDP timeout each; if one answers, resolv.conf points at the proxy, otherwise it
// falls back to the upstream resolvers (packages/spartan/extra/gen_resolvconf.py). The file
// is the host's /etc/resolv.conf (HostStore): it stays through crashes of any process and of
// the host.
#pragma once

#include <optional>
#include <string_view>

#include "models/core/host_store.hpp"
#include "models/core/unit.hpp"

namespace bootsim::models {

// What dcos-gen-resolvconf writes to host_path::kResolvConf.
inline constexpr std::string_view kResolvConfProxy = "nameserver 198.51.100.1-3";
inline constexpr std::string_view kResolvConfUpstream = "upstream resolvers";

// The write that pointed this host's resolv.conf at the DNS proxy, if it points there now.
inline std::optional<sim::RecordId> resolv_conf_to_proxy(const HostStore& host) {
  const HostEntry* e = host.find(host_path::kResolvConf);
  if (e == nullptr || e->content != kResolvConfProxy) return std::nullopt;
  return e->cause;
}

class GenResolvconf final : public UnitProcess {
 public:
  // A oneshot: it starts querying at exec (no start time of its own).
  explicit GenResolvconf(RunContext& ctx) : UnitProcess(ctx, std::nullopt) {}

 private:
  void on_ready() override { query(0); }
  void query(int address);
  void finish(bool answered);
};

}  // namespace bootsim::models
