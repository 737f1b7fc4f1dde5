// RunContext: what every component model of one run shares — clock, network, trace, parameters,
// the random streams, each host's store, and the record of safety violations; and what checks
// observe the run through.
//
//   sim::RandomStream rng = ctx.stream(process, "start");  // the one way to draw
//   ctx.milestone("master-1", "zookeeper.serving", "follower, epoch 1");
//   ctx.violation("single-zookeeper-leader", "master-1,master-3", "two leaders in epoch 2");
//
// Contract: owned by the World of one run, outlives every model, and reaches each model through
// its constructor (models/core/README.md); no globals, so many runs can go in parallel. Models
// record here and never print. Listeners run synchronously, in subscription order.
#pragma once

#include <any>
#include <cassert>
#include <cstdint>
#include <functional>
#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <typeindex>
#include <vector>

#include "models/core/host_store.hpp"
#include "models/core/parameters.hpp"
#include "models/core/topology.hpp"
#include "sim/engine.hpp"
#include "sim/network.hpp"
#include "sim/trace.hpp"

namespace bootsim::models {

// The name of a random stream: "<owner>[/<purpose>][/<index>]", a part left out when empty.
// `owner` is who draws: a process ("master-1/dcos-mesos-master", as Network::process_name gives
// it), a framework or service ("kafka"), a unit's gate ("agent-3/dcos-mesos-slave"), "fault";
// `purpose` what for ("start", "log-recover", "zk-client/detector#1"); `index` the process's
// incarnation (a restart draws afresh) or a protocol round.
struct StreamName {
  std::string owner;
  std::string purpose{};
  std::optional<std::uint64_t> index{};

  std::string key() const {
    std::string k = owner;
    if (!purpose.empty()) k += "/" + purpose;
    if (index) k += "/" + std::to_string(*index);
    return k;
  }
};

// A unit's main process ended — crashed, killed, exited on its own, or its host went down — as
// the unit machine reports it, right after the process model forgot its state.
struct ProcessExit {
  std::string_view node;   // host name, e.g. "master-2"
  std::string_view unit;   // e.g. "dcos-mesos-master"
  std::string_view model;  // the unit's process model in the registry, e.g. "mesos-master"
  sim::ProcessId process;
};

struct Violation {
  std::string rule;
  sim::SimTime time;
  std::string nodes;  // comma-separated, sorted
  std::string detail;
  // Filled in when the run's result is collected: the few trace records that show it, in time
  // order, and what it means in one sentence.
  std::vector<sim::RecordId> evidence{};
  std::string explanation{};
};

// Deliberately broken model variants, for the tests of the checks and of exploration only:
// nothing in a scenario, --set or the command line sets them.
struct TestingVariants {
  // The Mesos master keeps leading when it should step down (its session expired, or the
  // detector names another leader): the single-leader check must catch it.
  bool mesos_master_keeps_leading = false;
  // The master launches every task of an Accept without validating it against the offer (Mesos
  // validates that the tasks' resources are contained in the offer's): task-within-offer.
  bool mesos_master_skips_offer_validation = false;
  // The master marks an agent unreachable but keeps it registered and in the allocator, so it
  // goes on offering it: offer-for-registered-agent.
  bool mesos_master_keeps_unreachable_agents = false;
  // The master handles agent registrations from its election on, while it still recovers the
  // registry (Mesos' Master::visit drops every message until recovered): it admits agents
  // before it leads, without the registry write its registrar cannot make yet:
  // agent-registers-with-leader.
  bool mesos_master_admits_while_recovering = false;
  // Service schedulers launch every instance on the first offer, whether it fits or not (with
  // a correct master the excess is refused as invalid).
  bool scheduler_ignores_offer_resources = false;
  // The scheduler driver writes a framework id before any master confirmed it (an id of its
  // own making, as a scheduler that set FrameworkInfo.id itself would): framework-id-confirmed.
  bool scheduler_stores_unconfirmed_id = false;
  // Marathon holds the services' apps from the start, as if installed before Cosmos and Admin
  // Router served: first-task-after-install.
  bool services_installed_at_boot = false;
};

class RunContext {
 public:
  RunContext(sim::Engine& engine, sim::Network& network, sim::Trace& trace,
             const Parameters& params, const Topology& topology)
      : engine_(engine), network_(network), trace_(trace), params_(params), topology_(topology) {}

  sim::Engine& engine() { return engine_; }
  sim::Network& network() { return network_; }
  sim::Trace& trace() { return trace_; }
  const Parameters& params() const { return params_; }
  const Topology& topology() const { return topology_; }
  // The files and served sockets of one host (host_store.hpp).
  HostStore& host(sim::NodeId node) {
    return hosts_.try_emplace(node.value, network_).first->second;
  }
  sim::SimTime now() const { return engine_.now(); }

  sim::RecordId milestone(std::string_view node, std::string_view name,
                          std::string_view detail = {},
                          std::optional<sim::RecordId> cause = std::nullopt) {
    const sim::RecordId id = trace_.milestone(now(), node, name, detail, cause);
    notify_milestone(id);
    return id;
  }
  // A cluster milestone (node "cluster") about one host, e.g. mesos-master.elected about the
  // master elected: the host is kept as a typed field, subject(), so that nobody reads it back
  // out of the detail text.
  sim::RecordId cluster_milestone(std::string_view name, std::string subject,
                                  std::string_view detail = {},
                                  std::optional<sim::RecordId> cause = std::nullopt) {
    const sim::RecordId id = trace_.milestone(now(), "cluster", name, detail, cause);
    subjects_.emplace(id, std::move(subject));
    notify_milestone(id);
    return id;
  }
  // The host a cluster milestone is about, if it names one.
  std::optional<std::string_view> subject(sim::RecordId milestone) const {
    const auto it = subjects_.find(milestone);
    if (it == subjects_.end()) return std::nullopt;
    return it->second;
  }
  // The one way models draw randomness: the stream named `name`, derived from the run's seed
  // and the name alone, never from creation order (STYLE #7).
  sim::RandomStream stream(const StreamName& name) const { return engine_.stream(name.key()); }
  // stream({process's name, purpose, its incarnation}): one incarnation's own stream, e.g.
  // "master-1/dcos-marathon/start/2" for the draw of its start time.
  sim::RandomStream stream(sim::ProcessId process, std::string_view purpose) const {
    return stream(StreamName{network_.process_name(process), std::string(purpose),
                             network_.incarnation(process)});
  }

  // The latest reach of `name` on `node` (any node if empty), for causes.
  std::optional<sim::RecordId> latest_milestone(std::string_view name,
                                                std::string_view node = {}) const {
    return trace_.latest_milestone(name, node);
  }
  // A record whose id a model holds past this instant, to name it later as a cause (or to
  // read it back): a trace that keeps only what is read back (--trace none) keeps it.
  // Milestones, faults and violations are kept anyway. Returns `id`.
  sim::RecordId keep(sim::RecordId id) {
    trace_.keep(id);
    return id;
  }
  // The holder of a kept record lets it go (sim::Trace::release).
  void release(sim::RecordId id) { trace_.release(id); }
  static std::optional<sim::RecordId> later(std::optional<sim::RecordId> a,
                                            std::optional<sim::RecordId> b) {
    if (!a) return b;
    if (!b) return a;
    return a > b ? a : b;  // record ids grow with time
  }
  // Called after every milestone, with its record id (cluster milestones, faults, checks).
  void on_milestone(std::function<void(sim::RecordId)> listener) {
    milestone_listeners_.push_back(std::move(listener));
  }
  sim::RecordId event(std::string_view node, std::string_view component, std::string_view event,
                      std::string_view detail = {},
                      std::optional<sim::RecordId> cause = std::nullopt) {
    const sim::RecordId id = trace_.record(now(), node, component, event, detail, cause);
    notify_event(id);
    return id;
  }
  // A typed event (sim/trace.hpp): what it is, with its arguments as values. Listeners of
  // on_event see it as any event.
  sim::RecordId typed_event(sim::RecordType type, std::string_view node, std::string_view component,
                            std::string_view event, std::string_view detail = {},
                            sim::ArgList args = {},
                            std::optional<sim::RecordId> cause = std::nullopt) {
    const sim::RecordId id = trace_.typed(now(), type, node, component, event, detail, args, cause);
    notify_event(id);
    return id;
  }
  // `component` on `node` moved from state `from` to `to` (the record's name is `to`).
  sim::RecordId state_change(std::string_view node, std::string_view component,
                             std::string_view from, std::string_view to,
                             std::string_view detail = {}, sim::ArgList args = {},
                             std::optional<sim::RecordId> cause = std::nullopt) {
    const sim::RecordId id =
        trace_.state_change(now(), node, component, from, to, detail, args, cause);
    notify_event(id);
    return id;
  }
  // A fault fired on `node` ("cluster" for one that names no host); `outcome` is what it did
  // (process_crash, host_crash, pause, partition, no_target, not_running, ...).
  sim::RecordId fault(std::string_view node, std::string_view outcome, std::string_view detail = {},
                      sim::ArgList args = {}, std::optional<sim::RecordId> cause = std::nullopt) {
    return typed_event(sim::RecordType::kFault, node, "fault", outcome, detail, args, cause);
  }
  // Checks observe the run; models never call them. Called after every event record (not
  // milestones, spans or violations), with its record id.
  void on_event(std::function<void(sim::RecordId)> listener) {
    event_listeners_.push_back(std::move(listener));
  }
  // Called on every main-process exit that the unit machine reports (process_exited): for checks
  // that follow a process's life, since a host's power loss leaves no record of its own.
  void on_process_exit(std::function<void(const ProcessExit&)> listener) {
    exit_listeners_.push_back(std::move(listener));
  }
  // The unit machine's report (models/systemd); nothing else calls it.
  void process_exited(const ProcessExit& exit) {
    for (std::size_t i = 0; i < exit_listeners_.size(); ++i) exit_listeners_[i](exit);
  }
  void violation(std::string rule, std::string nodes, std::string detail) {
    trace_.typed(now(), sim::RecordType::kViolation, "cluster", "checks", "violation",
                 rule + ": " + detail, {sim::arg_text("rule", rule)});
    violations_.push_back(
        Violation{std::move(rule), now(), std::move(nodes), std::move(detail), {}, {}});
  }
  const std::vector<Violation>& violations() const { return violations_; }

  // Run-wide components that several models of one kind share (the ZooKeeper ensemble that
  // every Exhibitor drives, say), by type: owned by the run, provided once before any model is
  // built, so that the registry's factories need nothing but this context.
  template <class T>
  void provide(T& component) {
    const bool added = shared_.emplace(std::type_index(typeid(T)), &component).second;
    assert(added && "a shared component provided twice");
    (void)added;
  }
  template <class T>
  T* find_shared() const {
    const auto it = shared_.find(std::type_index(typeid(T)));
    return it == shared_.end() ? nullptr : std::any_cast<T*>(it->second);
  }
  template <class T>
  T& shared() const {
    const auto it = shared_.find(std::type_index(typeid(T)));
    assert(it != shared_.end() && "a shared component that the run did not provide");
    return *std::any_cast<T*>(it->second);
  }

 private:
  void notify_event(sim::RecordId id) {
    // Index loop: a listener may record events (and so call back) but never subscribes.
    for (std::size_t i = 0; i < event_listeners_.size(); ++i) event_listeners_[i](id);
  }
  void notify_milestone(sim::RecordId id) {
    // Index loop: a listener may record milestones (and so call back) but never subscribes.
    for (std::size_t i = 0; i < milestone_listeners_.size(); ++i) milestone_listeners_[i](id);
  }

  sim::Engine& engine_;
  sim::Network& network_;
  sim::Trace& trace_;
  const Parameters& params_;
  const Topology& topology_;
  std::vector<Violation> violations_;
  std::map<std::uint32_t, HostStore> hosts_;  // by node
  std::vector<std::function<void(sim::RecordId)>> milestone_listeners_;
  std::vector<std::function<void(sim::RecordId)>> event_listeners_;
  std::vector<std::function<void(const ProcessExit&)>> exit_listeners_;
  std::map<std::type_index, std::any> shared_;
  std::map<sim::RecordId, std::string> subjects_;  // cluster milestones about one host
};

}  // namespace bootsim::models
