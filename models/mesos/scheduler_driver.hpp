// SchedulerDriver: libmesos' MesosSchedulerDriver (Mesos 1.2, src/sched/sched.cpp) as Marathon
// and DC/OS service schedulers use it.
//
//   SchedulerDriver driver(ctx, {.name = "kafka", .role = "*", .failover_timeout = …},
//                          sim::seconds(5), handlers);
//   driver.start(process, port, zk, "/dcos-service-kafka/FrameworkID");
//
// - Before registering, the framework id is read from its znode through the scheduler's own
//   ZooKeeper client (`zk`): a stored id makes this a failover (ReregisterFramework), as the
//   schedulers put their stored id into FrameworkInfo.
// - It detects the leading master through ZooKeeper and registers at once, then retries after
//   U(0, f·2^k) with f = `scheduler.registration_backoff_factor` (2 s), capped at
//   `scheduler.max_registration_backoff` (1 min) and at failover_timeout / 10
//   (doReliableRegistration); after a master failover it re-registers with its id. A master
//   elected but still recovering its registry drops the registration (Master::visit, "not
//   recovered yet"), so a driver that detected it early registers on the first retry after it
//   leads: checked against Mesos 1.2.0 sched.cpp detected() and master.cpp visit().
// - Only once the master confirmed the registration is the id written to the znode (created
//   with its parents); scheduler.framework_id_stored marks the write's success.
// - Offers go to the owner's handler, which answers with the tasks to launch (an Accept) or
//   none (a Decline with the driver's refuse filter); status updates are acknowledged through
//   the master and handed to the owner. suppress(), revive() and reconcile() are the calls.
// - The scheduler listens on its port so that the master can link to it: the master learns of
//   the scheduler's end from that connection.
//
// Milestones (node = the framework name): scheduler.detected_leader, scheduler.registered,
// scheduler.framework_id_stored, scheduler.first_offer, scheduler.first_task_running.
#pragma once

#include <functional>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "models/mesos/group.hpp"
#include "models/mesos/protocol.hpp"
#include "models/zookeeper/client.hpp"
#include "sim/network.hpp"

namespace bootsim::models {

class RunContext;

class SchedulerDriver {
 public:
  struct Handlers {
    // The tasks to launch from this offer (their resources must fit); none: decline.
    std::function<std::vector<mesos::Task>(const mesos::Offer&)> on_offer;
    std::function<void(const mesos::StatusUpdate&)> on_update;  // optional
    std::function<void()> on_registered;                        // optional
  };

  SchedulerDriver(RunContext& ctx, mesos::FrameworkInfo info, sim::SimTime refuse,
                  Handlers handlers);
  // The scheduler process is up on `process`: read the stored id through `zk`, then detect
  // and register. `zk` outlives the driver's use of it (until stop()).
  void start(sim::ProcessId process, sim::Port port, ZooKeeperClient& zk, std::string id_path);
  void stop();  // the process is gone
  void suppress();
  void revive();
  void reconcile();
  bool registered() const { return registered_; }
  const std::string& framework_id() const { return info_.id; }
  // The record of the latest TASK_RUNNING update received: what the scheduler waited for.
  std::optional<sim::RecordId> last_running() const { return last_running_; }

 private:
  void detect();
  void on_leader_change(const std::optional<DetectedMaster>& leader);
  void try_register(std::uint64_t generation);
  void on_message(const sim::Message& m);
  void on_registered(const mesos::FrameworkRegistered& r);
  void store_id(std::size_t depth, std::uint64_t generation);
  void on_offers(const mesos::ResourceOffers& o);
  void on_update(const mesos::StatusUpdate& s);
  void send_to_master(sim::Message m);
  sim::SimTime max_backoff() const;

  RunContext& ctx_;
  mesos::FrameworkInfo info_;
  sim::SimTime refuse_;
  Handlers handlers_;
  std::unique_ptr<MasterDetector> detector_;  // one per start()
  ZooKeeperClient* zk_ = nullptr;
  std::string id_path_;
  std::optional<sim::ProcessId> process_;
  sim::Port port_ = 0;
  std::optional<DetectedMaster> leader_;
  std::uint64_t generation_ = 0;
  sim::SimTime backoff_;
  bool registered_ = false;
  bool failover_ = false;  // the id came from the store: the first registration fails over
  bool id_stored_ = false;
  bool offered_ = false;
  bool task_running_ = false;
  std::map<std::string, sim::RecordId> launches_;  // task name -> its launch record
  std::optional<sim::RecordId> last_running_;
  std::optional<sim::RandomStream> rng_;
  bool testing_stores_unconfirmed_id_ = false;  // TestingVariants::scheduler_stores_unconfirmed_id
};

}  // namespace bootsim::models
