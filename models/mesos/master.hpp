// MesosMaster: the main process of dcos-mesos-master (Mesos 1.2). It contends for leadership in
// the /mesos group (lowest sequence leads), and once elected recovers the registry from the
// masters' replicated-log replicas before it leads: on a brand-new cluster the log initialises
// only when every replica answers EMPTY; otherwise a quorum of initialised replicas suffices; a
// round that falls short is retried after `mesos-master.log_recover_retry`; the registrar's fetch
// is a Paxos phase 1 (promises from a quorum) that yields the latest registry; a recovery that
// outlasts `mesos-master.registry_fetch_timeout` aborts the master (src/log/recover.cpp,
// src/log/coordinator.cpp, src/master/registrar.cpp). Until it leads it drops every agent and
// framework message.
//
// The leader (src/master/master.cpp):
// - admits agents (RegisterSlave → AdmitSlave) and re-admits known ones (ReregisterSlave →
//   MarkSlaveReachable) through the registrar: operations are batched into one registry write
//   at a time, a Paxos phase 2 to a quorum of replicas; a write not done within
//   `registry_store_timeout`, or refused for a higher promise, aborts the master. A repeated
//   registration from an agent already registered is answered again. Agents recovered from the
//   registry that do not re-register within `agent_reregister_timeout` are marked unreachable.
// - pings every registered agent each `agent_ping_timeout` (SlaveObserver); after
//   `max_agent_ping_timeouts` unanswered pings the agent is marked unreachable, at most
//   `agent_removal_rate_limit` per minute (a late pong cancels it), through a registry write;
//   its tasks are reported LOST and its offers rescinded.
// - registers frameworks (ids "<master id>-NNNN"), links to them, and on a broken link keeps a
//   framework for its `failover_timeout`; re-registration after a master failover keeps its id.
// - allocates with the hierarchical allocator every `allocation_interval` and on agent and
//   framework changes (coalesced), offers, rescinds after `offer_timeout`, launches accepted
//   tasks within the offer on the agent, forwards status updates and acknowledgements.
//
// Simplifications (one line each): agents and frameworks are not authenticated; a framework
// removed after its failover timeout loses its tasks in the master's books only (no
// ShutdownFrameworkMessage to agents); replicas keep only the latest registry, not the log.
#pragma once

#include <functional>
#include <map>
#include <memory>
#include <optional>
#include <set>
#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

#include "models/core/unit.hpp"
#include "models/mesos/group.hpp"
#include "models/mesos/hierarchical_allocator.hpp"
#include "models/mesos/protocol.hpp"
#include "sim/distribution.hpp"

namespace bootsim::models {

// What the master's `offered` and `task_launched` records carry as arguments (cpus_m, mem,
// disk, ports), which the task-within-offer check reads back.
struct ResourceUnits {
  explicit ResourceUnits(const mesos::Resources& r);
  std::int64_t cpus_m, mem, disk, ports;
};

// A master broken on purpose, for the tests of the checks only (TestingVariants).
struct MesosMasterTesting {
  bool skip_offer_validation = false;    // launches tasks whether they fit their offer or not
  bool keep_unreachable_agents = false;  // an agent marked unreachable stays offered
  bool admit_while_recovering = false;   // agents admitted before the registry is recovered
};

class MesosMaster final : public UnitProcess {
 public:
  MesosMaster(RunContext& ctx, sim::Distribution start, MesosMasterElection::Options options = {},
              MesosMasterTesting testing = {})
      : UnitProcess(ctx, std::move(start)), election_options_(options), testing_(testing) {}
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
  void on_promise(const mesos::PromiseResponse& p);
  void recovered();
  std::vector<sim::Address> master_addresses() const;
  // Message handlers (master.cpp says which Mesos function each mirrors).
  void on_message(const sim::Address& from, const sim::Message& m);
  bool on_replica_message(const sim::Message& m);
  bool on_agent_message(const sim::Message& m);
  bool on_framework_message(const sim::Message& m);
  void serve_state(sim::Address client);

  // The registrar (registrar.cpp): operations applied in batches, one store at a time.
  using RegistryOp = mesos::RegistryOperation;
  void registrar_apply(RegistryOp op, std::function<void()> done);
  void registrar_update();
  void on_registry_write(const mesos::WriteResponse& w);

  // Agents (master_agents.cpp).
  void register_slave(const mesos::RegisterSlave& r);
  void reregister_slave(const mesos::ReregisterSlave& r);
  void admitted(const mesos::SlaveInfo& info, sim::NodeId node, std::vector<mesos::Task> tasks,
                bool reregistered);
  void send_registered(const std::string& agent_id, bool reregistered);
  void ping(const std::string& agent_id);
  void pong(const mesos::PongSlave& p);
  void mark_unreachable(const std::string& agent_id, std::string_view why);
  void unreachable(const std::string& agent_id);
  sim::SimTime removal_permit();
  void recovered_agents_timeout();

  // Frameworks, offers and tasks (master_frameworks.cpp).
  void register_framework(const mesos::FrameworkInfo& info, const sim::Address& reply_to,
                          bool reregister);
  void link_framework(const std::string& id);
  void framework_disconnected(const std::string& id, sim::ConnectionId link);
  void remove_framework(const std::string& id);
  void accept(const mesos::Accept& a);
  void decline(const mesos::Decline& d);
  void rescind(int offer_id, bool tell_framework);
  void status_update(const mesos::StatusUpdate& s);
  void acknowledge(const mesos::StatusUpdateAck& a);
  void reconcile(const mesos::ReconcileTasks& r);
  void send_to_framework(const std::string& framework_id, sim::Message m);
  void request_allocation(const std::optional<std::string>& agent_id);
  void allocate_now();
  void offer(const std::vector<mesos::Allocation>& allocations);
  void arm_allocation_timer();

  struct Agent {
    mesos::SlaveInfo info;
    sim::NodeId node;
    std::map<std::string, mesos::Task> tasks;  // by task name
    std::set<int> offers;
    bool pinged = false;  // a ping is out without its pong
    int timeouts = 0;
    bool marking_unreachable = false;
    sim::TimerId ping_timer;
    std::optional<sim::RecordId> registered_record;  // its agent.registered milestone
    // libprocess' link to the agent: messages sent before the connect-back opened it wait in
    // order behind SlaveRegistered, as on the socket libprocess is still connecting.
    bool linked = false;
    std::vector<sim::Message> queued;
  };
  void send_to_agent(Agent& a, sim::Message m);
  void add_to_allocator(const Agent& a);
  struct Framework {
    mesos::FrameworkInfo info;
    sim::Address address;
    bool connected = true;
    std::optional<sim::ConnectionId> link;
    std::set<int> offers;
    sim::TimerId failover_timer;
  };
  // agents_ and frameworks_ by id through their index: null if there is none.
  Agent* find_agent(std::string_view id);
  Framework* find_framework(std::string_view id);
  Agent& add_agent_entry(const std::string& id);  // agents_[id], indexed
  Framework& add_framework_entry(const std::string& id);
  void erase_agent_entry(const std::string& id);
  void erase_framework_entry(const std::string& id);
  struct OutstandingOffer {
    std::string framework_id;
    std::string agent_id;
    mesos::Resources resources;
    sim::TimerId timeout;
    sim::RecordId offered;  // its `offered` record, which its launches name
  };
  struct PendingOp {
    RegistryOp op;
    std::function<void()> done;
  };

  MesosMasterElection::Options election_options_;
  MesosMasterTesting testing_;
  // One per process incarnation: its ZooKeeper sessions die with the process.
  std::unique_ptr<MesosMasterElection> election_;
  Phase phase_ = Phase::kDown;
  // The local replica lives on disk: its status, promise and last write survive process and
  // host restarts.
  mesos::ReplicaStatus replica_ = mesos::ReplicaStatus::kEmpty;
  std::uint64_t promised_ = 0;
  int replica_position_ = 0;
  std::shared_ptr<const mesos::StoredRegistry> replica_registry_;  // nullptr: nothing written
  // The recover protocol of this incarnation.
  int recover_round_ = 0;
  std::map<mesos::ReplicaStatus, int> recover_answers_;  // this round's responses by status
  // The coordinator's election (the registrar's fetch).
  std::uint64_t proposal_ = 0;
  int fetch_answers_ = 0;
  int fetched_position_ = 0;
  std::shared_ptr<const mesos::StoredRegistry> fetched_;
  bool fetching_ = false;
  sim::SimTime elected_at_;
  // The registrar.
  mesos::Registry registry_;
  std::vector<PendingOp> queued_ops_, applying_ops_;
  std::shared_ptr<const mesos::StoredRegistry> written_;  // what registry_ was last stored as
  std::shared_ptr<const mesos::StoredRegistry> storing_;
  int write_position_ = 0;
  int write_acks_ = 0;
  sim::TimerId store_timer_;
  // Agents.
  std::map<std::string, Agent> agents_;  // registered, by id
  // agents_ hashed (the map keeps id order, which its walks follow): the offer path looks up
  // an agent and a framework for every offer. Keys view the map's keys.
  std::unordered_map<std::string_view, Agent*> agent_index_;
  std::map<std::string, std::string> agent_by_host_;  // hostname → id of registered agents
  std::set<std::string> registering_;                 // hostnames being admitted
  std::set<std::string> reregistering_;               // ids being re-admitted
  std::set<std::string> recovered_;                   // ids from the registry, not yet back
  int next_agent_ = 0;
  sim::SimTime next_removal_permit_;  // agent_removal_rate_limit
  // Frameworks and offers.
  std::map<std::string, Framework> frameworks_;                       // by id
  std::unordered_map<std::string_view, Framework*> framework_index_;  // as agent_index_
  int next_framework_ = 0;
  std::unique_ptr<mesos::HierarchicalAllocator> allocator_;
  std::optional<sim::RandomStream> allocator_rng_;
  std::map<int, OutstandingOffer> offers_;
  int next_offer_ = 0;
  bool allocation_pending_ = false;
  std::optional<std::set<std::string>> allocation_candidates_;  // nullopt: every agent
  bool allocation_timer_armed_ = false;
  std::optional<sim::RecordId> elected_record_, leading_record_;
};

}  // namespace bootsim::models
