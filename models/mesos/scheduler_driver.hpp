// SchedulerDriver: libmesos' MesosSchedulerDriver as Marathon and DC/OS service schedulers use
// it. It detects the leading master through ZooKeeper, registers at once and then retries after
// U(0, f·2^k) with f = `scheduler.registration_backoff_factor` (2 s), capped at
// `scheduler.max_registration_backoff` (1 min) (src/sched/sched.cpp doReliableRegistration),
// stores the framework id in ZooKeeper once the master confirmed it, and hands offers to its
// owner, who accepts with a task or declines with a refuse filter.
//
// Milestones (node = the service name): scheduler.detected_leader, scheduler.registered,
// scheduler.framework_id_stored, scheduler.first_offer, scheduler.first_task_running.
#pragma once

#include <functional>
#include <optional>
#include <string>

#include <memory>

#include "models/mesos/group.hpp"
#include "sim/network.hpp"

namespace bootsim::models {

class RunContext;

class SchedulerDriver {
 public:
  // Returns the task to launch on the offered agent, or nullopt to decline.
  using OfferHandler = std::function<std::optional<std::string>(const std::string& agent)>;

  SchedulerDriver(RunContext& ctx, std::string framework, sim::SimTime refuse,
                  OfferHandler on_offer);
  // The scheduler process is up on `process`; start detecting and registering.
  void start(sim::ProcessId process, sim::Port port);
  // The process is gone.
  void stop();
  bool registered() const { return registered_; }

 private:
  void on_leader_change(const std::optional<DetectedMaster>& leader);
  void try_register(std::uint64_t generation);
  void on_message(const sim::Message& m);

  RunContext& ctx_;
  std::string framework_;
  std::unique_ptr<MasterDetector> detector_;  // one per start()
  sim::SimTime refuse_;
  OfferHandler on_offer_;
  std::optional<sim::ProcessId> process_;
  sim::Port port_ = 0;
  std::optional<DetectedMaster> leader_;
  std::uint64_t generation_ = 0;
  sim::SimTime backoff_;
  bool registered_ = false;
  bool id_stored_ = false;
  bool offered_ = false;
  bool task_running_ = false;
  std::optional<sim::RandomStream> rng_;
};

}  // namespace bootsim::models
