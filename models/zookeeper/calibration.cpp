#include "models/zookeeper/calibration.hpp"

#include <algorithm>
#include <cassert>
#include <cmath>
#include <limits>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <tuple>
#include <utility>

#include "models/core/parameters.hpp"
#include "models/core/run_context.hpp"
#include "models/core/topology.hpp"
#include "models/zookeeper/config.hpp"
#include "models/zookeeper/ensemble.hpp"
#include "models/zookeeper/server.hpp"
#include "sim/cpu.hpp"
#include "sim/engine.hpp"
#include "sim/network.hpp"
#include "sim/trace.hpp"

namespace bootsim::models {

namespace {

// The measuring host (the reference measurements: ZooKeeper 3.8.0, OpenJDK 17, loopback).
constexpr sim::SimTime kLoopback = sim::microseconds(50);
// One JVM alone, launch to client port bound (class loading, one busy thread): 0.28 / 0.34 /
// 0.36 s min/median/max.
constexpr std::string_view kJvmStartAlone = "uniform(280ms, 360ms)";
constexpr std::int64_t kStartThreadsMilli = 1000;
// Set-up between the client port and LOOKING (QuorumPeer.start: the AdminServer's Jetty, the
// election's listener and workers, the JIT compiling what was just loaded): many busy threads,
// so alone it uses both cores and under contention it takes a per-thread share of them (CFS
// shares per thread). The logs show about 0.3 s of it with 3 JVMs on 2 cores; 0.05-0.55 s of
// CPU per JVM (mean 0.3 s, varying with what the JIT picks) spreads the servers' LOOKING as
// the measured "LEADER ELECTION TOOK" (0.3-0.56 s cold) shows.
constexpr std::string_view kSetupWork = "uniform(50ms, 550ms)";
constexpr std::int64_t kSetupThreadsMilli = 8000;
// A follower that lost its leader shuts its server down before it looks again: usually a few
// ms, sometimes hundreds (request processors drained and joined). The measured fail-over
// elections take one finalize wait (0.21 s), two (0.43 s) or three (0.63 s): the survivors
// entered LOOKING that far apart.
constexpr std::string_view kLearnerShutdownWork = "lognormal(median=20ms, p99=400ms)";
// Snapshot write + fsync of a near-empty tree on the measuring host. The logs give 0.1-0.17 s
// for a follower to connect and sync including the 100 ms retry, so 0-70 ms of sync work,
// made of one snapshot on the leader (before it accepts learners) and one on the follower.
constexpr sim::SimTime kSnapshotWrite = sim::milliseconds(30);
// The staggered set-up launched the servers 5 s apart; faults came 1 s after all served.
constexpr sim::SimTime kStagger = sim::seconds(5);
constexpr sim::SimTime kFaultAfterAllServe = sim::seconds(1);

enum class Experiment { kAlone, kTogether, kStaggered, kTogetherThenPause };

Experiment experiment_of(std::string_view scenario) {
  if (scenario.starts_with("single_jvm")) return Experiment::kAlone;
  if (scenario.starts_with("stagger_")) return Experiment::kStaggered;
  if (scenario.starts_with("pause_")) return Experiment::kTogetherThenPause;
  return Experiment::kTogether;  // cold_* and failover_* (the kill follows the cold start)
}

sim::Distribution distribution(std::string_view text) {
  sim::Distribution d;
  std::string why;
  const bool ok = sim::Distribution::parse(text, d, why);
  assert(ok && "the calibration's own distributions are valid");
  (void)ok;
  return d;
}

// The simulated world of one trial: N servers on one host.
struct Trial {
  sim::Engine engine;
  sim::Network net;
  sim::Trace trace;
  Parameters params;
  Topology topology;
  sim::SharedCpu cpu;
  std::unique_ptr<RunContext> ctx;
  std::unique_ptr<ZooKeeperEnsemble> ensemble;

  Trial(std::uint64_t seed, int size, int tick_ms, std::int64_t cores_milli)
      : engine(seed),
        net(engine, sim::Distribution::constant(kLoopback)),
        cpu(engine, cores_milli) {
    configure(tick_ms);
    net.set_loopback_latency(sim::Distribution::constant(kLoopback));
    for (int i = 1; i <= size; ++i) {
      HostInfo h;
      h.name = "server-" + std::to_string(i);
      h.node = net.add_node(h.name);
      h.zk_id = i;
      topology.masters.push_back(h);
    }
    ctx = std::make_unique<RunContext>(engine, net, trace, params, topology);
    ZooKeeperServer::Options options;
    options.version = ZooKeeperVersion::k3_8;
    options.shared_cpu = &cpu;
    options.start_threads_milli = kStartThreadsMilli;
    options.setup_threads_milli = kSetupThreadsMilli;
    options.setup_work = distribution(kSetupWork);
    options.learner_shutdown_work = distribution(kLearnerShutdownWork);
    ensemble = std::make_unique<ZooKeeperEnsemble>(*ctx, options,
                                                   ZooKeeperConfig::from(params, options.version));
  }

  void configure(int tick_ms) {
    std::string error;
    // tick_ms 0 (one server alone): tickTime does not matter; ZooKeeper's sample zoo.cfg value.
    const std::string tick = std::to_string(tick_ms == 0 ? 2000 : tick_ms) + "ms";
    const bool ok =
        params.set("zookeeper.snapshot_write", sim::format_duration(kSnapshotWrite), error) &&
        params.set("zookeeper.tickTime", tick, error) &&
        params.set("zookeeper.server_start", kJvmStartAlone, error);
    assert(ok && "the calibration's own settings are valid");
    (void)ok;
  }

  int size() const { return ensemble->size(); }
  const std::string& node(int sid) const { return ensemble->server(sid).node_name(); }

  // Times of `milestone` at or after `from` (on `node`, or anywhere), in order.
  std::vector<sim::SimTime> times(std::string_view milestone, sim::SimTime from,
                                  std::string_view on = {}) const {
    std::vector<sim::SimTime> out;
    for (const sim::RecordId id : trace.milestones_named(milestone)) {
      const auto& r = trace.at(id);
      if (r.time >= from && (on.empty() || r.node() == on)) out.push_back(r.time);
    }
    return out;
  }
  std::optional<sim::SimTime> first(std::string_view milestone, sim::SimTime from,
                                    std::string_view on = {}) const {
    const auto t = times(milestone, from, on);
    if (t.empty()) return std::nullopt;
    return t.front();
  }
  // When every server in `sids` served at or after `from`, or nullopt.
  std::optional<sim::SimTime> all_serving(const std::vector<int>& sids, sim::SimTime from) const {
    sim::SimTime last = from;
    for (const int sid : sids) {
      const auto t = first("zookeeper.serving", from, node(sid));
      if (!t) return std::nullopt;
      last = std::max(last, *t);
    }
    return last;
  }
  sim::SimTime horizon() const {
    const ZooKeeperConfig& c = ensemble->config();
    return sim::seconds(30) + c.tick * (c.init_limit + c.sync_limit) * 2;
  }
};

using Metrics = std::map<std::string, double, std::less<>>;

void put(Metrics& m, const std::string& name, std::optional<sim::SimTime> t) {
  if (t) m[name] = t->to_seconds();
}

std::vector<int> all_sids(const Trial& t) {
  std::vector<int> sids;
  for (int sid = 1; sid <= t.size(); ++sid) sids.push_back(sid);
  return sids;
}

// The largest "LEADER ELECTION TOOK" among `sids`.
std::optional<sim::SimTime> election_log_max(const Trial& t, const std::vector<int>& sids) {
  std::optional<sim::SimTime> most;
  for (const int sid : sids) {
    const auto took = t.ensemble->server(sid).last_election_took();
    if (took && (!most || *took > *most)) most = took;
  }
  return most;
}

// The cold start: every server launched within `spread`, the script forking them in sid order.
// Returns when all served (nullopt if they did not within the horizon).
std::optional<sim::SimTime> cold_start(Trial& t, sim::SimTime spread, Metrics& m) {
  const int n = t.size();
  for (int sid = 1; sid <= n; ++sid) {
    const sim::SimTime at = n == 1 ? sim::SimTime::zero() : spread * (sid - 1) / (n - 1);
    t.engine.schedule_at(at, [&t, sid] { t.ensemble->server(sid).launch(); });
  }
  t.engine.run_until(t.horizon());
  std::vector<sim::SimTime> ports;
  for (int sid = 1; sid <= n; ++sid) {
    if (const auto p = t.first("zookeeper.started", sim::SimTime::zero(), t.node(sid))) {
      ports.push_back(*p);
    }
  }
  std::sort(ports.begin(), ports.end());
  const auto quorum = t.first("zookeeper.quorum", sim::SimTime::zero());
  if (static_cast<int>(ports.size()) == n) {
    put(m, "cold_port_open_first", ports.front());
    put(m, "cold_port_open_last", ports.back());
    if (quorum) {
      put(m, "cold_quorum_after_majority_port_open", *quorum - ports[std::size_t(n / 2)]);
    }
  }
  put(m, "cold_quorum", quorum);
  if (const int leader = t.ensemble->serving_leader(); leader != 0) {
    put(m, "cold_leader", t.first("zookeeper.serving", sim::SimTime::zero(), t.node(leader)));
  }
  const auto all = t.all_serving(all_sids(t), sim::SimTime::zero());
  put(m, "cold_all", all);
  put(m, "cold_fle_log_max", election_log_max(t, all_sids(t)));
  return all;
}

// The leader killed (kill -9) or stopped (SIGSTOP) at `at`; what the others do after.
void leader_fault(Trial& t, sim::SimTime at, bool pause, const std::string& prefix, Metrics& m) {
  const int leader = t.ensemble->serving_leader();
  if (leader == 0) return;
  const sim::ProcessId p = t.ensemble->server(leader).process();
  t.engine.schedule_at(at, [&t, p, pause] {
    if (pause) {
      t.net.pause_process(p);
    } else {
      t.net.crash_process(p);
    }
  });
  t.engine.run_until(at + t.horizon());
  std::vector<int> survivors;
  int new_leader = 0;
  for (int sid = 1; sid <= t.size(); ++sid) {
    if (sid == leader) continue;
    survivors.push_back(sid);
    const ZooKeeperServer& s = t.ensemble->server(sid);
    if (s.serving() && s.peer_state() == PeerState::kLeading) new_leader = sid;
  }
  const auto since = [at](std::optional<sim::SimTime> x) {
    return x ? std::optional<sim::SimTime>(*x - at) : std::nullopt;
  };
  put(m, prefix + "quorum", since(t.first("zookeeper.quorum", at)));
  if (new_leader != 0) {
    put(m, prefix + "leader", since(t.first("zookeeper.serving", at, t.node(new_leader))));
  }
  put(m, prefix + "all_survivors", since(t.all_serving(survivors, at)));
  if (!pause) put(m, prefix + "fle_log_max", election_log_max(t, survivors));
}

Metrics run_trial(Experiment e, int size, int tick_ms, sim::SimTime spread,
                  const CalibrationSetUp& setup, std::uint64_t seed) {
  Trial t(seed, size, tick_ms, setup.cores_milli);
  Metrics m;
  switch (e) {
    case Experiment::kAlone:
      t.engine.schedule_at(sim::SimTime::zero(), [&t] { t.ensemble->server(1).launch(); });
      t.engine.run_until(sim::seconds(10));
      put(m, "single_jvm_port_open", t.first("zookeeper.started", sim::SimTime::zero()));
      break;
    case Experiment::kStaggered: {
      for (int sid = 1; sid <= size; ++sid) {
        t.engine.schedule_at(kStagger * (sid - 1), [&t, sid] { t.ensemble->server(sid).launch(); });
      }
      t.engine.run_until(kStagger * (size - 1) + t.horizon());
      const auto quorum = t.first("zookeeper.quorum", sim::SimTime::zero());
      put(m, "stagger_quorum_from_first_launch", quorum);
      if (quorum) {
        put(m, "stagger_quorum_after_majority_launch", *quorum - kStagger * (size / 2));
      }
      const sim::SimTime last_launch = kStagger * (size - 1);
      const auto last = t.first("zookeeper.serving", last_launch, t.node(size));
      if (last) put(m, "stagger_last_serving_after_last_launch", *last - last_launch);
      break;
    }
    case Experiment::kTogether:
    case Experiment::kTogetherThenPause: {
      const auto all = cold_start(t, spread, m);
      if (!all || size == 1) break;
      const bool pause = e == Experiment::kTogetherThenPause;
      leader_fault(t, t.engine.now() + kFaultAfterAllServe, pause, pause ? "pause_" : "failover_",
                   m);
      break;
    }
  }
  return m;
}

double mean(const std::vector<double>& v) {
  if (v.empty()) return 0;
  double sum = 0;
  for (const double x : v) sum += x;
  return sum / static_cast<double>(v.size());
}

double median(std::vector<double> v) {
  if (v.empty()) return 0;
  std::sort(v.begin(), v.end());
  const std::size_t n = v.size();
  return n % 2 == 1 ? v[n / 2] : (v[n / 2 - 1] + v[n / 2]) / 2;
}

double off_by(double simulated, double measured) {
  if (measured == 0) return simulated == 0 ? 0 : std::numeric_limits<double>::infinity();
  return std::abs(simulated - measured) / measured;
}

using GroupKey = std::tuple<int, int, std::string>;

// The median of the group's launch-spread rows: the set-up input of cold starts.
sim::SimTime launch_spread(const std::vector<Measurement>& rows, int size, int tick_ms) {
  std::vector<double> spreads;
  for (const Measurement& r : rows) {
    if (r.ensemble_size == size && r.tick_ms == tick_ms && r.scenario == "cold_launch_spread") {
      spreads.push_back(r.seconds);
    }
  }
  return sim::microseconds(static_cast<std::int64_t>(std::llround(median(spreads) * 1e6)));
}

}  // namespace

bool CalibrationReport::ok() const {
  return std::all_of(groups.begin(), groups.end(), [](const auto& g) { return g.ok; });
}

namespace {

// Simulated values of every scenario of one (size, tick, experiment), over the seeds.
class Simulations {
 public:
  Simulations(const std::vector<Measurement>& rows, const CalibrationSetUp& setup)
      : rows_(rows), setup_(setup) {}

  std::vector<double> values(int size, int tick_ms, std::string_view scenario) {
    const Experiment e = experiment_of(scenario);
    const auto key = std::make_tuple(size, tick_ms, static_cast<int>(e));
    auto it = cache_.find(key);
    if (it == cache_.end()) {
      std::vector<Metrics> runs;
      const sim::SimTime spread = launch_spread(rows_, size, tick_ms);
      for (int i = 0; i < setup_.runs; ++i) {
        runs.push_back(run_trial(e, size, tick_ms, spread, setup_,
                                 setup_.seed + static_cast<std::uint64_t>(i)));
      }
      it = cache_.emplace(key, std::move(runs)).first;
    }
    std::vector<double> out;
    for (const Metrics& m : it->second) {
      const auto v = m.find(scenario);
      if (v != m.end()) out.push_back(v->second);
    }
    std::sort(out.begin(), out.end());
    return out;
  }

 private:
  const std::vector<Measurement>& rows_;
  const CalibrationSetUp& setup_;
  std::map<std::tuple<int, int, int>, std::vector<Metrics>> cache_;
};

CalibrationGroup compare_group(const GroupKey& key, const std::vector<std::size_t>& members,
                               const std::vector<Measurement>& measured, Simulations& sims,
                               const CalibrationSetUp& setup, std::vector<CalibrationRow>& rows) {
  const auto& [size, tick, scenario] = key;
  CalibrationGroup g;
  g.ensemble_size = size;
  g.tick_ms = tick;
  g.scenario = scenario;
  g.trials = static_cast<int>(members.size());
  std::vector<double> values;
  for (const std::size_t i : members) values.push_back(measured[i].seconds);
  g.measured_mean_s = mean(values);
  const MeasurementScenario* kind = find_measurement_scenario(scenario);
  if (kind->use != MeasurementUse::kCompared) {
    g.note = kind->use == MeasurementUse::kSetUpInput ? "set-up input (launch spread)"
                                                      : "not modelled (a bare JVM)";
    return g;
  }
  g.compared = true;
  const std::vector<double> sim = sims.values(size, tick, scenario);
  g.runs = static_cast<int>(sim.size());
  if (sim.empty()) {
    g.ok = false;
    g.note = "no simulated run reached it";
    return g;
  }
  g.simulated_mean_s = mean(sim);
  g.simulated_min_s = sim.front();
  g.simulated_max_s = sim.back();
  g.off = off_by(g.simulated_mean_s, g.measured_mean_s);
  g.ok = g.off <= setup.tolerance;
  // Each row: could the model have given it? Its distance outside the simulated range.
  for (const std::size_t i : members) {
    CalibrationRow& r = rows[i];
    r.compared = true;
    r.simulated_s = std::clamp(r.measured.seconds, sim.front(), sim.back());
    r.off = off_by(r.simulated_s, r.measured.seconds);
    r.outside = r.off > setup.tolerance;
  }
  return g;
}

}  // namespace

CalibrationReport calibrate_zookeeper(const std::vector<Measurement>& measured,
                                      const CalibrationSetUp& setup) {
  CalibrationReport report;
  std::map<GroupKey, std::vector<std::size_t>> groups;
  for (std::size_t i = 0; i < measured.size(); ++i) {
    CalibrationRow row;
    row.measured = measured[i];
    report.rows.push_back(std::move(row));
    const Measurement& m = measured[i];
    groups[GroupKey{m.ensemble_size, m.tick_ms, m.scenario}].push_back(i);
  }
  Simulations sims(measured, setup);
  for (const auto& [key, members] : groups) {
    report.groups.push_back(compare_group(key, members, measured, sims, setup, report.rows));
  }
  return report;
}

}  // namespace bootsim::models
