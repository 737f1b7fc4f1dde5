// RunContext: what every component model of one run shares — clock, network, trace, parameters,
// and the record of safety violations.
//
//   ctx.milestone("master-1", "zookeeper.serving", "follower, epoch 1");
//   ctx.violation("single-zookeeper-leader", "master-1,master-3", "two leaders in epoch 2");
//
// Contract: owned by the Cluster of one run, outlives every model; no globals, so many runs can
// go in parallel. Models record here and never print.
#pragma once

#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "models/parameters.hpp"
#include "models/topology.hpp"
#include "sim/engine.hpp"
#include "sim/network.hpp"
#include "sim/trace.hpp"

namespace bootsim::models {

struct Violation {
  std::string rule;
  sim::SimTime time;
  std::string nodes;  // comma-separated, sorted
  std::string detail;
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
  sim::SimTime now() const { return engine_.now(); }

  sim::RecordId milestone(std::string_view node, std::string_view name, std::string detail = {},
                          std::optional<sim::RecordId> cause = std::nullopt) {
    return trace_.milestone(now(), node, name, std::move(detail), cause);
  }
  sim::RecordId event(std::string_view node, std::string_view component, std::string_view event,
                      std::string detail = {}, std::optional<sim::RecordId> cause = std::nullopt) {
    return trace_.record(now(), node, component, event, std::move(detail), cause);
  }
  void violation(std::string rule, std::string nodes, std::string detail) {
    trace_.record(now(), "cluster", "checks", "violation", rule + ": " + detail);
    violations_.push_back(Violation{std::move(rule), now(), std::move(nodes), std::move(detail)});
  }
  const std::vector<Violation>& violations() const { return violations_; }

 private:
  sim::Engine& engine_;
  sim::Network& network_;
  sim::Trace& trace_;
  const Parameters& params_;
  const Topology& topology_;
  std::vector<Violation> violations_;
};

}  // namespace bootsim::models
