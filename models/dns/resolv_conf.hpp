// /etc/resolv.conf as the glibc stub resolver reads it (resolv.conf(5)): `nameserver` lines
// (glibc uses the first MAXNS = 3), `options timeout:N attempts:N rotate`. What
// dcos-gen-resolvconf writes (gen_resolvconf.py) and what a host has before it first runs.
#pragma once

#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "models/core/host_store.hpp"

namespace bootsim::models {

struct ResolvConf {
  std::vector<std::string> nameservers;
  int timeout_s = 5;  // glibc RES_TIMEOUT
  int attempts = 2;   // glibc RES_DFLRETRY
  bool rotate = false;

  static ResolvConf parse(std::string_view text);
  std::string text() const;
  friend bool operator==(const ResolvConf&, const ResolvConf&) = default;
};

// The resolver outside the cluster that a host uses before dcos-gen-resolvconf points it at
// Spartan, and that gen_resolvconf.py falls back to (the cluster config's `resolvers`).
// Assumption: one, at this documentation address (RFC 5737); it knows no cluster name.
inline constexpr std::string_view kUpstreamResolver = "192.0.2.53";

// gen_resolvconf.py's file: the Spartan addresses that answered, `timeout:1`, `attempts:3`.
ResolvConf spartan_resolv_conf(const std::vector<std::string>& answered);
// Its fallback when none answered: the upstream resolvers, with the same options.
ResolvConf upstream_resolv_conf();
// The host's current /etc/resolv.conf (the image's own, pointing upstream, until written),
// shared: a lookup keeps the one it read when it began, as res_init's copy does.
std::shared_ptr<const ResolvConf> read_resolv_conf(const HostStore& host);
// Whether `address` is one of Spartan's (198.51.100.1-3, on the host's own dummy interface).
bool is_spartan_address(std::string_view address);

}  // namespace bootsim::models
