// Mesos-DNS on its own (models/dns/mesos_dns.hpp), over the ZooKeeper model with a stand-in
// master: nothing served before the first reload, the records and their TTL, a failed reload
// keeping the old records, and the exit after zkDetectionTimeout without a leader.
#include <catch2/catch.hpp>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "models/dns/dns_wire.hpp"
#include "models/dns/mesos_dns.hpp"
#include "models/mesos/group.hpp"
#include "models/mesos/protocol.hpp"
#include "sim/request.hpp"
#include "tests/zk_world.hpp"

using namespace bootsim;
using bootsim::testing::ZkWorld;
namespace dns = bootsim::models::dns;

namespace {

constexpr sim::SimTime kDnsLatency = sim::milliseconds(1);
constexpr sim::SimTime kDnsQuorumBy = sim::seconds(3);
using Overrides = std::vector<std::pair<std::string, std::string>>;

class MesosDnsControl final : public models::UnitControl {
 public:
  explicit MesosDnsControl(models::RunContext& ctx) : ctx_(ctx) {}
  std::optional<sim::RecordId> mark_started(std::string detail) override {
    return ctx_.event("master-2", "dcos-mesos-dns", "active", std::move(detail));
  }
  void exit(std::string reason) override {
    exits.push_back(reason);
    at.push_back(ctx_.now());
  }
  void finished(std::string detail) override { exit("finished: " + detail); }
  std::vector<std::string> exits;
  std::vector<sim::SimTime> at;

 private:
  models::RunContext& ctx_;
};

// ZooKeeper on three masters; Mesos-DNS on master-2; a stand-in Mesos master on master-1 that
// contends (start_master) and answers /master/state with the leader its election detects.
struct MesosDnsWorld {
  explicit MesosDnsWorld(const Overrides& overrides = {})
      : w(3, kDnsLatency, {{"zookeeper.server_start", "1s"}}, {}, 1, 1), control(*w.ctx) {
    for (const auto& [k, v] : overrides) {
      std::string error;
      REQUIRE(w.params.set(k, v, error));
    }
    w.launch_all(sim::SimTime::zero());
    master = w.net.add_process(w.node(1), "mesos-master");
    mesos_dns = w.net.add_process(w.node(2), "mesos-dns");
    client = w.net.add_process(w.topology.agents[0].node, "client");
    w.net.start_process(client);
    w.engine.run_until(kDnsQuorumBy);
    REQUIRE(w.ensemble->serving_leader() != 0);
  }
  void start_mesos_dns() {
    w.net.start_process(mesos_dns);
    model = std::make_unique<models::MesosDns>(*w.ctx, sim::Distribution::constant(kDnsLatency));
    site = models::UnitSite{w.node(2), "master-2", "dcos-mesos-dns", mesos_dns};
    model->on_exec(site, mesos_dns, control);
  }
  void start_master() {
    w.net.start_process(master);
    w.net.bind(master, models::ports::kMesosMaster, [this](sim::Address from, const sim::Message&) {
      auto s = std::make_shared<models::mesos::State>();
      if (election && election->leader()) s->leader = election->leader()->info.hostname;
      s->frameworks = {"marathon"};
      s->framework_hosts = {"master-3"};
      w.net.send_datagram(master, models::ports::kMesosMaster, from, s);
    });
    election = std::make_unique<models::MesosMasterElection>(
        *w.ctx, master, models::MesosMasterElection::Callbacks{});
    election->start();
  }
  // Asks Mesos-DNS for `name` at `at`; the answer (or nullptr) lands in `answers`.
  void ask(sim::SimTime at, std::string name) {
    w.engine.schedule_at(at, [this, name = std::move(name)] {
      sim::request(w.net, client, {w.node(2), dns::kMesosDnsPort},
                   std::make_shared<dns::Query>(name), sim::seconds(1), [this](sim::Message m) {
                     answers.push_back(std::dynamic_pointer_cast<const dns::Response>(m));
                   });
    });
  }

  ZkWorld w;
  MesosDnsControl control;
  sim::ProcessId master, mesos_dns, client;
  models::UnitSite site;  // outlives the model, as a unit's site does
  std::unique_ptr<models::MesosDns> model;
  std::unique_ptr<models::MesosMasterElection> election;
  std::vector<std::shared_ptr<const dns::Response>> answers;
};

}  // namespace

TEST_CASE("mesos-dns: serves nothing before its first reload, then the records with the TTL",
          "[dns][mesos-dns]") {
  MesosDnsWorld m(Overrides{{"mesos-dns.ttl", "7s"}});
  m.start_mesos_dns();
  m.ask(kDnsQuorumBy + sim::seconds(1), "leader.mesos");  // no leader yet: the port is closed
  m.w.engine.schedule_at(kDnsQuorumBy + sim::seconds(3), [&] { m.start_master(); });
  for (const char* name : {"leader.mesos", "master.mesos", "marathon.mesos", "nothing.mesos"}) {
    m.ask(kDnsQuorumBy + sim::seconds(6), name);
  }
  m.w.engine.run_until(kDnsQuorumBy + sim::seconds(8));
  REQUIRE(m.answers.size() == 5);
  CHECK(m.answers[0] == nullptr);
  REQUIRE(m.answers[1] != nullptr);
  CHECK(m.answers[1]->hosts == std::vector<std::string>{"master-1"});
  CHECK(m.answers[1]->ttl == sim::seconds(7));
  CHECK(m.answers[2]->hosts == std::vector<std::string>{"master-1", "master-2", "master-3"});
  CHECK(m.answers[3]->hosts == std::vector<std::string>{"master-3"});
  CHECK(m.answers[4]->rcode == dns::Rcode::kNxDomain);
  CHECK(m.control.exits.empty());
}

TEST_CASE("mesos-dns: a reload that times out keeps the old records", "[dns][mesos-dns]") {
  MesosDnsWorld m(
      Overrides{{"mesos-dns.refreshSeconds", "1s"}, {"mesos-dns.stateTimeoutSeconds", "2s"}});
  m.start_master();
  m.start_mesos_dns();
  m.w.engine.run_until(kDnsQuorumBy + sim::seconds(2));
  const sim::SimTime paused = m.w.engine.now();
  m.w.net.pause_process(m.master);
  m.ask(paused + sim::seconds(5), "leader.mesos");
  m.w.engine.run_until(paused + sim::seconds(6));
  int failed = 0;
  for (const sim::TraceRecord& r : m.w.trace.records()) {
    if (r.component() == "mesos-dns" && r.name() == "reload failed") ++failed;
  }
  CHECK(failed >= 2);
  REQUIRE(m.answers.size() == 1);
  REQUIRE(m.answers[0] != nullptr);
  CHECK(m.answers[0]->hosts == std::vector<std::string>{"master-1"});
}

TEST_CASE("mesos-dns: exits after zkDetectionTimeout without a leader", "[dns][mesos-dns]") {
  MesosDnsWorld m(Overrides{{"mesos-dns.zkDetectionTimeout", "5s"}});
  m.start_mesos_dns();
  m.w.engine.run_until(kDnsQuorumBy + sim::seconds(20));
  REQUIRE_FALSE(m.control.exits.empty());
  CHECK(m.control.exits[0] == "master detection timed out after 5s");
  // Started at 3 s, ready 1 ms later, when the timer is armed.
  CHECK(m.control.at[0] == kDnsQuorumBy + kDnsLatency + sim::seconds(5));
}
