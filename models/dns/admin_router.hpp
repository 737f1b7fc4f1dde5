// AdminRouter: the nginx of dcos-adminrouter (masters) and dcos-adminrouter-agent. Once up it
// counts as listening (host_path::listening), on masters serves the UIs (ui.accessible), and
// holds a view of leader.mesos, which its proxying to the leading master uses. How nginx keeps
// that view depends on its configuration (LeaderResolution):
// - kAtConfigLoad, DC/OS 1.9's nginx.master.conf: `upstream mesos { server leader.mesos:5050; }`.
//   Open-source nginx resolves a server name of an upstream block once, with the system
//   resolver, when it loads its configuration: at start (a name that does not resolve is
//   "[emerg] host not found in upstream" and nginx exits) and on each reload (SIGHUP: a new
//   configuration cycle; when it fails, the old cycle and its view stay). Nothing else refreshes
//   it, hence dcos-adminrouter-reload.timer (dcos/dcos@1.9.0 packages/adminrouter/extra/src/
//   nginx.master.conf, packages/adminrouter/extra/systemd/dcos-adminrouter-reload.*).
// - kPerTtl, nginx's `resolver` with names in variables (1.9 agents, later DC/OS): a cache that
//   honours the TTL (CachedLookup); a reload starts a new cycle with an empty cache, so the
//   name is looked up again at once.
// Simplification: on masters nginx's `resolver` asks the local Mesos-DNS at 127.0.0.1:61053
// directly; here every lookup goes through the host's resolver, as every other client's does.
//
// AdminRouterReload: the oneshot of dcos-adminrouter-reload.timer and
// dcos-adminrouter-agent-reload.timer, `nginx -s reload` (failure ignored: ExecStart=-...):
// SIGHUP to the main process of the Admin Router unit it reloads, if that runs.
#pragma once

#include <memory>
#include <optional>
#include <string>

#include "models/core/unit.hpp"
#include "models/dns/cached_lookup.hpp"
#include "sim/distribution.hpp"

namespace bootsim::models {

enum class LeaderResolution { kAtConfigLoad, kPerTtl };

class AdminRouter final : public UnitProcess {
 public:
  // `ui_milestone`: recorded on the node right after the unit's own (masters: ui.accessible).
  AdminRouter(RunContext& ctx, sim::Distribution start, std::string ui_milestone,
              LeaderResolution resolution)
      : UnitProcess(ctx, std::move(start)),
        ui_milestone_(std::move(ui_milestone)),
        resolution_(resolution) {}
  void on_exit() override;
  void on_hangup() override;

 private:
  void on_ready() override;
  bool started();
  void load_configuration(bool starting);

  std::string ui_milestone_;
  LeaderResolution resolution_;
  std::unique_ptr<CachedLookup> leader_;  // kPerTtl
  std::optional<std::string> upstream_;   // kAtConfigLoad: what the loaded cycle resolved
};

class AdminRouterReload final : public UnitProcess {
 public:
  // `target`: the Admin Router unit whose nginx it reloads.
  AdminRouterReload(RunContext& ctx, std::string target)
      : UnitProcess(ctx, std::nullopt), target_(std::move(target)) {}

 private:
  void on_ready() override;
  std::string target_;
};

}  // namespace bootsim::models
