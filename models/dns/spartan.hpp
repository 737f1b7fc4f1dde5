// Spartan: DC/OS 1.9's DNS forwarder on every node (dcos/spartan@0b5243b8; dcos-net replaced
// it later with the same numbers). Once it runs it listens on UDP 53 of its dummy interface
// (198.51.100.1-3) and
// - answers `ready.spartan` itself (A 127.0.0.1) and `zk-1..5.zk` (round-robin over the masters;
//   simplification: the static master list, not the one refreshed from Exhibitor), TTL 5 s;
// - forwards `*.mesos`, without caching, to the masters' Mesos-DNS on 61053
//   (spartan_handler_fsm.erl): two upstreams drawn at random from the bucket of those with
//   the fewest failures in the last minute (the two lowest buckets when the lowest holds two or
//   fewer), both asked at once; the first reply goes back to the client; an upstream that has
//   not answered within `dns-proxy.upstream_timeout` counts one failure; with no reply within
//   `dns-proxy.query_timeout` the client gets SERVFAIL;
// - answers other names NXDOMAIN, as the resolvers outside the cluster it would forward them to
//   do for the names of the boot (simplification: those are not simulated);
// - has its internal watchdog (spartan_watchdog.erl): every 15 s it queries itself, up to 5
//   tries of 5 s; if no check has succeeded for 30 s the VM kills itself (kill -9).
// A paused Spartan answers nothing; its timers are held with it. Each upstream that times out
// is a record "upstream_timeout" of component "spartan" (args name, upstream, timeout: the
// query was forwarded `timeout` before it).
#pragma once

#include <map>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "models/core/unit.hpp"
#include "models/dns/dns_wire.hpp"
#include "sim/distribution.hpp"

namespace bootsim::models {

class Spartan final : public UnitProcess {
 public:
  Spartan(RunContext& ctx, sim::Distribution start) : UnitProcess(ctx, std::move(start)) {}
  void on_exit() override;

 private:
  struct Forward;
  void on_ready() override;
  void on_query(sim::Address client, const dns::Query& q);
  void reply(sim::Address client, std::shared_ptr<dns::Response> r) const;
  std::shared_ptr<dns::Response> local_answer(const std::string& name) const;
  void forward(sim::Address client, const std::string& name);
  void on_upstream_answer(const std::shared_ptr<Forward>& f, std::size_t upstream,
                          const sim::Message& answer);
  std::vector<std::size_t> take_upstreams();
  std::size_t recent_failures(std::size_t upstream);
  void watchdog_check(int tries_left);
  void schedule_kill();

  std::optional<sim::RecordId> started_;
  std::map<std::size_t, std::vector<sim::SimTime>> failures_;  // by master index
  sim::TimerId kill_timer_{};
};

}  // namespace bootsim::models
