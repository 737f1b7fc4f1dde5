// Behaviour of the systemd unit machine (models/systemd_unit.hpp): attempt → gates in order →
// on a failed gate wait RestartSec and attempt again, forever → exec the main process →
// mark_started → milestone; process exits, kills, pauses, host loss and timers. The world is
// built by hand with test gates and a test process, so every time below is computed by hand.
#include "models/systemd/systemd_unit.hpp"

#include <catch2/catch.hpp>
#include <cstdint>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "models/core/parameters.hpp"
#include "models/core/run_context.hpp"
#include "models/core/topology.hpp"
#include "models/core/unit.hpp"
#include "models/systemd/profile.hpp"
#include "sim/engine.hpp"
#include "sim/network.hpp"
#include "sim/trace.hpp"
#include "tests/printers.hpp"

namespace sim = bootsim::sim;
namespace models = bootsim::models;
using models::GateResult;
using models::SystemdUnit;
using models::UnitState;
using sim::SimTime;

namespace {

constexpr const char* kNode = "master-1";
constexpr const char* kUnit = "dcos-test";
constexpr const char* kMilestone = "test.started";

// Every probe of every gate, in order: (time the probe began, gate name).
using ProbeLog = std::vector<std::pair<SimTime, std::string>>;

// A gate that passes once the simulated clock reaches `opens_at` (judged when its answer is
// ready) and takes `cost` to answer. `answer_on_engine` answers through the engine rather than
// the probe process, so the answer survives a host crash (a stale answer the unit must ignore).
class ClockGate final : public models::Gate {
 public:
  ClockGate(models::RunContext& ctx, std::string name, SimTime opens_at, SimTime cost,
            ProbeLog* log)
      : Gate(ctx), name_(std::move(name)), opens_at_(opens_at), cost_(cost), log_(log) {}

  std::string_view name() const override { return name_; }
  void probe(const models::UnitSite& site, std::function<void(GateResult)> done) override {
    models::RunContext& ctx = ctx_;
    if (log_ != nullptr) log_->emplace_back(ctx.now(), name_);
    auto pending = std::make_shared<std::function<void(GateResult)>>(std::move(done));
    auto answer = [this, &ctx, pending] {
      const bool open = ctx.now() >= opens_at_;
      (*pending)(GateResult{open, open ? "" : "closed until " + sim::format_duration(opens_at_),
                            open ? cause : std::nullopt});
    };
    if (answer_on_engine) {
      ctx.engine().schedule_after(cost_, answer);
    } else {
      ctx.network().after(site.probe, cost_, answer);
    }
  }

  std::optional<sim::RecordId> cause;  // handed to the unit when the gate passes
  bool answer_on_engine = false;

 private:
  std::string name_;
  SimTime opens_at_;
  SimTime cost_;
  ProbeLog* log_;
};

// A main process that is ready `start` after exec (UnitProcess's own opening draws it);
// optionally exits on its own `exit_after` its first exec.
class DelayedStart final : public models::UnitProcess {
 public:
  DelayedStart(models::RunContext& ctx, sim::Distribution start)
      : UnitProcess(ctx, std::move(start)) {}

  void on_exit() override { ++exits; }
  void on_hangup() override { hangups.push_back(ctx_.now()); }

  std::optional<SimTime> exit_after;
  std::vector<SimTime> hangups;
  std::vector<SimTime> execs;
  std::vector<SimTime> ready;
  std::vector<std::uint64_t> incarnations;
  int exits = 0;

 private:
  void on_spawned() override {
    sim::Network& net = ctx_.network();
    execs.push_back(net.now());
    CHECK(net.process_state(process_) == sim::ProcessState::kUp);
    CHECK(net.node_of(process_) == site_->node);
    incarnations.push_back(net.incarnation(process_));
    if (exit_after && execs.size() == 1) {
      models::UnitControl* c = control_;
      net.after(process_, *exit_after, [c] { c->exit("boom"); });
    }
  }
  void on_ready() override {
    ready.push_back(ctx_.now());
    control_->mark_started("ready");
  }
};

// One node with its systemd (the probe process) and one unit under test.
struct UnitWorld {
  UnitWorld() : engine(1), net(engine, sim::Distribution::constant(sim::milliseconds(1))) {
    node = net.add_node(kNode);
    topology.masters.push_back(models::HostInfo{node, kNode, models::Role::kMaster, 1, {}});
    ctx = std::make_unique<models::RunContext>(engine, net, trace, params, topology);
    systemd = net.add_process(node, "systemd");
    net.start_process(systemd);
    def.name = kUnit;
    def.roles = {models::Role::kMaster};
    def.restart_sec = sim::seconds(5);
    def.milestone = kMilestone;
  }

  // Adds a gate (and its GateDef) in order; returns it for further set-up.
  ClockGate& gate(std::string name, SimTime opens_at, SimTime cost, std::string milestone = {}) {
    def.gates.push_back(models::GateDef{"test", name, std::move(milestone)});
    gates.push_back(std::make_unique<ClockGate>(*ctx, std::move(name), opens_at, cost, &probes));
    return *gates.back();
  }

  DelayedStart& make_unit(SimTime start_delay) {
    return make_unit(sim::Distribution::constant(start_delay));
  }
  DelayedStart& make_unit(sim::Distribution start) {
    auto p = std::make_unique<DelayedStart>(*ctx, std::move(start));
    DelayedStart& ref = *p;
    std::vector<std::unique_ptr<models::Gate>> g;
    for (auto& x : gates) g.push_back(std::move(x));
    gates.clear();
    unit = std::make_unique<SystemdUnit>(*ctx, models::UnitSite{node, kNode, kUnit, systemd}, def,
                                         std::move(g), std::move(p));
    return ref;
  }

  void at(SimTime t, sim::Callback cb) { engine.schedule_at(t, std::move(cb)); }
  // The host loses power at `t`: the network drops it, the unit stops without a word.
  void crash_host_at(SimTime t) {
    at(t, [this] {
      net.crash_node(node);
      unit->host_down();
    });
  }
  // The host is powered on again at `t`: systemd comes up and boots the unit.
  void reboot_host_at(SimTime t) {
    at(t, [this] {
      net.restart_node(node);
      net.start_process(systemd);
      unit->boot();
    });
  }
  void run_until(SimTime t) { engine.run_until(t); }

  std::vector<SimTime> milestone_times(std::string_view name) const {
    std::vector<SimTime> out;
    for (const sim::RecordId id : trace.milestones_named(name)) out.push_back(trace.at(id).time);
    return out;
  }
  // The unit's trace events named `event`, as (time, detail).
  std::vector<std::pair<SimTime, std::string>> events(std::string_view event) const {
    std::vector<std::pair<SimTime, std::string>> out;
    for (const sim::TraceRecord& r : trace.records()) {
      if (r.kind == sim::RecordKind::kEvent && r.node() == kNode && r.component() == kUnit &&
          r.name() == event) {
        out.emplace_back(r.time, r.detail());
      }
    }
    return out;
  }
  std::vector<SimTime> probe_times(std::string_view gate) const {
    std::vector<SimTime> out;
    for (const auto& [t, g] : probes) {
      if (g == gate) out.push_back(t);
    }
    return out;
  }

  sim::Engine engine;
  sim::Network net;
  sim::Trace trace;
  models::Parameters params;
  models::Topology topology;
  std::unique_ptr<models::RunContext> ctx;
  sim::NodeId node;
  sim::ProcessId systemd;
  models::UnitDef def;
  std::vector<std::unique_ptr<ClockGate>> gates;
  ProbeLog probes;
  std::unique_ptr<SystemdUnit> unit;
};

SimTime ms(std::int64_t n) {
  return sim::milliseconds(n);
}
SimTime s(std::int64_t n) {
  return sim::seconds(n);
}

}  // namespace

TEST_CASE("a failing gate is retried every RestartSec until it opens", "[systemd]") {
  UnitWorld w;
  w.gate("wait-for-12s", s(12), SimTime::zero());
  DelayedStart& p = w.make_unit(s(2));
  w.unit->boot();
  CHECK(w.unit->state() == UnitState::kStartPre);
  CHECK(w.unit->attempts() == 1);
  w.run_until(s(14));
  CHECK(w.unit->state() == UnitState::kAutoRestart);
  CHECK(w.unit->attempts() == 3);
  w.run_until(s(60));
  // Attempts at 0, 5, 10 fail; the one at 15 s passes; the process is ready 2 s later.
  CHECK(w.probe_times("wait-for-12s") == std::vector<SimTime>{s(0), s(5), s(10), s(15)});
  CHECK(w.unit->attempts() == 4);
  CHECK(p.execs == std::vector<SimTime>{s(15)});
  CHECK(w.milestone_times(kMilestone) == std::vector<SimTime>{s(17)});
  CHECK(w.unit->state() == UnitState::kActive);
  CHECK(w.unit->active_since() == s(17));
  CHECK(w.unit->first_attempt() == s(0));
  CHECK(w.net.process_state(w.unit->main_process()) == sim::ProcessState::kUp);
  CHECK(w.net.process_name(w.unit->main_process()) == "master-1/dcos-test");
}

TEST_CASE("a longer RestartSec quantises the start more coarsely", "[systemd]") {
  UnitWorld w;
  w.def.restart_sec = s(20);
  w.gate("wait-for-12s", s(12), SimTime::zero());
  w.make_unit(s(2));
  w.unit->boot();
  w.run_until(s(60));
  CHECK(w.probe_times("wait-for-12s") == std::vector<SimTime>{s(0), s(20)});
  CHECK(w.milestone_times(kMilestone) == std::vector<SimTime>{s(22)});
}

TEST_CASE("gates run in order, a failed gate ends the attempt, and gate time shifts retries",
          "[systemd]") {
  UnitWorld w;
  w.gate("first", s(12), ms(100));
  w.gate("second", SimTime::zero(), ms(50));
  w.gate("third", SimTime::zero(), ms(30));
  DelayedStart& p = w.make_unit(s(2));
  w.unit->boot();
  w.run_until(s(60));
  // RestartSec counts from the failure: the first gate answers "no" at 0.1 s, 5.2 s, 10.3 s,
  // so attempts begin at 0, 5.1, 10.2 and 15.3 s; at 15.4 s it passes.
  CHECK(w.probe_times("first") == std::vector<SimTime>{s(0), ms(5'100), ms(10'200), ms(15'300)});
  // Later gates are only probed once the earlier ones pass, and in order.
  CHECK(w.probe_times("second") == std::vector<SimTime>{ms(15'400)});
  CHECK(w.probe_times("third") == std::vector<SimTime>{ms(15'450)});
  REQUIRE(w.probes.size() == 6);
  CHECK(w.probes[3].second == "first");
  CHECK(w.probes[4].second == "second");
  CHECK(w.probes[5].second == "third");
  CHECK(w.unit->attempts() == 4);
  // Milestone: last attempt (15.3 s) + gate costs (0.1 + 0.05 + 0.03 s) + start delay (2 s).
  CHECK(p.execs == std::vector<SimTime>{ms(15'480)});
  CHECK(w.milestone_times(kMilestone) == std::vector<SimTime>{ms(17'480)});
}

TEST_CASE("a failed later gate restarts from the first gate", "[systemd]") {
  UnitWorld w;
  w.gate("first", SimTime::zero(), SimTime::zero());
  w.gate("second", s(7), SimTime::zero());
  w.make_unit(s(1));
  w.unit->boot();
  w.run_until(s(60));
  CHECK(w.probe_times("first") == std::vector<SimTime>{s(0), s(5), s(10)});
  CHECK(w.probe_times("second") == std::vector<SimTime>{s(0), s(5), s(10)});
  CHECK(w.milestone_times(kMilestone) == std::vector<SimTime>{s(11)});
}

TEST_CASE("failed gates are traced with the gate's name and reason", "[systemd][trace]") {
  UnitWorld w;
  w.gate("ping -c1 leader.mesos", s(12), SimTime::zero());
  w.make_unit(s(2));
  w.unit->boot();
  w.run_until(s(60));
  const auto failed = w.events("gate_failed");
  REQUIRE(failed.size() == 3);
  for (std::size_t i = 0; i < failed.size(); ++i) {
    CHECK(failed[i].first == s(5) * static_cast<std::int64_t>(i));
    CHECK(failed[i].second == "ping -c1 leader.mesos: closed until 12s");
  }
  // Every state change goes out as an event named after the new state.
  CHECK(w.events("auto-restart").size() == 3);
  CHECK(w.events("start-pre").size() == 4);
  CHECK(w.events("start-pre").back().second == "attempt 4");
  CHECK(w.events("exec") == std::vector<std::pair<SimTime, std::string>>{{s(15), ""}});
  CHECK(w.events("starting").size() == 1);
  REQUIRE(w.events("active").size() == 1);
  CHECK(w.events("active")[0] == std::make_pair(s(17), std::string("ready")));
}

TEST_CASE("a gate's milestone is recorded once, at its first pass", "[systemd][milestone]") {
  UnitWorld w;
  w.gate("reachable", s(3), SimTime::zero(), "test.gate_open");
  DelayedStart& p = w.make_unit(s(1));
  p.exit_after = s(4);
  w.unit->boot();
  w.run_until(s(60));
  // Attempts at 0 (fail) and 5 (pass), exec 5, ready 6, exit 9, attempt 14 passes again.
  CHECK(w.probe_times("reachable") == std::vector<SimTime>{s(0), s(5), s(14)});
  CHECK(w.milestone_times("test.gate_open") == std::vector<SimTime>{s(5)});
  CHECK(w.milestone_times(kMilestone) == std::vector<SimTime>{s(6), s(15)});
  REQUIRE(w.trace.first_milestone("test.gate_open", kNode).has_value());
  CHECK(w.trace.at(*w.trace.first_milestone("test.gate_open", kNode)).detail() == "reachable");
}

TEST_CASE("a later gate's milestone is recorded at its first pass, and again after a reboot",
          "[systemd][milestone]") {
  UnitWorld w;
  w.gate("first", SimTime::zero(), SimTime::zero());
  w.gate("second", s(3), SimTime::zero(), "test.second_open");
  DelayedStart& p = w.make_unit(s(1));
  p.exit_after = s(4);
  w.unit->boot();
  w.crash_host_at(s(30));
  w.reboot_host_at(s(40));
  w.run_until(s(35));
  // Attempt 0: the first gate passes, the second fails; attempt 5: both pass (recorded); the
  // attempt after the exit at 9 (14) passes both again, unrecorded.
  CHECK(w.probe_times("second") == std::vector<SimTime>{s(0), s(5), s(14)});
  CHECK(w.milestone_times("test.second_open") == std::vector<SimTime>{s(5)});
  w.run_until(s(45));
  CHECK(w.milestone_times("test.second_open") == std::vector<SimTime>{s(5), s(40)});
}

TEST_CASE("the milestone's cause chain leads to the gate condition established last",
          "[systemd][trace]") {
  UnitWorld w;
  ClockGate& a = w.gate("a", SimTime::zero(), SimTime::zero());
  ClockGate& b = w.gate("b", SimTime::zero(), SimTime::zero());
  std::optional<sim::RecordId> first, second;
  SECTION("the last gate's condition came last") {
    first = w.ctx->event("master-2", "zookeeper", "condition a");
    second = w.ctx->event("master-3", "zookeeper", "condition b");
    a.cause = first;
    b.cause = second;
  }
  SECTION("the first gate's condition came last") {
    second = w.ctx->event("master-2", "zookeeper", "condition b");
    first = w.ctx->event("master-3", "zookeeper", "condition a");
    a.cause = first;
    b.cause = second;
    std::swap(first, second);  // `second` is the later record either way
  }
  w.make_unit(s(1));
  w.unit->boot();
  w.run_until(s(60));
  const auto reached = w.trace.first_milestone(kMilestone, kNode);
  REQUIRE(reached.has_value());
  const sim::TraceRecord& m = w.trace.at(*reached);
  REQUIRE(m.cause().has_value());
  const sim::TraceRecord& exec = w.trace.at(*m.cause());
  CHECK(exec.name() == "exec");
  CHECK(exec.component() == kUnit);
  REQUIRE(exec.cause().has_value());
  CHECK(*exec.cause() == *second);
  // The span of time spent in gates carries the same cause.
  bool found_span = false;
  for (const sim::TraceRecord& r : w.trace.records()) {
    if (r.kind == sim::RecordKind::kSpan && r.name() == "gates") {
      found_span = true;
      CHECK(r.cause() == second);
    }
  }
  CHECK(found_span);
}

TEST_CASE("a process that exits is restarted after RestartSec", "[systemd]") {
  UnitWorld w;
  DelayedStart& p = w.make_unit(s(1));
  p.exit_after = s(3);
  w.unit->boot();
  w.run_until(s(3));
  CHECK(w.unit->state() == UnitState::kAutoRestart);
  CHECK_FALSE(w.unit->active_since().has_value());
  CHECK(p.exits == 1);
  CHECK(w.net.process_state(w.unit->main_process()) == sim::ProcessState::kDown);
  w.run_until(s(60));
  // No gates: exec at once; ready at 1 s, exits at 3 s, exec again at 8 s, ready at 9 s.
  CHECK(p.execs == std::vector<SimTime>{s(0), s(8)});
  CHECK(p.incarnations == std::vector<std::uint64_t>{1, 2});
  CHECK(w.milestone_times(kMilestone) == std::vector<SimTime>{s(1), s(9)});
  CHECK(w.events("exited") == std::vector<std::pair<SimTime, std::string>>{{s(3), "boom"}});
  CHECK(w.unit->attempts() == 2);
  CHECK(w.unit->state() == UnitState::kActive);
  CHECK(w.unit->active_since() == s(9));
}

TEST_CASE("every exec draws the start time afresh from the incarnation's stream", "[systemd]") {
  UnitWorld w;
  const auto start = sim::Distribution::uniform(s(1), s(3));
  DelayedStart& p = w.make_unit(start);
  p.exit_after = s(5);
  w.unit->boot();
  w.run_until(s(60));
  REQUIRE(p.execs.size() == 2);
  REQUIRE(p.ready.size() == 2);
  for (std::size_t i = 0; i < 2; ++i) {
    // The stream "<node>/<unit>/start/<incarnation>": ctx.stream(process, "start").
    sim::RandomStream rng = w.engine.stream(std::string(kNode) + "/" + kUnit + "/start/" +
                                            std::to_string(p.incarnations[i]));
    CHECK(p.ready[i] - p.execs[i] == start.sample(rng));
  }
}

TEST_CASE("a process killed while starting never becomes ready", "[systemd][fault]") {
  UnitWorld w;
  DelayedStart& p = w.make_unit(s(3));
  w.unit->boot();
  w.at(s(1), [&] { w.unit->kill_process("chaos"); });
  w.run_until(s(7));
  // exec 0 s (ready due at 3 s) killed at 1 s; exec again at 6 s, ready due at 9 s.
  CHECK(p.execs == std::vector<SimTime>{s(0), s(6)});
  CHECK(p.ready.empty());
  w.run_until(s(60));
  CHECK(p.ready == std::vector<SimTime>{s(9)});
}

TEST_CASE("a killed process is restarted after RestartSec", "[systemd][fault]") {
  UnitWorld w;
  w.gate("g", SimTime::zero(), ms(10));
  DelayedStart& p = w.make_unit(s(1));
  w.unit->boot();
  w.at(s(20), [&] { w.unit->kill_process("chaos"); });
  w.run_until(s(60));
  // exec 0.01 s, ready 1.01 s; killed 20 s; attempt 25 s, exec 25.01 s, ready 26.01 s.
  CHECK(p.execs == std::vector<SimTime>{ms(10), ms(25'010)});
  CHECK(w.milestone_times(kMilestone) == std::vector<SimTime>{ms(1'010), ms(26'010)});
  CHECK(w.events("exited") ==
        std::vector<std::pair<SimTime, std::string>>{{s(20), "killed: chaos"}});
  CHECK(p.exits == 1);
  CHECK(w.unit->attempts() == 2);
}

TEST_CASE("killing a unit that has no main process does nothing", "[systemd][fault]") {
  UnitWorld w;
  w.gate("wait-for-12s", s(12), SimTime::zero());
  DelayedStart& p = w.make_unit(s(1));
  w.unit->boot();
  w.at(s(2), [&] { w.unit->kill_process("chaos"); });  // waiting RestartSec
  w.run_until(s(60));
  CHECK(w.events("exited").empty());
  CHECK(p.exits == 0);
  CHECK(w.milestone_times(kMilestone) == std::vector<SimTime>{s(16)});
}

TEST_CASE("a paused process is alive but silent until resumed", "[systemd][fault]") {
  UnitWorld w;
  DelayedStart& p = w.make_unit(s(2));
  w.unit->boot();

  SECTION("paused while starting: readiness waits for the resume") {
    w.at(s(1), [&] { w.unit->pause_process(); });
    w.at(s(10), [&] { w.unit->resume_process(); });
    w.run_until(s(5));
    CHECK(w.unit->state() == UnitState::kPaused);
    CHECK(w.net.process_state(w.unit->main_process()) == sim::ProcessState::kPaused);
    CHECK(w.milestone_times(kMilestone).empty());
    w.run_until(s(60));
    CHECK(w.milestone_times(kMilestone) == std::vector<SimTime>{s(10)});
    CHECK(w.unit->state() == UnitState::kActive);
    CHECK(p.execs.size() == 1);  // no restart: a paused process has not failed
  }
  SECTION("paused while active: back to active at resume") {
    w.at(s(5), [&] { w.unit->pause_process(); });
    w.at(s(8), [&] { w.unit->resume_process(); });
    w.run_until(s(6));
    CHECK(w.unit->state() == UnitState::kPaused);
    w.run_until(s(60));
    CHECK(w.unit->state() == UnitState::kActive);
    CHECK(w.unit->active_since() == s(2));
    CHECK(w.milestone_times(kMilestone) == std::vector<SimTime>{s(2)});
    CHECK(w.events("paused") == std::vector<std::pair<SimTime, std::string>>{{s(5), "SIGSTOP"}});
    CHECK(w.events("active").back() == std::make_pair(s(8), std::string("SIGCONT")));
  }
  SECTION("killed while paused: restarted") {
    w.at(s(5), [&] { w.unit->pause_process(); });
    w.at(s(6), [&] { w.unit->kill_process("chaos"); });
    w.run_until(s(60));
    CHECK(p.execs == std::vector<SimTime>{s(0), s(11)});
    CHECK(w.milestone_times(kMilestone) == std::vector<SimTime>{s(2), s(13)});
    CHECK(w.unit->state() == UnitState::kActive);
  }
}

TEST_CASE("pausing a unit that is still in its gates does nothing", "[systemd][fault]") {
  UnitWorld w;
  w.gate("slow", SimTime::zero(), s(3));
  w.make_unit(s(1));
  w.unit->boot();
  w.at(s(1), [&] { w.unit->pause_process(); });
  w.run_until(s(2));
  CHECK(w.unit->state() == UnitState::kStartPre);
  w.run_until(s(60));
  CHECK(w.milestone_times(kMilestone) == std::vector<SimTime>{s(4)});
}

TEST_CASE("a host crash stops the unit, a reboot starts it from scratch", "[systemd][fault]") {
  UnitWorld w;
  w.gate("g", SimTime::zero(), ms(10));
  DelayedStart& p = w.make_unit(s(1));
  w.unit->boot();
  w.crash_host_at(s(30));
  w.reboot_host_at(s(40));
  w.run_until(s(35));
  CHECK(w.unit->state() == UnitState::kInactive);
  CHECK_FALSE(w.unit->active_since().has_value());
  CHECK(p.exits == 1);
  CHECK(w.net.process_state(w.unit->main_process()) == sim::ProcessState::kDown);
  w.run_until(s(60));
  CHECK(w.unit->attempts() == 1);  // counted afresh for the new boot
  CHECK(w.unit->first_attempt() == s(40));
  CHECK(p.execs == std::vector<SimTime>{ms(10), ms(40'010)});
  CHECK(w.milestone_times(kMilestone) == std::vector<SimTime>{ms(1'010), ms(41'010)});
  CHECK(w.unit->active_since() == ms(41'010));
  CHECK(w.events("inactive") == std::vector<std::pair<SimTime, std::string>>{{s(30), "host down"}});
}

TEST_CASE("a gate answer from before a host crash is ignored after the reboot",
          "[systemd][fault]") {
  UnitWorld w;
  ClockGate& g = w.gate("slow", SimTime::zero(), s(3));
  g.answer_on_engine = true;  // the answer outlives the probe process
  DelayedStart& p = w.make_unit(s(1));
  w.unit->boot();
  w.crash_host_at(s(1));
  w.reboot_host_at(s(2));
  w.run_until(s(60));
  // The stale "pass" at 3 s must not exec; the new attempt's pass at 5 s does.
  CHECK(p.execs == std::vector<SimTime>{s(5)});
  CHECK(w.milestone_times(kMilestone) == std::vector<SimTime>{s(6)});
}

TEST_CASE("a restart timer armed before a host crash does not fire after the reboot",
          "[systemd][fault]") {
  UnitWorld w;
  w.gate("wait-for-12s", s(12), SimTime::zero());
  DelayedStart& p = w.make_unit(s(1));
  w.unit->boot();  // fails at 0, would retry at 5
  w.crash_host_at(s(1));
  w.reboot_host_at(s(3));  // fails at 3, retries at 8, 13
  w.run_until(s(60));
  CHECK(w.probe_times("wait-for-12s") == std::vector<SimTime>{s(0), s(3), s(8), s(13)});
  CHECK(p.execs == std::vector<SimTime>{s(13)});
}

TEST_CASE("a timer unit runs its service OnBootSec after boot, then every OnUnitActiveSec",
          "[systemd][timer]") {
  UnitWorld w;
  w.def.type = models::UnitType::kTimer;
  w.def.on_boot_sec = s(5);
  w.def.on_unit_active_sec = s(60);
  w.def.milestone.clear();
  DelayedStart& p = w.make_unit(s(1));  // a oneshot: done 1 s after exec
  w.unit->boot();
  w.run_until(s(3));
  CHECK(w.unit->state() == UnitState::kInactive);
  CHECK(p.execs.empty());
  w.run_until(s(5) + ms(500));
  CHECK(w.unit->state() == UnitState::kStarting);
  w.run_until(s(7));
  CHECK(w.unit->state() == UnitState::kInactive);  // the oneshot finished
  CHECK(w.net.process_state(w.unit->main_process()) == sim::ProcessState::kDown);
  w.run_until(s(130));
  CHECK(p.execs == std::vector<SimTime>{s(5), s(65), s(125)});
  CHECK(p.exits == 3);
  CHECK(w.unit->attempts() == 3);
  CHECK(w.unit->state() == UnitState::kInactive);
}

TEST_CASE("a timer whose service is still running when it elapses does not start it twice",
          "[systemd][timer]") {
  UnitWorld w;
  w.def.type = models::UnitType::kTimer;
  w.def.on_boot_sec = s(5);
  w.def.on_unit_active_sec = s(60);
  w.def.milestone.clear();
  DelayedStart& p = w.make_unit(s(90));  // slower than the timer's period
  w.unit->boot();
  w.run_until(s(94));
  // Exec at 5 s; at 65 s the service is still activating, so systemd starts nothing new.
  CHECK(p.execs == std::vector<SimTime>{s(5)});
  w.run_until(s(100));
  // The run begun at 5 s completes at 95 s; the elapse of 65 s has passed, so the timer
  // elapses at once (systemd timer.c: the next elapse is the last activation + 60 s).
  CHECK(p.execs == std::vector<SimTime>{s(5), s(95)});
  CHECK(p.incarnations == std::vector<std::uint64_t>{1, 2});
  CHECK(p.exits == 1);
  CHECK(w.unit->state() == UnitState::kStarting);
}

TEST_CASE("a timer shorter than its oneshot runs it back to back, not on a later period",
          "[systemd][timer]") {
  // dcos-gen-resolvconf while Spartan is down: each run waits 3 x 5 s; with
  // OnUnitActiveSec=10s the next run starts as each ends.
  UnitWorld w;
  w.def.type = models::UnitType::kTimer;
  w.def.on_boot_sec = s(5);
  w.def.on_unit_active_sec = s(10);
  w.def.milestone.clear();
  DelayedStart& p = w.make_unit(s(15));
  w.unit->boot();
  w.run_until(s(66));
  CHECK(p.execs == std::vector<SimTime>{s(5), s(20), s(35), s(50), s(65)});
}

TEST_CASE("a SIGKILL from another process kills the main process, and Restart= restarts it",
          "[systemd][signal]") {
  UnitWorld w;
  DelayedStart& p = w.make_unit(s(1));
  w.unit->boot();
  w.at(s(10), [&] {
    CHECK(w.ctx->host(w.node).signal_matching("test", models::Signal::kKill, "dcos-killer") == 1);
  });
  w.run_until(s(20));
  CHECK(p.execs == std::vector<SimTime>{s(0), s(15)});  // killed at 10 s, RestartSec=5s
  CHECK(p.exits == 1);
  const auto signalled = w.events("signalled");
  REQUIRE(signalled.size() == 1);
  CHECK(signalled[0] == std::pair<SimTime, std::string>{s(10), "SIGKILL from dcos-killer"});
  // The sender's own unit never matches, a unit with no running process is not signalled.
  CHECK(w.ctx->host(w.node).signal_matching("test", models::Signal::kKill, kUnit) == 0);
  CHECK(w.ctx->host(w.node).signal_matching("no-such", models::Signal::kKill, "x") == 0);
}

TEST_CASE("a SIGKILL ends a paused process too", "[systemd][signal]") {
  UnitWorld w;
  DelayedStart& p = w.make_unit(s(1));
  w.unit->boot();
  w.at(s(5), [&] { w.unit->pause_process(); });
  w.at(s(10), [&] {
    CHECK(w.ctx->host(w.node).signal_unit(kUnit, models::Signal::kKill, "dcos-killer"));
  });
  w.run_until(s(20));
  CHECK(p.execs == std::vector<SimTime>{s(0), s(15)});
  CHECK(w.unit->state() == UnitState::kActive);
}

TEST_CASE("a SIGHUP reaches the process model, held while the process is stopped",
          "[systemd][signal]") {
  UnitWorld w;
  DelayedStart& p = w.make_unit(s(1));
  CHECK_FALSE(w.ctx->host(w.node).signal_unit(kUnit, models::Signal::kHup, "x"));  // not running
  w.unit->boot();
  w.at(s(3), [&] { CHECK(w.ctx->host(w.node).signal_unit(kUnit, models::Signal::kHup, "x")); });
  w.at(s(5), [&] { w.unit->pause_process(); });
  w.at(s(6), [&] { CHECK(w.ctx->host(w.node).signal_unit(kUnit, models::Signal::kHup, "x")); });
  w.at(s(9), [&] { w.unit->resume_process(); });
  w.run_until(s(20));
  CHECK(p.hangups == std::vector<SimTime>{s(3), s(9)});
  CHECK(p.execs == std::vector<SimTime>{s(0)});  // SIGHUP does not end it
}

TEST_CASE("a unit's state names are printable", "[systemd]") {
  CHECK(models::to_string(UnitState::kInactive) == "inactive");
  CHECK(models::to_string(UnitState::kStartPre) == "start-pre");
  CHECK(models::to_string(UnitState::kStarting) == "starting");
  CHECK(models::to_string(UnitState::kActive) == "active");
  CHECK(models::to_string(UnitState::kAutoRestart) == "auto-restart");
  CHECK(models::to_string(UnitState::kPaused) == "paused");
}
