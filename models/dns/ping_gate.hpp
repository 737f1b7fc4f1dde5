// PingGate: `ping -c1 NAME` as an ExecStartPre gate (ready.spartan, leader.mesos,
// marathon.mesos): the name is looked up through the host's stub resolver (stub_resolver.hpp),
// message by message; the gate passes when the lookup answers an address.
//
//   PingGate gate(ctx, "leader.mesos");
//   gate.probe(site, [](GateResult r) { ... r.ok, r.reason ... });
//
// Simplification: the ICMP echo that follows a successful lookup is not sent; the resolved host
// is taken to answer it. A failure says which hop failed (the resolver's failure text).
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
