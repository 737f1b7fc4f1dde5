// GenericProcess: the main process of a unit without a protocol model — it takes a start
// duration drawn from the unit's distribution, then counts as up and publishes `unit:<name>`
// (and any extra fact, e.g. telegraf's statsd socket) while it runs.
#pragma once

#include <optional>
#include <string>

#include "models/core/unit.hpp"
#include "sim/distribution.hpp"

namespace bootsim::models {

class GenericProcess final : public UnitProcess {
 public:
  // `extra_milestone` is recorded on the node right after the unit's own, e.g. Admin Router's
  // ui.accessible: the UIs are served through it.
  GenericProcess(RunContext& ctx, sim::Distribution start, std::string extra_fact = {},
                 std::string extra_milestone = {})
      : UnitProcess(ctx, std::move(start)),
        extra_fact_(std::move(extra_fact)),
        extra_milestone_(std::move(extra_milestone)) {}
  void on_exit() override;

 private:
  void on_ready() override;
  std::string extra_fact_;
  std::string extra_milestone_;
};

}  // namespace bootsim::models
