// AdminRouter: the nginx of dcos-adminrouter (masters) and dcos-adminrouter-agent. Once up it
// counts as listening (host_path::listening), on masters serves the UIs (ui.accessible), and
// keeps leader.mesos resolved through a TTL-honouring cache (CachedLookup), as its
// `proxy_pass` to the leading master needs. Simplification: on masters nginx asks the local
// Mesos-DNS at 127.0.0.1:61053 directly; here it resolves through the host's resolver, as
// every other client does.
#pragma once

#include <memory>
#include <string>

#include "models/core/unit.hpp"
#include "models/dns/cached_lookup.hpp"
#include "sim/distribution.hpp"

namespace bootsim::models {

class AdminRouter final : public UnitProcess {
 public:
  // `ui_milestone`: recorded on the node right after the unit's own (masters: ui.accessible).
  AdminRouter(RunContext& ctx, sim::Distribution start, std::string ui_milestone)
      : UnitProcess(ctx, std::move(start)), ui_milestone_(std::move(ui_milestone)) {}
  void on_exit() override { leader_.reset(); }

 private:
  void on_ready() override;
  std::string ui_milestone_;
  std::unique_ptr<CachedLookup> leader_;
};

}  // namespace bootsim::models
