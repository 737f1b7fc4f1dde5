// A small hand-built world for the ZooKeeper, Exhibitor and bootstrap tests: masters (and
// optionally agents) on a network with one constant latency, parameters with overrides, and
// the ensemble of ZooKeeper servers.
//
//   ZkWorld w(3, sim::microseconds(100), {{"zookeeper.server_start", "1s"}});
//   w.launch_all(sim::SimTime::zero());
//   w.engine.run_until(sim::seconds(10));
#pragma once

#include <fmt/format.h>
#include <catch2/catch.hpp>

#include <memory>
#include <string>
#include <utility>
#include <vector>

#include "models/core/parameters.hpp"
#include "models/core/run_context.hpp"
#include "models/core/topology.hpp"
#include "models/zookeeper/zookeeper.hpp"
#include "sim/engine.hpp"
#include "sim/network.hpp"
#include "sim/trace.hpp"

namespace bootsim::testing {

struct ZkWorld {
  ZkWorld(int masters, sim::SimTime latency,
          const std::vector<std::pair<std::string, std::string>>& overrides = {},
          models::ZooKeeperServer::Options options = {}, std::uint64_t seed = 1, int agents = 0)
      : engine(seed), net(engine, sim::Distribution::constant(latency)) {
    net.set_loopback_latency(sim::Distribution::constant(latency));
    for (const auto& [key, value] : overrides) {
      std::string error;
      INFO(key << "=" << value << ": " << error);
      REQUIRE(params.set(key, value, error));
    }
    for (int i = 1; i <= masters; ++i) {
      models::HostInfo h;
      h.name = "master-" + std::to_string(i);
      h.node = net.add_node(h.name);
      h.role = models::Role::kMaster;
      h.zk_id = i;
      topology.masters.push_back(h);
    }
    for (int i = 1; i <= agents; ++i) {
      models::HostInfo h;
      h.name = "agent-" + std::to_string(i);
      h.node = net.add_node(h.name);
      h.role = models::Role::kPrivateAgent;
      topology.agents.push_back(h);
    }
    ctx = std::make_unique<models::RunContext>(engine, net, trace, params, topology);
    ensemble = std::make_unique<models::ZooKeeperEnsemble>(*ctx, options);
  }

  models::ZooKeeperServer& zk(int sid) { return ensemble->server(sid); }
  sim::NodeId node(int master) const { return topology.masters.at(master - 1).node; }

  // Launches server `sid` at absolute time `at`.
  void launch_at(int sid, sim::SimTime at) {
    engine.schedule_at(at, [this, sid] { zk(sid).launch(); });
  }
  void launch_all(sim::SimTime at) {
    for (int sid = 1; sid <= ensemble->size(); ++sid) launch_at(sid, at);
  }

  // Times of every reach of a milestone (any node), in order.
  std::vector<sim::SimTime> times(std::string_view milestone) const {
    std::vector<sim::SimTime> out;
    for (const sim::RecordId id : trace.milestones_named(milestone)) {
      out.push_back(trace.at(id).time);
    }
    return out;
  }
  std::vector<std::string> details(std::string_view milestone) const {
    std::vector<std::string> out;
    for (const sim::RecordId id : trace.milestones_named(milestone)) {
      out.emplace_back(trace.at(id).detail());
    }
    return out;
  }
  // The whole trace as text, for INFO() on failure.
  std::string dump() const {
    std::string s;
    for (const sim::TraceRecord& r : trace.records()) {
      s += fmt::format("{}us {} {} {} {}\n", r.time.ns() / 1000, r.node(), r.component(), r.name(),
                       r.detail());
    }
    return s;
  }

  sim::Engine engine;
  sim::Network net;
  sim::Trace trace;
  models::Parameters params;
  models::Topology topology;
  std::unique_ptr<models::RunContext> ctx;
  std::unique_ptr<models::ZooKeeperEnsemble> ensemble;
};

}  // namespace bootsim::testing
