// ServiceScheduler: the scheduler of an installed DC/OS service (e.g. Kafka, built on
// dcos-commons). Marathon launches it as a task on an agent: it is the program of that task
// (TaskPrograms, under scheduler_task()), which the agent execs. Once the scheduler's own start
// time has passed it opens its ZooKeeper session, registers as framework `<name>` in role
// `<name>-role` (dcos-commons SchedulerUtils.nameToRole) with a failover timeout of two weeks
// (dcos-commons' default), stores its framework id at /dcos-service-<name>/FrameworkID (its
// CuratorPersister layout), launches its instances — each `cpus`/`mem` from the scenario — on
// offered agents as they fit, declining the rest with the default refuse filter
// (`scheduler.refuse_seconds`, mesos.proto Filters.refuse_seconds = 5 s), suppresses offers once
// every instance is launched, and relaunches (reviving) an instance whose task is lost.
//
// Simplification: the instances launched are kept in the model, standing for the task state
// dcos-commons persists in ZooKeeper, so a restarted scheduler does not launch them again.
#pragma once

#include <memory>
#include <optional>
#include <set>
#include <string>

#include "models/mesos/scheduler_driver.hpp"
#include "models/mesos/task_programs.hpp"
#include "models/zookeeper/client.hpp"
#include "sim/distribution.hpp"

namespace bootsim::models {

class ServiceScheduler final : public TaskProgram {
 public:
  // `port`: its LIBPROCESS_PORT, distinct per service (several may share an agent).
  ServiceScheduler(RunContext& ctx, std::string name, sim::Distribution start, int instances,
                   mesos::Resources per_instance, sim::Port port);
  // The name of the Marathon task that runs this scheduler.
  std::string scheduler_task() const { return name_ + "-scheduler"; }
  // What Marathon's app for the scheduler asks (dcos-commons universe packages:
  // marathon.json.mustache, 1 cpu and 1230 MB for the scheduler).
  static mesos::Resources scheduler_resources() { return {.cpus = 1.0, .mem = 1230}; }
  // The agent execs Marathon's task for this scheduler as `process`.
  void on_exec(sim::ProcessId process) override;

 private:
  std::vector<mesos::Task> on_offer(const mesos::Offer& offer);
  void on_update(const mesos::StatusUpdate& s);

  RunContext& ctx_;
  std::string name_;
  sim::Distribution start_;
  int instances_;
  mesos::Resources per_instance_;
  sim::Port port_;
  std::set<int> launched_;               // instance indices with a live task
  std::set<int> running_;                // instance indices whose task runs
  std::unique_ptr<ZooKeeperClient> zk_;  // one per exec
  SchedulerDriver driver_;
  bool testing_ignores_offer_resources_ = false;  // TestingVariants, for a check's test only
};

}  // namespace bootsim::models
