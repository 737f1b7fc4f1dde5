// PingGate: `ping -c1 NAME` as an ExecStartPre gate (ready.spartan, leader.mesos,
// marathon.mesos).
//
//   PingGate gate(ctx, "leader.mesos");
//   gate.probe(site, [](GateResult r) { ... r.ok, r.reason ... });
//
// Contract: answers from the host's resolv.conf (HostStore, written by dcos-gen-resolvconf) and
// the DNS facts that the DNS proxy and Mesos-DNS publish (models/dns/dns_facts.hpp), after the
// time the real command takes to succeed or give up: no DNS query is sent yet. The protocol
// model of the resolver path replaces this (DESIGN.md, DNS).
#pragma once

#include <string>

#include "models/core/unit.hpp"

namespace bootsim::models {

class PingGate final : public Gate {
 public:
  PingGate(RunContext& ctx, std::string name)
      : Gate(ctx), name_(std::move(name)), text_("ping -c1 " + name_) {}
  std::string_view name() const override { return text_; }
  void probe(const UnitSite& site, std::function<void(GateResult)> done) override;

 private:
  std::string name_;
  std::string text_;
};

}  // namespace bootsim::models
