// GenericProcess: the main process of a unit without a protocol model — it takes a start
// duration drawn from the unit's distribution, then counts as up: its host's store shows the
// unit listening (host_path::listening), and any extra socket it serves (telegraf's statsd
// socket), for as long as this incarnation of the process lives.
//
//   auto p = std::make_unique<GenericProcess>(ctx, def.start);
#pragma once

#include <string_view>

#include "models/core/unit.hpp"
#include "sim/distribution.hpp"

namespace bootsim::models {

class GenericProcess final : public UnitProcess {
 public:
  // `extra_socket`: a host path the process serves once up, one of host_store.hpp's constants
  // (a view: there is a process model for every unit of every host).
  GenericProcess(RunContext& ctx, sim::Distribution start, std::string_view extra_socket = {})
      : UnitProcess(ctx, std::move(start)), extra_socket_(extra_socket) {}

 private:
  void on_ready() override;
  std::string_view extra_socket_;
};

}  // namespace bootsim::models
