// GenericProcess: the main process of a unit without a protocol model — it takes a start
// duration drawn from the unit's distribution, then counts as up: its host's store shows the
// unit listening (host_path::listening), and any extra socket it serves (telegraf's statsd
// socket), for as long as this incarnation of the process lives.
//
//   auto p = std::make_unique<GenericProcess>(ctx, def.start);
#pragma once

#include <string>

#include "models/core/unit.hpp"
#include "sim/distribution.hpp"

namespace bootsim::models {

class GenericProcess final : public UnitProcess {
 public:
  // `extra_socket`: a host path the process serves once up (host_store.hpp).
  // `extra_milestone` is recorded on the node right after the unit's own, e.g. Admin Router's
  // ui.accessible: the UIs are served through it.
  GenericProcess(RunContext& ctx, sim::Distribution start, std::string extra_socket = {},
                 std::string extra_milestone = {})
      : UnitProcess(ctx, std::move(start)),
        extra_socket_(std::move(extra_socket)),
        extra_milestone_(std::move(extra_milestone)) {}

 private:
  void on_ready() override;
  std::string extra_socket_;
  std::string extra_milestone_;
};

}  // namespace bootsim::models
