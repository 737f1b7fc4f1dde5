// The DNS models one by one (models/dns): resolv.conf, the glibc-like stub resolver, Spartan and
// its watchdog, and the stale-window measurement. Hand-built worlds with constant latencies, so
// every time below is computed by hand. Mesos-DNS, gen-resolvconf and the whole path are run in
// full boots in dns_path_test.cpp.
#include <catch2/catch.hpp>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "models/core/parameters.hpp"
#include "models/core/run_context.hpp"
#include "models/dns/cached_lookup.hpp"
#include "models/dns/dns_wire.hpp"
#include "models/dns/gen_resolvconf.hpp"
#include "models/dns/ping_gate.hpp"
#include "models/dns/resolv_conf.hpp"
#include "models/dns/spartan.hpp"
#include "models/dns/stub_resolver.hpp"
#include "models/run/dns_windows.hpp"
#include "sim/request.hpp"
#include "tests/printers.hpp"

namespace sim = bootsim::sim;
namespace models = bootsim::models;
namespace dns = bootsim::models::dns;
using sim::SimTime;

namespace {

constexpr SimTime kStubLatency = sim::milliseconds(1);
constexpr SimTime kLoopback = sim::microseconds(20);

class StubControl final : public models::UnitControl {
 public:
  explicit StubControl(models::RunContext& ctx) : ctx_(ctx) {}
  std::optional<sim::RecordId> mark_started(std::string detail) override {
    return ctx_.event("agent-1", "test", "started", std::move(detail));
  }
  void exit(std::string reason) override { exits.push_back(std::move(reason)); }
  void finished(std::string detail) override { exits.push_back("finished: " + detail); }
  std::vector<std::string> exits;

 private:
  models::RunContext& ctx_;
};

// Three masters and agent-1. On each master a stand-in for Mesos-DNS on 61053 answers
// leader.mesos -> master-2 (it can be paused); on agent-1 a client process, and either a real
// Spartan (start_spartan) or a stand-in on port 53 (fake_spartan).
struct DnsWorld {
  explicit DnsWorld(int masters = 3)
      : engine(1), net(engine, sim::Distribution::constant(kStubLatency)) {
    net.set_loopback_latency(sim::Distribution::constant(kLoopback));
    asked.resize(static_cast<std::size_t>(masters));
    for (int i = 1; i <= masters; ++i) {
      const auto n = net.add_node("master-" + std::to_string(i));
      topology.masters.push_back({n, "master-" + std::to_string(i), models::Role::kMaster, i, {}});
      const auto p = net.add_process(n, "mesos-dns");
      net.start_process(p);
      net.bind(p, dns::kMesosDnsPort, [this, p, i](sim::Address from, const sim::Message& m) {
        ++asked[static_cast<std::size_t>(i - 1)];
        auto r = std::make_shared<dns::Response>();
        r->name = sim::message_as<dns::Query>(m)->name;
        r->hosts = {"master-2"};
        r->ttl = sim::seconds(60);
        r->by = "mesos-dns";
        net.send_datagram(p, dns::kMesosDnsPort, from, r);
      });
      mesos_dns.push_back(p);
    }
    agent = net.add_node("agent-1");
    topology.agents.push_back({agent, "agent-1", models::Role::kPrivateAgent, 0, {}});
    ctx = std::make_unique<models::RunContext>(engine, net, trace, params, topology);
    ctx->provide(log);
    client = net.add_process(agent, "client");
    net.start_process(client);
  }

  void resolv_conf(const models::ResolvConf& c) {
    ctx->host(agent).write_file(models::host_path::kResolvConf, c.text(),
                                ctx->event("agent-1", "test", "resolv.conf"));
  }
  // A stand-in Spartan on port 53: answers every query with `rcode` (nullopt: stays silent).
  void fake_spartan(std::optional<dns::Rcode> rcode) {
    const auto p = net.add_process(agent, "fake-spartan");
    net.start_process(p);
    net.bind(p, dns::kSpartanPort, [this, p, rcode](sim::Address from, const sim::Message&) {
      ++queries;
      if (!rcode) return;
      auto r = std::make_shared<dns::Response>();
      r->rcode = *rcode;
      r->hosts = {"127.0.0.1"};
      r->ttl = sim::seconds(7);
      r->by = "fake spartan";
      net.send_datagram(p, dns::kSpartanPort, from, r);
    });
  }
  void start_spartan() {
    spartan_process = net.add_process(agent, "dcos-spartan");
    net.start_process(spartan_process);
    spartan = std::make_unique<models::Spartan>(*ctx, sim::Distribution::constant(kStubLatency));
    control = std::make_unique<StubControl>(*ctx);
    spartan_site = models::UnitSite{agent, "agent-1", "dcos-spartan", client};
    spartan->on_exec(spartan_site, spartan_process, *control);
  }
  void lookup(SimTime at, std::string name) {
    engine.schedule_at(at, [this, name = std::move(name)] {
      models::resolve(*ctx, client, name, [this](models::Resolution r) {
        times.push_back(engine.now());
        results.push_back(std::move(r));
      });
    });
  }
  void run() { engine.run_until(SimTime::infinite()); }
  void run_until(SimTime t) { engine.run_until(t); }

  sim::Engine engine;
  sim::Network net;
  sim::Trace trace;
  models::Parameters params;
  models::Topology topology;
  std::unique_ptr<models::RunContext> ctx;
  models::LookupLog log;
  std::vector<sim::ProcessId> mesos_dns;
  sim::NodeId agent;
  sim::ProcessId client, spartan_process;
  models::UnitSite spartan_site;  // outlives the model, as a unit's site does
  std::unique_ptr<models::Spartan> spartan;
  std::unique_ptr<StubControl> control;
  int queries = 0;
  std::vector<int> asked;  // queries each master's stand-in Mesos-DNS has handled
  std::vector<SimTime> times;
  std::vector<models::Resolution> results;
};

const models::ResolvConf kSpartanConf =
    models::spartan_resolv_conf({"198.51.100.1", "198.51.100.2", "198.51.100.3"});

}  // namespace

TEST_CASE("resolv.conf: what gen_resolvconf.py writes reads back, with glibc's defaults and caps") {
  const models::ResolvConf c = models::ResolvConf::parse(kSpartanConf.text());
  CHECK(c == kSpartanConf);
  CHECK(c.timeout_s == 1);
  CHECK(c.attempts == 3);
  const auto image = models::ResolvConf::parse("nameserver 10.0.0.2\n");
  CHECK(image.timeout_s == 5);
  CHECK(image.attempts == 2);
  const auto odd = models::ResolvConf::parse(
      "nameserver a\nnameserver b\nnameserver c\nnameserver d\noptions timeout:99 attempts:9 "
      "rotate\n");
  CHECK(odd.nameservers == std::vector<std::string>{"a", "b", "c"});  // MAXNS
  CHECK(odd.timeout_s == 30);
  CHECK(odd.attempts == 5);
  CHECK(odd.rotate);
  // Words are split on any blank, CRLF endings and blank lines are harmless, a bare keyword is
  // ignored.
  const auto spaced = models::ResolvConf::parse(
      "\n  nameserver\t10.0.0.1\r\nnameserver\n\noptions  attempts:4\trotate\r\n");
  CHECK(spaced.nameservers == std::vector<std::string>{"10.0.0.1"});
  CHECK(spaced.attempts == 4);
  CHECK(spaced.timeout_s == 5);
  CHECK(spaced.rotate);
}

TEST_CASE("stub resolver: a silent Spartan costs attempts x nameservers x 1 s, then fails") {
  DnsWorld w;
  w.resolv_conf(kSpartanConf);
  w.fake_spartan(std::nullopt);
  w.lookup(SimTime::zero(), "leader.mesos");
  w.run();
  REQUIRE(w.results.size() == 1);
  CHECK_FALSE(w.results[0].ok);
  CHECK(w.queries == 9);
  CHECK(w.times[0] == sim::seconds(9));
  CHECK(w.results[0].failure.find("no answer from 198.51.100.1") != std::string::npos);
}

TEST_CASE("stub resolver: send_dg's wait is (timeout << ns) / nscount, at least 1 s") {
  DnsWorld w;
  models::ResolvConf c = kSpartanConf;
  c.timeout_s = 2;
  c.attempts = 1;
  w.resolv_conf(c);
  w.fake_spartan(std::nullopt);
  w.lookup(SimTime::zero(), "leader.mesos");
  w.run();
  // ns 0: 2 s; ns 1: (2 << 1) / 3 = 1 s; ns 2: (2 << 2) / 3 = 2 s.
  CHECK(w.times.at(0) == sim::seconds(5));
}

TEST_CASE("stub resolver: SERVFAIL moves on to the next nameserver, NXDOMAIN ends the lookup") {
  DnsWorld servfail;
  servfail.resolv_conf(kSpartanConf);
  servfail.fake_spartan(dns::Rcode::kServFail);
  servfail.lookup(SimTime::zero(), "leader.mesos");
  servfail.run();
  CHECK(servfail.queries == 9);
  CHECK(servfail.times.at(0) == kLoopback * 18);
  CHECK(servfail.results.at(0).failure == "fake spartan");

  DnsWorld nx;
  nx.resolv_conf(kSpartanConf);
  nx.fake_spartan(dns::Rcode::kNxDomain);
  nx.lookup(SimTime::zero(), "leader.mesos");
  nx.run();
  CHECK(nx.queries == 1);
  CHECK(nx.times.at(0) == kLoopback * 2);
  CHECK(nx.results.at(0).failure == "fake spartan: NXDOMAIN");
}

TEST_CASE("stub resolver: before gen-resolvconf the host asks the resolver outside the cluster") {
  DnsWorld w;
  w.fake_spartan(dns::Rcode::kNoError);  // running, but resolv.conf does not point at it
  w.lookup(SimTime::zero(), "ready.spartan");
  w.run();
  CHECK(w.queries == 0);
  CHECK(w.times.at(0) == models::kOutsideRoundTrip);
  CHECK_FALSE(w.results.at(0).ok);
  CHECK(w.results.at(0).failure.find("upstream resolver") != std::string::npos);
}

TEST_CASE("spartan: answers ready.spartan and zk-N.zk itself, forwards *.mesos") {
  DnsWorld w;
  w.resolv_conf(kSpartanConf);
  w.start_spartan();
  const SimTime t = sim::milliseconds(10);  // Spartan is up at 1 ms
  w.lookup(t, "ready.spartan");
  w.lookup(t + sim::seconds(1), "zk-2.zk");
  w.lookup(t + sim::seconds(2), "zk-5.zk");
  w.lookup(t + sim::seconds(3), "leader.mesos");
  w.lookup(t + sim::seconds(4), "nothing.example");
  w.run_until(sim::seconds(8));
  REQUIRE(w.results.size() == 5);
  CHECK(w.results[0].hosts == std::vector<std::string>{"127.0.0.1"});
  CHECK(w.times[0] == t + kLoopback * 2);
  CHECK(w.results[1].hosts == std::vector<std::string>{"master-2"});
  CHECK(w.results[2].hosts == std::vector<std::string>{"master-2"});  // 5 records over 3 masters
  // Forwarded: client -> Spartan -> Mesos-DNS -> Spartan -> client.
  CHECK(w.results[3].hosts == std::vector<std::string>{"master-2"});
  CHECK(w.results[3].ttl == sim::seconds(60));
  CHECK(w.times[3] == t + sim::seconds(3) + kLoopback * 2 + kStubLatency * 2);
  CHECK_FALSE(w.results[4].ok);
}

TEST_CASE("spartan: one Mesos-DNS paused, every forwarded lookup is still answered at once") {
  // spartan_handler_fsm.erl (dcos/spartan@0b5243b8): take_upstreams/choose2 asks two distinct
  // upstreams of three (maybe_two_uniq_rand draws again while the two are equal, 10 times;
  // with one failure recorded the lowest bucket holds two, so the two lowest buckets, all
  // three, are drawn from again), both at once, and wait_for_reply answers the client with the
  // first reply. So with one Mesos-DNS paused every query has a live upstream and no timeout
  // is paid: the answer comes one round trip after the query, even for the queries that asked
  // the paused one. Both picks are the paused one only when eleven draws in a row are equal
  // and the last lands on it, (1/3)^10 x 1/9 per query, which 30 lookups do not reach.
  DnsWorld w;
  w.resolv_conf(kSpartanConf);
  w.start_spartan();
  w.net.pause_process(w.mesos_dns[0]);
  constexpr int kLookups = 30;
  for (int i = 0; i < kLookups; ++i) w.lookup(sim::seconds(1 + i), "leader.mesos");
  w.run_until(sim::seconds(kLookups + 20));
  REQUIRE(w.results.size() == kLookups);
  for (int i = 0; i < kLookups; ++i) {
    INFO(i);
    CHECK(w.results[i].ok);
    CHECK(w.times[i] == sim::seconds(1 + i) + kLoopback * 2 + kStubLatency * 2);
  }
  // The paused upstream was asked too (it handles the queries once it continues): the answers
  // above came from the race, not from Spartan leaving it out.
  CHECK(w.asked[0] == 0);
  w.net.resume_process(w.mesos_dns[0]);
  w.run_until(sim::seconds(kLookups + 21));
  CHECK(w.asked[0] > 0);
  CHECK(w.asked[0] < kLookups);
}

TEST_CASE("spartan: every Mesos-DNS paused, SERVFAIL after query_timeout names the hop") {
  DnsWorld w;
  w.start_spartan();
  for (const auto p : w.mesos_dns) w.net.pause_process(p);
  // A query of Spartan's own, straight to port 53, so that the resolver does not give up first.
  std::shared_ptr<const dns::Response> answer;
  SimTime answered;
  w.engine.schedule_at(sim::seconds(1), [&] {
    sim::request(w.net, w.client, {w.agent, dns::kSpartanPort},
                 std::make_shared<dns::Query>("leader.mesos"), sim::seconds(60),
                 [&](sim::Message m) {
                   answered = w.engine.now();
                   answer = std::dynamic_pointer_cast<const dns::Response>(m);
                 });
  });
  w.run_until(sim::seconds(20));
  REQUIRE(answer != nullptr);
  CHECK(answer->rcode == dns::Rcode::kServFail);
  CHECK(answered == sim::seconds(1) + kLoopback + sim::seconds(10) + kLoopback);
  CHECK(answer->by.starts_with("spartan on agent-1: no Mesos-DNS answered within 10s"));
  REQUIRE(w.log.last_hop_failure("agent-1") != nullptr);
}

TEST_CASE("spartan: the proxy timeouts are the parameters") {
  DnsWorld w;
  std::string error;
  REQUIRE(w.params.set("dns-proxy.query_timeout", "3s", error));
  w.start_spartan();
  for (const auto p : w.mesos_dns) w.net.pause_process(p);
  SimTime answered;
  w.engine.schedule_at(sim::seconds(1), [&] {
    sim::request(w.net, w.client, {w.agent, dns::kSpartanPort},
                 std::make_shared<dns::Query>("leader.mesos"), sim::seconds(60),
                 [&](sim::Message) { answered = w.engine.now(); });
  });
  w.run_until(sim::seconds(20));
  CHECK(answered == sim::seconds(1) + kLoopback + sim::seconds(3) + kLoopback);
}

TEST_CASE("spartan: an upstream that timed out is asked less, sooner with a shorter timeout") {
  // Five masters, master-1's Mesos-DNS paused until 60 s. Spartan asks two of the upstreams
  // with the fewest failures in the last minute: once master-1 has failed (after
  // dns-proxy.upstream_timeout) it is left out while four others have none.
  const auto run_with = [](const std::string& timeout) {
    DnsWorld w(5);
    std::string error;
    REQUIRE(w.params.set("dns-proxy.upstream_timeout", timeout, error));
    w.resolv_conf(kSpartanConf);
    w.start_spartan();
    w.net.pause_process(w.mesos_dns[0]);
    for (int i = 0; i < 50; ++i)
      w.lookup(sim::seconds(1) + sim::milliseconds(100) * i, "leader.mesos");
    w.engine.schedule_at(sim::seconds(60), [&] { w.net.resume_process(w.mesos_dns[0]); });
    w.run_until(sim::seconds(70));
    for (const auto& r : w.results) CHECK(r.ok);
    return w.asked[0];  // what master-1 got, handled when it resumed
  };
  const int slow = run_with("5s");
  const int quick = run_with("500ms");
  INFO("asked master-1: " << slow << " with 5s, " << quick << " with 500ms");
  CHECK(quick < slow);
}

TEST_CASE("spartan: its watchdog kills the VM after a pause of more than 30 s, not after 10 s") {
  DnsWorld shortpause;
  shortpause.start_spartan();
  shortpause.engine.schedule_at(sim::seconds(20),
                                [&] { shortpause.net.pause_process(shortpause.spartan_process); });
  shortpause.engine.schedule_at(sim::seconds(30),
                                [&] { shortpause.net.resume_process(shortpause.spartan_process); });
  shortpause.run_until(sim::minutes(3));
  CHECK(shortpause.control->exits.empty());

  DnsWorld longpause;
  longpause.start_spartan();
  longpause.engine.schedule_at(sim::seconds(20),
                               [&] { longpause.net.pause_process(longpause.spartan_process); });
  longpause.engine.schedule_at(sim::seconds(80),
                               [&] { longpause.net.resume_process(longpause.spartan_process); });
  longpause.run_until(sim::minutes(3));
  REQUIRE(longpause.control->exits.size() == 1);
  CHECK(longpause.control->exits[0].starts_with("spartan_watchdog"));
}

TEST_CASE("leader windows: stale and failed lookups after a change, first resolution per host") {
  models::LookupLog log;
  const auto s = [](double x) { return sim::milliseconds(static_cast<std::int64_t>(x * 1000)); };
  log.add({s(10), "agent-1", "master-1", ""});
  log.add({s(100), "agent-1", "master-1", ""});  // still the old master after the change at 90 s
  log.add({s(103), "agent-1", std::nullopt, "spartan: SERVFAIL"});
  log.add({s(110), "agent-1", "master-2", ""});
  log.add({s(120), "agent-1", "master-1", ""});  // after the new leader came: not counted
  log.add({s(5), "agent-2", std::nullopt, "no answer from 198.51.100.1"});
  log.add_hop_failure("agent-2", {s(6), "spartan on agent-2: no Mesos-DNS answered"});
  const auto w = models::leader_windows({"agent-1", "agent-2"},
                                        {{s(1), "master-1"}, {s(90), "master-2"}}, log);
  REQUIRE(w.size() == 2);
  CHECK(w[0].first_resolved == s(10));
  REQUIRE(w[0].changes.size() == 1);
  CHECK(w[0].changes[0].leader == "master-2");
  // Held master-1 from the change at 90 s to the failure at 103 s, then the failure to 110 s.
  CHECK(w[0].changes[0].stale_window == s(13));
  CHECK(w[0].changes[0].failed_window == s(7));
  CHECK(w[0].changes[0].resolved_after == s(20));
  CHECK(w[0].changes[0].lookups == 3);
  CHECK_FALSE(w[1].first_resolved);
  CHECK(w[1].last_failure == "spartan on agent-2: no Mesos-DNS answered");
  CHECK_FALSE(w[1].changes[0].resolved_after);
}

TEST_CASE("gen-resolvconf: asks the three Spartan addresses in turn and writes what answered") {
  DnsWorld up;
  up.fake_spartan(dns::Rcode::kNoError);
  const auto p = up.net.add_process(up.agent, "gen-resolvconf");
  up.net.start_process(p);
  const models::UnitSite site{up.agent, "agent-1", "dcos-gen-resolvconf", up.client};
  models::GenResolvconf gen(*up.ctx);
  StubControl control(*up.ctx);
  gen.on_exec(site, p, control);
  up.run();
  CHECK(up.queries == 3);
  CHECK(*models::read_resolv_conf(up.ctx->host(up.agent)) == kSpartanConf);

  // Nothing answers: three timeouts of resolvconf.query_timeout, then the upstream resolvers.
  DnsWorld down;
  std::string error;
  REQUIRE(down.params.set("resolvconf.query_timeout", "2s", error));
  down.fake_spartan(std::nullopt);
  const auto q = down.net.add_process(down.agent, "gen-resolvconf");
  down.net.start_process(q);
  const models::UnitSite site2{down.agent, "agent-1", "dcos-gen-resolvconf", down.client};
  models::GenResolvconf gen2(*down.ctx);
  StubControl control2(*down.ctx);
  gen2.on_exec(site2, q, control2);
  down.run();
  CHECK(down.queries == 3);
  CHECK(down.engine.now() == sim::seconds(6));
  CHECK(*models::read_resolv_conf(down.ctx->host(down.agent)) == models::upstream_resolv_conf());
}

TEST_CASE("cached lookup: looks up again when the answer's TTL runs out, 1 s after a failure") {
  DnsWorld w;
  w.resolv_conf(kSpartanConf);
  w.fake_spartan(dns::Rcode::kNoError);  // TTL 7 s
  models::CachedLookup cache(*w.ctx, w.client, "agent-1", "leader.mesos");
  cache.start();
  w.run_until(sim::seconds(20));
  // Lookups at 0, 7 s + 2 l, 14 s + 4 l: each TTL counts from the answer.
  REQUIRE(w.log.lookups().size() == 3);
  CHECK(w.log.lookups()[0].time == kLoopback * 2);
  CHECK(w.log.lookups()[1].time == kLoopback * 4 + sim::seconds(7));
  CHECK(w.log.lookups()[2].time == kLoopback * 6 + sim::seconds(14));
  CHECK(cache.answer() == std::optional<std::string>("127.0.0.1"));
  // The first success is the host's dns-proxy.leader_resolvable.
  CHECK(w.ctx->latest_milestone("dns-proxy.leader_resolvable", "agent-1"));

  DnsWorld failing;
  failing.resolv_conf(kSpartanConf);
  failing.fake_spartan(dns::Rcode::kNxDomain);
  models::CachedLookup miss(*failing.ctx, failing.client, "agent-1", "leader.mesos");
  miss.start();
  failing.run_until(sim::seconds(3));
  REQUIRE(failing.log.lookups().size() == 3);  // at 0, 1 s and 2 s (+ round trips)
  CHECK_FALSE(miss.answer());
  CHECK_FALSE(failing.ctx->latest_milestone("dns-proxy.leader_resolvable", "agent-1"));
}

TEST_CASE("ping gate: passes on an answer, fails with the resolver's reason") {
  DnsWorld w;
  w.resolv_conf(kSpartanConf);
  w.fake_spartan(dns::Rcode::kNoError);
  models::PingGate ready(*w.ctx, "ready.spartan");
  std::vector<models::GateResult> results;
  const models::UnitSite site{w.agent, "agent-1", "dcos-test", w.client};
  ready.probe(site, [&](models::GateResult r) { results.push_back(r); });
  w.run();
  REQUIRE(results.size() == 1);
  CHECK(results[0].ok);
  CHECK(ready.name() == "ping -c1 ready.spartan");

  DnsWorld image;  // resolv.conf not yet written
  models::PingGate leader(*image.ctx, "leader.mesos");
  std::vector<models::GateResult> failed;
  leader.probe({image.agent, "agent-1", "dcos-test", image.client},
               [&](models::GateResult r) { failed.push_back(r); });
  image.run();
  REQUIRE(failed.size() == 1);
  CHECK_FALSE(failed[0].ok);
  CHECK(failed[0].reason ==
        "leader.mesos: upstream resolver 192.0.2.53 (resolv.conf not pointing at Spartan): "
        "NXDOMAIN");
  // A failed lookup of leader.mesos is logged for the host.
  REQUIRE(image.log.lookups().size() == 1);
  CHECK_FALSE(image.log.lookups()[0].leader);
}
