// A ZkWorld with an Exhibitor (and a probe process for gates) on every master.
//
//   ExhibitorWorld x(3);
//   x.start_exhibitor_at(1, sim::seconds(0));
#pragma once

#include <deque>
#include <memory>
#include <string>
#include <vector>

#include "models/core/unit.hpp"
#include "models/exhibitor/exhibitor.hpp"
#include "tests/zk_world.hpp"

namespace bootsim::testing {

struct TestControl final : models::UnitControl {
  std::vector<std::string> started;
  std::vector<std::string> exits;
  std::optional<sim::RecordId> mark_started(std::string detail) override {
    started.push_back(std::move(detail));
    return std::nullopt;
  }
  void exit(std::string reason) override { exits.push_back(std::move(reason)); }
  void finished(std::string detail) override { exits.push_back("finished: " + detail); }
};

struct ExhibitorWorld {
  explicit ExhibitorWorld(int masters, int agents = 0,
                          std::vector<std::pair<std::string, std::string>> overrides =
                              {{"zookeeper.server_start", "1s"}})
      : w(masters, sim::microseconds(100), overrides, {}, 1, agents) {
    for (int m = 1; m <= masters; ++m) {
      exhibitor_procs.push_back(w.net.add_process(w.node(m), "dcos-exhibitor"));
      exhibitors.push_back(std::make_unique<models::Exhibitor>(*w.ctx, *w.ensemble));
    }
    for (const models::HostInfo& h : w.topology.all()) {
      const sim::ProcessId p = w.net.add_process(h.node, "probe");
      w.net.start_process(p);
      probes.push_back(p);
    }
  }
  // The site of a unit on host `index` of topology.all() (masters first). Its names are views,
  // as a unit's are: of the network's node name and of `unit`, kept in `units`.
  models::UnitSite site(std::size_t index, std::string unit) {
    const models::HostInfo h = w.topology.all().at(index);
    units.push_back(std::move(unit));
    models::UnitSite s;
    s.node = h.node;
    s.node_name = w.net.node_name(h.node);
    s.unit = units.back();
    s.probe = probes.at(index);
    return s;
  }
  void start_exhibitor_at(int master, sim::SimTime at) {
    w.engine.schedule_at(at, [this, master] {
      const sim::ProcessId p = exhibitor_procs.at(master - 1);
      w.net.start_process(p);
      // The model keeps a pointer to its site, which a unit owns: here, exec_sites.
      exec_sites.push_back(site(master - 1, "dcos-exhibitor"));
      exhibitors.at(master - 1)->on_exec(exec_sites.back(), p, control);
    });
  }
  void stop_exhibitor_at(int master, sim::SimTime at) {
    w.engine.schedule_at(at, [this, master] {
      w.net.crash_process(exhibitor_procs.at(master - 1));
      exhibitors.at(master - 1)->on_exit();
    });
  }
  // Runs a gate probe at `at`; the result lands in `out`.
  void probe_at(models::Gate& gate, std::size_t host, std::string unit, sim::SimTime at,
                std::optional<models::GateResult>& out, sim::SimTime* done_at = nullptr) {
    units.push_back(std::move(unit));
    const std::string* u = &units.back();
    w.engine.schedule_at(at, [this, &gate, host, u, &out, done_at] {
      out.reset();
      gate.probe(site(host, *u), [this, &out, done_at](models::GateResult r) {
        out = std::move(r);
        if (done_at != nullptr) *done_at = w.engine.now();
      });
    });
  }

  ZkWorld w;
  TestControl control;
  std::vector<sim::ProcessId> exhibitor_procs;
  std::vector<std::unique_ptr<models::Exhibitor>> exhibitors;
  std::vector<sim::ProcessId> probes;       // one per host of topology.all()
  std::deque<std::string> units;            // unit names of sites (stable addresses)
  std::deque<models::UnitSite> exec_sites;  // sites of the Exhibitors exec'd (stable addresses)
};

}  // namespace bootsim::testing
