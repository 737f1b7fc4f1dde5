// MesosMaster: the main process of dcos-mesos-master. It contends for leadership in the /mesos
// group (lowest sequence leads), and once elected recovers the replicated-log registry from the
// masters' replicas before it leads: on a brand-new cluster the log initialises only when every
// replica answers EMPTY; otherwise a quorum of initialised replicas suffices; a round that falls
// short is retried after `mesos-master.log_recover_retry`, and a recovery that outlasts
// `mesos-master.registry_fetch_timeout` aborts the master (src/log/recover.cpp,
// src/master/registrar.cpp). Until it leads it drops every agent and framework message. The
// leader admits agents through a quorum write to the registry, connects back to the agent,
// accepts frameworks, and runs the allocator every `allocation_interval` and at once when an
// agent or framework is added.
#pragma once

#include <map>
#include <memory>
#include <optional>
#include <set>
#include <string>
#include <vector>

#include "models/core/unit.hpp"
#include "models/mesos/group.hpp"
#include "models/mesos/protocol.hpp"
#include "sim/distribution.hpp"

namespace bootsim::models {

class MesosMaster final : public UnitProcess {
 public:
  MesosMaster(RunContext& ctx, sim::Distribution start, MesosMasterElection::Options options = {})
      : UnitProcess(ctx, std::move(start)), election_options_(options) {}
  void on_exit() override;

  enum class Phase { kDown, kStarting, kContending, kRecovering, kLeading };

 private:
  void on_spawned() override { phase_ = Phase::kStarting; }
  void on_ready() override;
  void set_phase(Phase next, std::string detail);
  void contend();
  void on_elected();
  void start_recovery_round();
  void on_recover_response(const mesos::RecoverResponse& r);
  void replica_status(mesos::ReplicaStatus next);
  void start_fetch();
  void recovered();
  // Message handlers, one per message type (master.cpp says which Mesos function each mirrors).
  void on_message(const sim::Address& from, const sim::Message& m);
  bool on_replica_message(const sim::Message& m);
  void serve_state(sim::Address client);
  void register_slave(const mesos::RegisterSlave& r);
  void on_registry_write(const mesos::WriteResponse& w);
  void connect_back(const std::string& agent, sim::NodeId node);
  void register_framework(const mesos::RegisterFramework& r);
  void accept(const mesos::Accept& a);
  void decline(const mesos::Decline& d);
  void forward_status_update(const mesos::StatusUpdate& s);
  void allocate();
  void arm_allocation_timer();
  std::vector<sim::Address> master_addresses() const;

  struct Agent {
    std::string name;
    sim::NodeId node;
    bool admitted = false;
    std::optional<int> outstanding_offer;
  };
  struct Framework {
    std::string name;
    sim::Address address;
  };
  struct Offer {
    std::string framework;
    std::string agent;
    sim::TimerId timeout;
  };

  MesosMasterElection::Options election_options_;
  // One per process incarnation: its ZooKeeper sessions die with the process.
  std::unique_ptr<MesosMasterElection> election_;
  Phase phase_ = Phase::kDown;
  // The replica's log lives on disk: it survives process and host restarts.
  // The local replica's status lives on disk: it survives process and host restarts.
  mesos::ReplicaStatus replica_ = mesos::ReplicaStatus::kEmpty;
  int recover_round_ = 0;
  std::map<mesos::ReplicaStatus, int> recover_answers_;  // this round's responses by status
  int fetch_round_ = 0;
  int fetch_answers_ = 0;
  bool fetching_ = false;
  sim::SimTime elected_at_;
  int write_position_ = 0;
  std::map<int, std::pair<int, std::string>> pending_writes_;  // position → (acks, agent)
  std::map<std::string, Agent> agents_;                        // by name, deterministic order
  std::vector<Framework> frameworks_;                          // registration order
  std::map<std::pair<std::string, std::string>, sim::SimTime> filters_;  // (framework, agent)
  std::map<int, Offer> offers_;
  int next_offer_ = 0;
  bool allocation_timer_armed_ = false;
  std::optional<sim::RecordId> elected_record_, leading_record_;
};

}  // namespace bootsim::models
