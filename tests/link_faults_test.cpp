// The kernel's link faults (sim/link_faults.hpp, Network::link_faults): overlapping named cut
// sets healed one by one, one-way cuts, degraded links, TCP-like retransmission, node clocks
// and slow disks. Latencies are constant, so every expected time is computed by hand.
#include "sim/link_faults.hpp"

#include <catch2/catch.hpp>
#include <memory>
#include <string>
#include <utility>
#include <vector>

#include "sim/network.hpp"
#include "tests/printers.hpp"

namespace sim = bootsim::sim;
using sim::Address;
using sim::Message;
using sim::ProcessId;
using sim::SimTime;

namespace {

struct Note final : sim::Payload {
  std::string_view kind() const override { return "note"; }
};

constexpr sim::Port kLinkPort = 7100;
constexpr SimTime kLinkLatency = sim::milliseconds(2);

// Three hosts a, b, c with one process each; datagrams each receives are counted.
struct Three {
  Three() : engine(7), net(engine, sim::Distribution::constant(kLinkLatency)) {
    for (const char* name : {"a", "b", "c"}) {
      const sim::NodeId n = net.add_node(name);
      nodes.push_back(n);
      procs.push_back(net.add_process(n, std::string("p") + name));
      net.start_process(procs.back());
      const std::size_t i = procs.size() - 1;
      net.bind(procs.back(), kLinkPort, [this, i](Address, const Message&) { ++received[i]; });
    }
  }
  // Whether each ordered pair (from, to) delivers a datagram now: "ab" means a reaches b.
  std::vector<std::string> delivering() {
    std::vector<std::string> out;
    for (std::size_t from = 0; from < 3; ++from) {
      for (std::size_t to = 0; to < 3; ++to) {
        if (from == to) continue;
        const int before = received[to];
        net.send_datagram(procs[from], Address{nodes[to], kLinkPort}, std::make_shared<Note>());
        engine.run_until(engine.now() + sim::milliseconds(10));
        if (received[to] > before) out.push_back(std::string{"abc"[from], "abc"[to]});
      }
    }
    return out;
  }
  sim::Engine engine;
  sim::Network net;
  std::vector<sim::NodeId> nodes;
  std::vector<ProcessId> procs;
  int received[3] = {0, 0, 0};
};

using Pairs = std::vector<std::string>;

}  // namespace

TEST_CASE("two overlapping partitions act as their union, and each heals alone",
          "[network][fault][partition]") {
  Three w;
  const auto& n = w.nodes;
  // p1 isolates a; p2 isolates c. Together nothing talks; healing one leaves the other.
  w.net.link_faults().cut("p1", sim::LinkSet::between({{n[0].value}}, true));
  CHECK(w.delivering() == Pairs{"bc", "cb"});
  w.net.link_faults().cut("p2", sim::LinkSet::between({{n[2].value}}, true));
  CHECK(w.delivering().empty());
  REQUIRE(w.net.link_faults().remove("p1"));
  CHECK(w.delivering() == Pairs{"ab", "ba"});  // p2 alone: c still cut off
  w.net.link_faults().cut("p1", sim::LinkSet::between({{n[0].value}}, true));
  REQUIRE(w.net.link_faults().remove("p2"));
  CHECK(w.delivering() == Pairs{"bc", "cb"});  // p1 alone
  REQUIRE(w.net.link_faults().remove("p1"));
  CHECK(w.delivering() == Pairs{"ab", "ac", "ba", "bc", "ca", "cb"});
  CHECK_FALSE(w.net.link_faults().remove("p1"));  // nothing of that name any more
}

TEST_CASE("a partition overlapping a shared link keeps it cut until both heal",
          "[network][fault][partition]") {
  Three w;
  const auto& n = w.nodes;
  w.net.link_faults().cut("x", sim::LinkSet::between({{n[0].value}, {n[1].value}}, false));
  w.net.link_faults().cut("y", sim::LinkSet::between({{n[0].value}, {n[1].value}}, false));
  w.net.link_faults().remove("x");
  CHECK_FALSE(w.net.reachable(n[0], n[1]));
  CHECK(w.net.reachable(n[0], n[2]));  // groups without others: c untouched
  w.net.link_faults().remove("y");
  CHECK(w.net.reachable(n[0], n[1]));
}

TEST_CASE("a one-way partition loses one direction only", "[network][fault][partition]") {
  Three w;
  const auto& n = w.nodes;
  w.net.link_faults().cut("one-way", sim::LinkSet::one_way({n[0].value}, {n[1].value, n[2].value}));
  CHECK(w.delivering() == Pairs{"ba", "bc", "ca", "cb"});
  CHECK_FALSE(w.net.reachable(n[0], n[1]));
  CHECK(w.net.reachable(n[1], n[0]));
}

TEST_CASE("heal() undoes every cut set, named ones too", "[network][fault][partition]") {
  Three w;
  w.net.link_faults().cut("p", sim::LinkSet::between({{w.nodes[0].value}}, true));
  w.net.partition({{w.nodes[1]}, {w.nodes[2]}});
  w.net.heal();
  CHECK(w.delivering().size() == 6);
}

TEST_CASE("a degraded link adds its delay, and duplicates datagrams", "[network][fault][link]") {
  Three w;
  const auto& n = w.nodes;
  sim::LinkDegradation d;
  d.extra_delay = sim::milliseconds(50);
  d.duplication = 1.0;
  w.net.link_faults().degrade("slow", sim::LinkSet::between({{n[0].value}, {n[1].value}}, false),
                              d);
  std::vector<SimTime> at_b;
  w.net.bind(w.procs[1], kLinkPort,
             [&](Address, const Message&) { at_b.push_back(w.engine.now()); });
  w.net.send_datagram(w.procs[0], Address{n[1], kLinkPort}, std::make_shared<Note>());
  w.engine.run_until(sim::seconds(1));
  // 2 ms of latency + 50 ms added, twice (FIFO on the link keeps the copy behind).
  CHECK(at_b == std::vector<SimTime>{sim::milliseconds(52), sim::milliseconds(52)});
  REQUIRE(w.net.link_faults().remove("slow"));
  CHECK(w.net.link_faults().degradation(n[0].value, n[1].value).extra_delay == SimTime::zero());
}

TEST_CASE("degradations on one link add up", "[network][fault][link]") {
  sim::LinkFaults f;
  sim::LinkDegradation half;
  half.loss = 0.5;
  half.extra_delay = sim::milliseconds(10);
  f.degrade("one", sim::LinkSet::between({{0}, {1}}, false), half);
  f.degrade("two", sim::LinkSet::between({{0}, {1}}, false), half);
  const sim::LinkDegradation d = f.degradation(1, 0);
  CHECK(d.loss == Approx(0.75));
  CHECK(d.extra_delay == sim::milliseconds(20));
  CHECK(f.degradation(0, 2).loss == 0.0);
}

TEST_CASE("a stream segment lost again and again waits an RTO that doubles",
          "[network][stream][retransmission]") {
  sim::Engine engine(1);
  sim::Network net(engine, sim::Distribution::constant(sim::milliseconds(1)));
  const auto a = net.add_node("a"), b = net.add_node("b");
  const auto pa = net.add_process(a, "pa"), pb = net.add_process(b, "pb");
  net.start_process(pa);
  net.start_process(pb);
  std::optional<SimTime> arrived;
  net.listen(pb, kLinkPort, [&](sim::ConnectionId, Address) {
    sim::StreamHandlers h;
    h.on_message = [&](sim::ConnectionId, const Message&) { arrived = engine.now(); };
    return h;
  });
  sim::StreamHandlers h;
  h.on_open = [&](sim::ConnectionId c) {
    net.set_link_loss(a, b, 1.0);  // from now on every transmission is lost
    net.send(c, pa, std::make_shared<Note>());
  };
  net.connect(pa, Address{b, kLinkPort}, sim::seconds(1), std::move(h));
  engine.run_until(SimTime::infinite());
  // Opened at 2 ms (one round trip); then 15 retransmissions (tcp_retries2): RTOs of 0.2, 0.4,
  // … 102.4 s (ten of them: 204.6 s), then five at the 120 s ceiling (600 s); 1 ms of latency.
  REQUIRE(arrived.has_value());
  CHECK(*arrived == sim::milliseconds(2) + sim::milliseconds(204'600) + sim::seconds(600) +
                        sim::milliseconds(1));
}

TEST_CASE("a node's timers run on its own clock", "[network][clock]") {
  sim::Engine engine(1);
  sim::Network net(engine, sim::Distribution::constant(sim::milliseconds(1)));
  const auto fast = net.add_node("fast"), slow = net.add_node("slow");
  const auto pf = net.add_process(fast, "p"), ps = net.add_process(slow, "p");
  net.start_process(pf);
  net.start_process(ps);
  net.set_clock(fast, sim::seconds(30), 100'000);  // 10% fast, 30 s ahead
  net.set_clock(slow, SimTime::zero(), -200'000);  // 20% slow
  std::optional<SimTime> fired_fast, fired_slow;
  net.after(pf, sim::seconds(11), [&] { fired_fast = engine.now(); });
  net.after(ps, sim::seconds(8), [&] { fired_slow = engine.now(); });
  engine.run_until(sim::minutes(1));
  CHECK(fired_fast == sim::seconds(10));  // 11 s of a clock 1.1 times fast
  CHECK(fired_slow == sim::seconds(10));  // 8 s of a clock 0.8 times as fast
  // At true 60 s the fast clock reads 66 s, plus its 30 s skew.
  CHECK(net.local_time(fast) == sim::seconds(96));
  CHECK(net.local_time(slow) == sim::seconds(48));
}

TEST_CASE("a slow disk scales the latencies spent on it", "[network][disk]") {
  sim::Engine engine(1);
  sim::Network net(engine, sim::Distribution::constant(sim::milliseconds(1)));
  const auto n = net.add_node("n");
  CHECK(net.disk_time(n, sim::milliseconds(150)) == sim::milliseconds(150));
  net.set_disk_slowdown(n, 1'000);  // ten times slower
  CHECK(net.disk_time(n, sim::milliseconds(150)) == sim::milliseconds(1'500));
  net.set_disk_slowdown(n, 250);
  CHECK(net.disk_time(n, sim::seconds(2)) == sim::seconds(5));
}

TEST_CASE("a stream segment caught by a partition is retransmitted and arrives after the heal",
          "[network][stream][retransmission][partition]") {
  sim::Engine engine(1);
  sim::Network net(engine, sim::Distribution::constant(sim::milliseconds(1)));
  const auto a = net.add_node("a"), b = net.add_node("b");
  const auto pa = net.add_process(a, "pa"), pb = net.add_process(b, "pb");
  net.start_process(pa);
  net.start_process(pb);
  std::vector<SimTime> arrived;
  net.listen(pb, kLinkPort, [&](sim::ConnectionId, Address) {
    sim::StreamHandlers h;
    h.on_message = [&](sim::ConnectionId, const Message&) { arrived.push_back(engine.now()); };
    return h;
  });
  sim::StreamHandlers h;
  h.on_open = [&](sim::ConnectionId c) {  // at 2 ms
    engine.schedule_at(sim::milliseconds(5), [&net, a, b] {
      net.link_faults().cut("cut", sim::LinkSet::between({{a.value}, {b.value}}, false));
    });
    engine.schedule_at(sim::milliseconds(10), [&net, c, pa] {
      net.send(c, pa, std::make_shared<Note>());
      net.send(c, pa, std::make_shared<Note>());
    });
    engine.schedule_at(sim::seconds(1), [&net] { net.link_faults().remove("cut"); });
  };
  net.connect(pa, Address{b, kLinkPort}, sim::seconds(1), std::move(h));
  engine.run_until(SimTime::infinite());
  // Both reach b's host at 11 ms, cut: retransmitted at 211 ms, 611 ms and 1,411 ms (RTO 200,
  // 400, 800 ms); the link is back at 1 s, so both arrive, in order, at 1,411 ms.
  CHECK(arrived == std::vector<SimTime>{sim::milliseconds(1'411), sim::milliseconds(1'411)});
}
