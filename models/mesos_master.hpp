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
#include <optional>
#include <set>
#include <string>
#include <vector>

#include "models/mesos_protocol.hpp"
#include "models/unit.hpp"
#include "models/zk_group_standin.hpp"
#include "sim/distribution.hpp"

namespace bootsim::models {

class MesosMaster final : public UnitProcess {
 public:
  MesosMaster(sim::Distribution start, ZkGroupStandIn& group)
      : start_(std::move(start)), group_(group) {}
  void on_exec(const UnitSite& site, sim::ProcessId process, UnitControl& control) override;
  void on_exit() override;

  enum class Phase { kDown, kStarting, kContending, kRecovering, kLeading };

 private:
  void set_phase(Phase next, std::string detail);
  void contend();
  void on_group_change();
  void start_recovery_round();
  void on_message(const sim::Address& from, const sim::Message& m);
  void recovered();
  void admit_agent(const mesos::RegisterSlave& m);
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

  sim::Distribution start_;
  ZkGroupStandIn& group_;
  std::optional<UnitSite> site_;
  sim::ProcessId process_;
  UnitControl* control_ = nullptr;
  Phase phase_ = Phase::kDown;
  std::optional<int> sequence_;
  bool subscribed_ = false;
  // The replica's log lives on disk: it survives process and host restarts.
  bool replica_initialized_ = false;
  int recover_round_ = 0;
  std::set<std::string> recover_answers_;
  int initialized_answers_ = 0;
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
