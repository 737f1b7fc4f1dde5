// Marathon: the main process of dcos-marathon. After its JVM starts it joins Curator's leader
// latch in ZooKeeper — an ephemeral sequential znode under /marathon/leader-curator, the lowest
// leads (CuratorElectionService, Marathon 1.4) — over its own session; the leader runs the
// scheduler driver (framework "marathon") and launches the pending app instances — the installed
// services' schedulers — on offered agents, declining the rest with
// `marathon.decline_offer_duration`. Losing leadership, or the ZooKeeper connection while leading,
// exits the process, and systemd restarts it after RestartSec.
#pragma once

#include <deque>
#include <optional>
#include <string>

#include "models/core/unit.hpp"
#include "models/mesos/scheduler_driver.hpp"
#include "models/zookeeper/client.hpp"
#include "sim/distribution.hpp"

namespace bootsim::models {

// Marathon's app definitions and launch queue live in ZooKeeper, shared by every instance.
struct MarathonApps {
  std::deque<std::string> pending;  // task names still to launch
};

class Marathon final : public UnitProcess {
 public:
  Marathon(RunContext& ctx, sim::Distribution start, MarathonApps& apps);
  void on_exit() override;

 private:
  void on_ready() override;
  void join_latch();
  void create_path(std::size_t depth, std::uint64_t generation);
  void check_latch(std::uint64_t generation);
  void lost(const std::string& reason);
  MarathonApps& apps_;
  SchedulerDriver driver_;
  std::unique_ptr<ZooKeeperClient> zk_;
  std::string latch_node_;        // this instance's znode under the latch path, once created
  std::uint64_t generation_ = 0;  // bumps on exit: callbacks of an older process are ignored
  bool leading_ = false;
};

}  // namespace bootsim::models
