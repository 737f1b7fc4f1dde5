// Marathon: the main process of dcos-marathon. After its JVM starts it joins Curator's leader
// latch in ZooKeeper (lowest sequence leads); the leader runs the scheduler driver (framework
// "marathon") and launches the pending app instances — the installed services' schedulers — on
// offered agents, declining the rest with `marathon.decline_offer_duration`. Losing leadership
// exits the process (CuratorElectionService), and systemd restarts it after RestartSec.
#pragma once

#include <deque>
#include <optional>
#include <string>

#include "models/scheduler_driver.hpp"
#include "models/unit.hpp"
#include "models/zk_group_standin.hpp"
#include "sim/distribution.hpp"

namespace bootsim::models {

// Marathon's app definitions and launch queue live in ZooKeeper, shared by every instance.
struct MarathonApps {
  std::deque<std::string> pending;  // task names still to launch
};

class Marathon final : public UnitProcess {
 public:
  Marathon(RunContext& ctx, sim::Distribution start, ZkGroupStandIn& latch, MarathonApps& apps);
  void on_exec(const UnitSite& site, sim::ProcessId process, UnitControl& control) override;
  void on_exit() override;

 private:
  void on_latch_change();
  sim::Distribution start_;
  ZkGroupStandIn& latch_;
  MarathonApps& apps_;
  SchedulerDriver driver_;
  std::optional<UnitSite> site_;
  sim::ProcessId process_;
  UnitControl* control_ = nullptr;
  std::optional<int> sequence_;
  bool leading_ = false;
  bool subscribed_ = false;
};

}  // namespace bootsim::models
