// Marathon: the main process of dcos-marathon. After its JVM starts it joins Curator's leader
// latch in ZooKeeper — an ephemeral sequential znode under /marathon/leader-curator, the lowest
// leads (CuratorElectionService, Marathon 1.4), leadership offered after a 0.5 s backoff — over
// its own session. On election it loads its state (a read of /marathon/state; the app instances
// not yet launched form its launch queue), then runs the scheduler driver (framework
// "marathon", role slave_public as DC/OS sets --mesos_role, failover timeout one week:
// --failover_timeout 604800 s; its id stored at /marathon/state/framework-id through the same
// session). Apps arrive from Cosmos (cosmos.hpp: the services' installs). It launches up to
// `--max_tasks_per_offer` (DC/OS 1.9: 100) queued instances per offer as they fit, declines the
// rest with `marathon.decline_offer_duration`, suppresses offers when the queue is empty and
// revives (at most every 5 s, --min_revive_offers_interval) when it is not; it reconciles its
// tasks 15 s after election and every 600 s (--reconciliation_initial_delay, _interval), and
// queues again an instance whose task is lost. Losing leadership, or the ZooKeeper connection
// while leading, exits the process, and systemd restarts it after RestartSec.
#pragma once

#include <functional>
#include <optional>
#include <set>
#include <string>
#include <vector>

#include "models/core/unit.hpp"
#include "models/mesos/scheduler_driver.hpp"
#include "models/zookeeper/client.hpp"
#include "sim/distribution.hpp"

namespace bootsim::models {

// Marathon's app definitions and its instance records, which Marathon keeps in ZooKeeper
// (under /marathon/state), shared by every instance of it. Simplification: held here rather
// than in znodes; a Marathon reads it only while it leads (its state load on election).
struct MarathonApp {
  std::string task;  // the task that runs the app's instance (one instance per app here)
  mesos::Resources resources;
};
struct MarathonApps {
  std::vector<MarathonApp> apps;
  std::set<std::string> launched;  // tasks with a live instance
  // The leading Marathon's reaction to a new app (it queues the instance and revives offers);
  // empty while no Marathon leads.
  std::function<void()> on_added;

  bool has_leader() const { return static_cast<bool>(on_added); }
  // POST /v2/apps to the leading Marathon (Cosmos installs a package).
  void add(MarathonApp app) {
    apps.push_back(std::move(app));
    if (on_added) on_added();
  }
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
  void lead();
  void start_driver(std::uint64_t generation);
  std::vector<mesos::Task> on_offer(const mesos::Offer& offer);
  void on_update(const mesos::StatusUpdate& s);
  void update_offer_interest();
  void reconcile(std::uint64_t generation);
  MarathonApps& apps_;
  SchedulerDriver driver_;
  std::unique_ptr<ZooKeeperClient> zk_;
  std::string latch_node_;        // this instance's znode under the latch path, once created
  std::uint64_t generation_ = 0;  // bumps on exit: callbacks of an older process are ignored
  bool leading_ = false;
  bool offering_ = false;  // holds the latch, leadership offered after the backoff
  bool suppressed_ = false;
  sim::SimTime last_revive_ = sim::SimTime::zero() - sim::minutes(1);
};

}  // namespace bootsim::models
