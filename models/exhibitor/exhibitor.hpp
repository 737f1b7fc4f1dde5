// Exhibitor: the dcos-exhibitor unit's main process. It writes the static ensemble config,
// launches and supervises the local ZooKeeper (MonitorRunningInstance), and serves its view of
// the ensemble over HTTP on 8181.
//
//   ZooKeeperEnsemble ensemble(ctx);
//   auto process = std::make_unique<Exhibitor>(ctx, ensemble);  // dcos-exhibitor's UnitProcess
//
// Contract:
// - once the JVM has started (the unit's start time), it marks the unit started (the unit
//   machine records exhibitor.started), then
//   runs MonitorRunningInstance every `exhibitor.check-ms` (2 s with one master, as
//   start_exhibitor.py passes). The first check runs one period after start:
//   RepeatingActivityImpl.start() queues the activity with the period as its delay. That check
//   finds ZooKeeper DOWN and launches it; later checks restart it when it has been DOWN or
//   NOT_SERVING for 2·tickTime·max(initLimit, syncLimit) since its state last changed, or at
//   once when it goes DOWN.
// - The state Exhibitor reports (to /exhibitor/v1/cluster/state and, gathered from every
//   master, /exhibitor/v1/cluster/status) is the one its last check saw, not a live probe.
// - ZooKeeper is Exhibitor's child: when Exhibitor's process exits (on_exit), ZooKeeper dies.
// - A node that is not in the static server list runs Exhibitor but never starts ZooKeeper.
// - Every exchange goes over the network: the check is a `srvr` on 127.0.0.1:2181, the
//   status a request to each master's 8181.
#pragma once

#include <functional>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "sim/distribution.hpp"

#include "models/core/unit.hpp"
#include "models/zookeeper/ensemble.hpp"

namespace bootsim::models {

// Exhibitor's InstanceStateTypes, as its check last saw the local ZooKeeper.
enum class InstanceState { kLatent, kDown, kNotServing, kServing };
// "latent", "down", "not serving", "serving": Exhibitor's descriptions.
std::string_view to_string(InstanceState s);

namespace exhibitor_wire {
struct HttpGet final : sim::Payload {
  std::string path;  // "/exhibitor/v1/cluster/status" or "/exhibitor/v1/cluster/state"
  std::string_view kind() const override { return "http.GET"; }
};
struct ServerStatus {
  std::string hostname;
  std::string description;  // to_string(InstanceState)
  bool is_leader = false;
};
struct HttpResponse final : sim::Payload {
  int status = 200;
  std::vector<ServerStatus> servers;  // cluster/status: one per master, in server-id order
  ServerStatus state;                 // cluster/state: this Exhibitor's server
  std::string_view kind() const override { return "http.Response"; }
};
}  // namespace exhibitor_wire

class Exhibitor final : public UnitProcess {
 public:
  // `start`: the JVM's start time (the unit's start distribution); zero by default.
  Exhibitor(RunContext& ctx, ZooKeeperEnsemble& ensemble, sim::Distribution start = {});
  Exhibitor(const Exhibitor&) = delete;
  Exhibitor& operator=(const Exhibitor&) = delete;
  ~Exhibitor() override;

  void on_exit() override;

  InstanceState instance_state() const { return state_; }
  bool is_leader() const { return is_leader_; }
  int restart_count() const { return restart_count_; }

 private:
  void on_spawned() override { ++generation_; }
  void on_ready() override { start(*control_); }  // the JVM is up: config, then 8181
  void start(UnitControl& control);
  struct StatusRequest;
  void schedule_check();
  void check();
  void on_checked(InstanceState s, bool leader);
  void restart_zookeeper(std::string_view why);
  void set_state(InstanceState s, bool leader);
  void serve_status(sim::ConnectionId c);
  void finish_status(std::uint64_t request);
  exhibitor_wire::ServerStatus local_status() const;
  sim::SimTime check_period() const;

  ZooKeeperEnsemble& ensemble_;
  int zk_id_ = 0;                 // 0: this node is not in the server list
  std::uint64_t generation_ = 0;  // bumps per exec: stale callbacks ignore themselves

  // MonitorRunningInstance: the current InstanceState and when it last changed.
  bool checked_once_ = false;
  InstanceState state_ = InstanceState::kLatent;
  bool is_leader_ = false;
  sim::SimTime state_since_;
  int restart_count_ = 0;

  std::uint64_t next_request_ = 0;
  std::map<std::uint64_t, std::unique_ptr<StatusRequest>> status_requests_;
};

}  // namespace bootsim::models
