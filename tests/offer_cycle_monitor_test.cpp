// The offer-cycle safety checks (models/mesos/offer_cycle_monitor.hpp), fed the records a
// master broken on purpose would make: an admission by a master that does not lead, an offer
// for an agent that never registered or is unreachable. And the records of a correct master,
// which pass.
#include <catch2/catch.hpp>

#include <string>

#include "models/core/parameters.hpp"
#include "models/core/run_context.hpp"
#include "models/core/topology.hpp"
#include "models/mesos/offer_cycle_monitor.hpp"
#include "sim/engine.hpp"
#include "sim/network.hpp"
#include "sim/trace.hpp"

namespace sim = bootsim::sim;
namespace models = bootsim::models;

namespace {

struct Harness {
  sim::Engine engine{1};
  sim::Network net{engine, sim::Distribution::constant(sim::milliseconds(1))};
  sim::Trace trace;
  models::Parameters params;
  models::Topology topology;
  models::RunContext ctx{engine, net, trace, params, topology};
  models::OfferCycleMonitor monitor{ctx};

  void lead(const std::string& master) { ctx.event(master, "mesos-master", "leading"); }
  sim::RecordId admit(const std::string& master, const std::string& agent) {
    const auto id = ctx.event(master, "mesos-master", "admit_agent", agent);
    return ctx.milestone(agent, "agent.registered", "admitted", id);
  }
  void offer(const std::string& agent, std::optional<sim::RecordId> cause) {
    ctx.event(agent, "mesos-master", "offered", "offer 1", cause);
  }
};

}  // namespace

TEST_CASE("a correct master's registrations and offers pass the checks", "[checks][mesos]") {
  Harness h;
  h.lead("master-1");
  const auto reg = h.admit("master-1", "agent-1");
  h.offer("agent-1", reg);
  CHECK(h.ctx.violations().empty());
}

TEST_CASE("an agent admitted by a master that does not lead is caught", "[checks][mesos]") {
  Harness h;
  h.lead("master-1");
  h.admit("master-2", "agent-1");
  REQUIRE(h.ctx.violations().size() == 1);
  CHECK(h.ctx.violations()[0].rule == "agent-registers-with-leader");
  CHECK(h.ctx.violations()[0].nodes == "agent-1,master-2");
}

TEST_CASE("an agent registered with no admission at all is caught", "[checks][mesos]") {
  Harness h;
  h.ctx.milestone("agent-1", "agent.registered", "admitted");
  REQUIRE(h.ctx.violations().size() == 1);
  CHECK(h.ctx.violations()[0].rule == "agent-registers-with-leader");
}

TEST_CASE("an offer for an agent that never registered is caught", "[checks][mesos]") {
  Harness h;
  h.lead("master-1");
  h.offer("agent-3", std::nullopt);
  REQUIRE(h.ctx.violations().size() == 1);
  CHECK(h.ctx.violations()[0].rule == "offer-for-registered-agent");
  CHECK(h.ctx.violations()[0].nodes == "agent-3");
}

TEST_CASE("an offer for an agent marked unreachable is caught", "[checks][mesos]") {
  Harness h;
  h.lead("master-1");
  const auto reg = h.admit("master-1", "agent-1");
  h.ctx.event("agent-1", "mesos-master", "unreachable", "removed");
  h.offer("agent-1", reg);
  REQUIRE(h.ctx.violations().size() == 1);
  CHECK(h.ctx.violations()[0].rule == "offer-for-registered-agent");
}
