#include "models/zookeeper/calibration.hpp"

#include <algorithm>
#include <cassert>
#include <memory>
#include <optional>
#include <string>
#include <utility>

#include "models/core/parameters.hpp"
#include "models/core/run_context.hpp"
#include "models/core/topology.hpp"
#include "models/zookeeper/config.hpp"
#include "models/zookeeper/ensemble.hpp"
#include "models/zookeeper/server.hpp"
#include "sim/engine.hpp"
#include "sim/network.hpp"
#include "sim/trace.hpp"

namespace bootsim::models {

namespace {

// The measured set-up (ZooKeeper 3.8.0, 3 JVMs on one 2-core host, loopback).
constexpr std::string_view kLoopback = "50us";
constexpr std::string_view kStartTogether = "uniform(400ms, 790ms)";  // first/last port rows
constexpr std::string_view kStartAlone = "uniform(280ms, 360ms)";     // "one server alone" row
// Set-up before LOOKING in the logs of the contended start; a lone JVM does the same work
// faster by the ratio of the start-time medians (0.34 s alone, 0.595 s together).
constexpr sim::SimTime kSetupTogether = sim::milliseconds(300);
constexpr sim::SimTime kSetupAlone = sim::microseconds(300'000 * 340 / 595);
// Snapshot write + fsync of a near-empty tree on the measuring host. The logs give 0.1-0.17 s
// for a follower to connect and sync including the 100 ms retry, so 0-70 ms of sync work,
// made of one snapshot on the leader (before it accepts learners) and one on the follower.
constexpr sim::SimTime kSnapshotWrite = sim::milliseconds(30);

enum class Launch { kTogether, kFiveSecondsApart };

struct Run {
  sim::Engine engine;
  sim::Network net;
  sim::Trace trace;
  Parameters params;
  Topology topology;
  std::unique_ptr<RunContext> ctx;
  std::unique_ptr<ZooKeeperEnsemble> ensemble;

  Run(std::uint64_t seed, std::string_view tick, Launch launch)
      : engine(seed), net(engine, sim::Distribution::constant(sim::microseconds(50))) {
    std::string error;
    const bool alone = launch == Launch::kFiveSecondsApart;
    const sim::SimTime setup = alone ? kSetupAlone : kSetupTogether;
    const bool ok =
        params.set("zookeeper.snapshot_write", sim::format_duration(kSnapshotWrite), error) &&
        params.set("zookeeper.tickTime", tick, error) &&
        params.set("zookeeper.server_start", alone ? kStartAlone : kStartTogether, error) &&
        params.set("zookeeper.setup_before_looking", sim::format_duration(setup), error);
    assert(ok && "the calibration's own settings are valid");
    (void)ok;
    sim::Distribution loopback;
    sim::Distribution::parse(kLoopback, loopback, error);
    net.set_loopback_latency(loopback);
    for (int i = 1; i <= 3; ++i) {
      HostInfo h;
      h.name = "master-" + std::to_string(i);
      h.node = net.add_node(h.name);
      h.zk_id = i;
      topology.masters.push_back(h);
      // One host in reality: every link is loopback.
    }
    for (int i = 0; i < 3; ++i) {
      for (int j = i + 1; j < 3; ++j) {
        net.set_link_latency(topology.masters[i].node, topology.masters[j].node, loopback);
      }
    }
    ctx = std::make_unique<RunContext>(engine, net, trace, params, topology);
    ZooKeeperServer::Options options;
    options.version = ZooKeeperVersion::k3_8;
    ZooKeeperConfig config = ZooKeeperConfig::from(params, options.version);
    ensemble = std::make_unique<ZooKeeperEnsemble>(*ctx, options, config);
    for (int sid = 1; sid <= 3; ++sid) {
      const sim::SimTime at =
          launch == Launch::kTogether ? sim::SimTime::zero() : sim::seconds(5) * (sid - 1);
      engine.schedule_at(at, [this, sid] { ensemble->server(sid).launch(); });
    }
  }

  std::vector<sim::SimTime> times(std::string_view milestone, std::string_view node = {}) {
    std::vector<sim::SimTime> out;
    for (const sim::RecordId id : trace.milestones_named(milestone)) {
      if (node.empty() || trace.at(id).node == node) out.push_back(trace.at(id).time);
    }
    return out;
  }
};

double median(std::vector<double> v) {
  if (v.empty()) return 0;
  std::sort(v.begin(), v.end());
  const std::size_t n = v.size();
  return n % 2 == 1 ? v[n / 2] : (v[n / 2 - 1] + v[n / 2]) / 2;
}

}  // namespace

std::vector<CalibrationRow> calibrate_zookeeper(int runs, std::uint64_t base_seed) {
  std::vector<CalibrationRow> rows;
  for (const std::string_view tick : {"500ms", "2s"}) {
    const bool t500 = tick == "500ms";
    const std::string suffix = t500 ? " (tick 500 ms)" : " (tick 2000 ms)";
    std::vector<double> first_port, last_port, quorum, from_second, second_to_quorum, third_serves,
        failover;
    for (int i = 0; i < runs; ++i) {
      const std::uint64_t seed = base_seed + static_cast<std::uint64_t>(i);
      {
        Run r(seed, tick, Launch::kTogether);
        r.engine.run_until(sim::seconds(5));
        auto started = r.times("zookeeper.started");
        const auto q = r.times("zookeeper.quorum");
        if (started.size() == 3 && !q.empty()) {
          std::sort(started.begin(), started.end());
          first_port.push_back(started[0].to_seconds());
          last_port.push_back(started[2].to_seconds());
          quorum.push_back(q[0].to_seconds());
          from_second.push_back((q[0] - started[1]).to_seconds());
        }
        // Kill the leader's process (host alive) a second after the quorum.
        const int leader = r.ensemble->serving_leader();
        if (leader != 0) {
          const sim::SimTime kill_at = r.engine.now() + sim::seconds(1);
          r.engine.schedule_at(
              kill_at, [&r, leader] { r.net.crash_process(r.ensemble->server(leader).process()); });
          r.engine.run_until(kill_at + sim::seconds(10));
          const auto q2 = r.times("zookeeper.quorum");
          if (q2.size() == 2) failover.push_back((q2[1] - kill_at).to_seconds());
        }
      }
      {
        Run r(seed, tick, Launch::kFiveSecondsApart);
        r.engine.run_until(sim::seconds(15));
        const auto q = r.times("zookeeper.quorum");
        if (!q.empty()) second_to_quorum.push_back((q[0] - sim::seconds(5)).to_seconds());
        const auto s3 = r.times("zookeeper.serving", "master-3");
        if (!s3.empty()) third_serves.push_back((s3[0] - sim::seconds(10)).to_seconds());
      }
    }
    auto row = [&](std::string name, double measured, const std::vector<double>& v) {
      rows.push_back(CalibrationRow{std::move(name) + suffix, measured, median(v),
                                    static_cast<int>(v.size())});
    };
    row("together: launch -> first client port", t500 ? 0.45 : 0.49, first_port);
    row("together: launch -> last client port", t500 ? 0.65 : 0.74, last_port);
    row("together: launch -> quorum serving", t500 ? 1.23 : 1.31, quorum);
    row("together: 2nd client port -> quorum serving", t500 ? 0.70 : 0.77, from_second);
    row("5 s apart: launch of 2nd -> quorum serving", t500 ? 0.71 : 0.73, second_to_quorum);
    row("5 s apart: launch of 3rd -> it serves", t500 ? 0.47 : 0.45, third_serves);
    row("leader process killed -> new quorum serving", t500 ? 0.38 : 0.45, failover);
  }
  return rows;
}

}  // namespace bootsim::models
