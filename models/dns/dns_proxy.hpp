// DnsProxy: the node-local DNS forwarder — spartan in DC/OS 1.9, dcos-net later. It answers
// `ready.spartan` as soon as it runs and forwards `*.mesos` to the masters' Mesos-DNS without
// caching (dcos-facts.md §2.5), so a node can resolve `leader.mesos` as soon as any reachable
// Mesos-DNS has the record: the milestone `dns-proxy.leader_resolvable`.
#pragma once

#include <optional>

#include "models/core/unit.hpp"
#include "sim/distribution.hpp"

namespace bootsim::models {

class DnsProxy final : public UnitProcess {
 public:
  DnsProxy(RunContext& ctx, sim::Distribution start) : UnitProcess(ctx, std::move(start)) {}
  void on_exit() override;

 private:
  void on_spawned() override;
  void on_ready() override;
  void check_leader_resolvable();
  bool up_ = false;
  bool resolvable_ = false;
  bool subscribed_ = false;
};

}  // namespace bootsim::models
