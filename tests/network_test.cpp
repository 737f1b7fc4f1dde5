// Behaviour of the kernel network (sim/network.hpp): delivery times, loss, FIFO, streams,
// crashes, partitions, pauses and determinism. Latencies are constant wherever a time is
// asserted, so every expected time below is computed by hand from the contract.
#include "sim/network.hpp"
#include "sim/detail/connection_list.hpp"

#include <catch2/catch.hpp>
#include <cstdint>
#include <memory>
#include <optional>
#include <stdexcept>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "tests/printers.hpp"

namespace sim = bootsim::sim;
using sim::Address;
using sim::ConnectError;
using sim::ConnectionId;
using sim::Message;
using sim::ProcessId;
using sim::SimTime;
using sim::StreamHandlers;

namespace {

struct NetText final : sim::Payload {
  explicit NetText(std::string t) : text(std::move(t)) {}
  std::string_view kind() const override { return "text"; }
  std::string text;
};

Message net_text(std::string t) {
  return std::make_shared<const NetText>(std::move(t));
}
std::string text_of(const Message& m) {
  const NetText* t = sim::message_as<NetText>(m);
  REQUIRE(t != nullptr);
  return t->text;
}

constexpr sim::Port kNetPort = 7000;
constexpr SimTime kNetLatency = sim::milliseconds(3);

// Two hosts (a, b) and a third (c), one process on each, all up; constant latency kNetLatency.
struct NetWorld {
  explicit NetWorld(std::uint64_t seed = 1,
                    sim::Distribution latency = sim::Distribution::constant(kNetLatency))
      : engine(seed), net(engine, std::move(latency)) {
    a = net.add_node("a");
    b = net.add_node("b");
    c = net.add_node("c");
    pa = net.add_process(a, "pa");
    pb = net.add_process(b, "pb");
    pc = net.add_process(c, "pc");
    for (const ProcessId p : {pa, pb, pc}) net.start_process(p);
  }

  void at(SimTime t, sim::Callback cb) { engine.schedule_at(t, std::move(cb)); }
  void run() { engine.run_until(SimTime::infinite()); }

  // A datagram receiver on `p` that logs (time, text).
  void receive_datagrams(ProcessId p, std::vector<std::pair<SimTime, std::string>>& log) {
    net.bind(p, kNetPort, [this, &log](Address, const Message& m) {
      log.emplace_back(engine.now(), text_of(m));
    });
  }

  sim::Engine engine;
  sim::Network net;
  sim::NodeId a, b, c;
  ProcessId pa, pb, pc;
};

// What one end of a stream saw.
struct EndLog {
  std::optional<SimTime> opened;
  std::optional<SimTime> closed;
  std::optional<std::pair<SimTime, ConnectError>> failed;
  std::vector<std::pair<SimTime, std::string>> messages;
};

StreamHandlers logging_handlers(sim::Engine& engine, EndLog& log) {
  StreamHandlers h;
  h.on_open = [&engine, &log](ConnectionId) { log.opened = engine.now(); };
  h.on_connect_failed = [&engine, &log](ConnectionId, ConnectError e) {
    log.failed = std::make_pair(engine.now(), e);
  };
  h.on_message = [&engine, &log](ConnectionId, const Message& m) {
    log.messages.emplace_back(engine.now(), text_of(m));
  };
  h.on_closed = [&engine, &log](ConnectionId) { log.closed = engine.now(); };
  return h;
}

// `server` accepts every connection on kNetPort with logging handlers; records when and from whom.
struct Acceptor {
  void listen(NetWorld& w, ProcessId server) {
    w.net.listen(server, kNetPort, [this, &w](ConnectionId c, Address peer) {
      accepted_at = w.engine.now();
      peer_node = peer.node;
      conn = c;
      return logging_handlers(w.engine, log);
    });
  }
  std::optional<SimTime> accepted_at;
  std::optional<sim::NodeId> peer_node;
  std::optional<ConnectionId> conn;
  EndLog log;
};

}  // namespace

// --- datagrams ---------------------------------------------------------------------------------

TEST_CASE("a datagram arrives one link latency after it is sent", "[network]") {
  NetWorld w;
  std::vector<std::pair<SimTime, std::string>> got;
  w.receive_datagrams(w.pb, got);
  w.at(sim::milliseconds(10), [&] {
    w.net.send_datagram(w.pa, Address{w.b, kNetPort}, net_text("x"));
  });
  std::optional<sim::NodeId> from;
  w.net.bind(w.pc, kNetPort, [&](Address f, const Message&) { from = f.node; });
  w.at(sim::milliseconds(20), [&] {
    w.net.send_datagram(w.pa, Address{w.c, kNetPort}, net_text("y"));
  });
  w.run();
  REQUIRE(got.size() == 1);
  CHECK(got[0].first == sim::milliseconds(13));
  CHECK(got[0].second == "x");
  REQUIRE(from.has_value());
  CHECK(*from == w.a);  // the reply address names the sender's host
  CHECK(w.net.messages_sent() == 2);
}

TEST_CASE("a per-link latency overrides the default in both directions", "[network]") {
  NetWorld w;
  w.net.set_link_latency(w.a, w.b, sim::Distribution::constant(sim::milliseconds(40)));
  std::vector<std::pair<SimTime, std::string>> at_a, at_b, at_c;
  w.receive_datagrams(w.pa, at_a);
  w.receive_datagrams(w.pb, at_b);
  w.receive_datagrams(w.pc, at_c);
  w.net.send_datagram(w.pa, Address{w.b, kNetPort}, net_text("a->b"));
  w.net.send_datagram(w.pb, Address{w.a, kNetPort}, net_text("b->a"));
  w.net.send_datagram(w.pa, Address{w.c, kNetPort}, net_text("a->c"));  // default link
  w.run();
  REQUIRE(at_b.size() == 1);
  REQUIRE(at_a.size() == 1);
  REQUIRE(at_c.size() == 1);
  CHECK(at_b[0].first == sim::milliseconds(40));
  CHECK(at_a[0].first == sim::milliseconds(40));
  CHECK(at_c[0].first == kNetLatency);
}

TEST_CASE("processes on one host talk over the loopback latency", "[network]") {
  NetWorld w;
  const ProcessId other = w.net.add_process(w.a, "other");
  w.net.start_process(other);
  std::vector<std::pair<SimTime, std::string>> got;
  w.receive_datagrams(other, got);
  w.net.send_datagram(w.pa, Address{w.a, kNetPort}, net_text("default loopback"));
  w.run();
  REQUIRE(got.size() == 1);
  CHECK(got[0].first == sim::microseconds(20));  // the documented default, not kNetLatency

  w.net.set_loopback_latency(sim::Distribution::constant(sim::microseconds(70)));
  const SimTime sent = w.engine.now();
  w.net.send_datagram(w.pa, Address{w.a, kNetPort}, net_text("set loopback"));
  w.run();
  REQUIRE(got.size() == 2);
  CHECK(got[1].first == sent + sim::microseconds(70));
}

TEST_CASE("datagram loss follows the link's loss probability", "[network]") {
  NetWorld w;
  std::vector<std::pair<SimTime, std::string>> at_b, at_c;
  w.receive_datagrams(w.pb, at_b);
  w.receive_datagrams(w.pc, at_c);
  constexpr int kMany = 10'000;

  SECTION("probability 1 drops everything") {
    w.net.set_link_loss(w.a, w.b, 1.0);
    for (int i = 0; i < kMany; ++i)
      w.net.send_datagram(w.pa, Address{w.b, kNetPort}, net_text("x"));
    w.run();
    CHECK(at_b.empty());
    // The loss is per link: a-c still delivers.
    w.net.send_datagram(w.pa, Address{w.c, kNetPort}, net_text("x"));
    w.run();
    CHECK(at_c.size() == 1);
  }
  SECTION("probability 0 drops nothing") {
    w.net.set_link_loss(w.a, w.b, 0.0);
    for (int i = 0; i < kMany; ++i)
      w.net.send_datagram(w.pa, Address{w.b, kNetPort}, net_text("x"));
    w.run();
    CHECK(at_b.size() == static_cast<std::size_t>(kMany));
  }
  SECTION("probability 0.3 drops about 30%") {
    w.net.set_link_loss(w.b, w.a, 0.3);  // set either way round: one link
    for (int i = 0; i < kMany; ++i)
      w.net.send_datagram(w.pa, Address{w.b, kNetPort}, net_text("x"));
    w.run();
    // Binomial(10000, 0.7): sd ≈ 46, so ±300 is more than 6 sd.
    CHECK(at_b.size() > 6'700);
    CHECK(at_b.size() < 7'300);
    // Loss does not change the latency of what gets through.
    for (const auto& [t, s] : at_b) REQUIRE(t == kNetLatency);
  }
}

TEST_CASE("a datagram to a port nobody bound is dropped", "[network]") {
  NetWorld w;
  std::vector<std::pair<SimTime, std::string>> got;
  w.receive_datagrams(w.pb, got);
  w.net.send_datagram(w.pa, Address{w.b, kNetPort + 1}, net_text("x"));
  w.run();
  CHECK(got.empty());
}

// --- FIFO ---------------------------------------------------------------------------------------

TEST_CASE("datagrams on one directed link arrive in send order despite random latency",
          "[network][fifo]") {
  NetWorld w(7, sim::Distribution::uniform(sim::milliseconds(1), sim::milliseconds(50)));
  std::vector<std::pair<SimTime, std::string>> got;
  w.receive_datagrams(w.pb, got);
  constexpr int kCount = 300;
  std::vector<SimTime> sent_at;
  for (int i = 0; i < kCount; ++i) {
    const SimTime t = sim::microseconds(100) * i;
    sent_at.push_back(t);
    w.at(t, [&w, i] {
      w.net.send_datagram(w.pa, Address{w.b, kNetPort}, net_text(std::to_string(i)));
    });
  }
  w.run();
  REQUIRE(got.size() == static_cast<std::size_t>(kCount));
  bool some_held_back = false;
  for (int i = 0; i < kCount; ++i) {
    INFO("message " << i);
    REQUIRE(got[i].second == std::to_string(i));
    CHECK(got[i].first >= sent_at[i] + sim::milliseconds(1));
    if (i > 0) CHECK(got[i].first >= got[i - 1].first);
    // Without FIFO, a message sent 100 us later with a draw of up to 49 ms shorter overtakes.
    if (i > 0 && got[i].first == got[i - 1].first) some_held_back = true;
  }
  CHECK(some_held_back);  // the latencies really did vary enough to need FIFO
}

// A host's messages to itself keep their floor on the host (Network::Impl::Node), not in the
// table of host pairs: the same order holds there, and one host's floor is not another's.
TEST_CASE("datagrams on the loopback arrive in send order, each host with its own floor",
          "[network][fifo]") {
  NetWorld w(5);
  w.net.set_loopback_latency(
      sim::Distribution::uniform(sim::milliseconds(1), sim::milliseconds(50)));
  const ProcessId on_a = w.net.add_process(w.a, "on-a");
  const ProcessId on_b = w.net.add_process(w.b, "on-b");
  w.net.start_process(on_a);
  w.net.start_process(on_b);
  std::vector<std::pair<SimTime, std::string>> at_a, at_b;
  w.receive_datagrams(on_a, at_a);
  w.receive_datagrams(on_b, at_b);
  constexpr int kCount = 300;
  for (int i = 0; i < kCount; ++i) {
    w.at(sim::microseconds(100) * i, [&w, i] {
      w.net.send_datagram(w.pa, Address{w.a, kNetPort}, net_text(std::to_string(i)));
    });
  }
  // Host b's one datagram to itself, sent when a's floor is far ahead: it keeps its own draw.
  w.at(sim::milliseconds(20), [&w] {
    w.net.send_datagram(w.pb, Address{w.b, kNetPort}, net_text("b"));
  });
  w.run();
  REQUIRE(at_a.size() == static_cast<std::size_t>(kCount));
  bool some_held_back = false;
  for (int i = 0; i < kCount; ++i) {
    INFO("message " << i);
    REQUIRE(at_a[i].second == std::to_string(i));
    if (i > 0) CHECK(at_a[i].first >= at_a[i - 1].first);
    if (i > 0 && at_a[i].first == at_a[i - 1].first) some_held_back = true;
  }
  CHECK(some_held_back);
  REQUIRE(at_b.size() == 1);
  CHECK(at_b[0].first >= sim::milliseconds(21));
  CHECK(at_b[0].first <= sim::milliseconds(70));
  // Had b shared a's floor, it would have come after a's datagram sent just before it (at
  // 19.9 ms), which waits behind the latest of 200 draws.
  CHECK(at_b[0].first < at_a[199].first);
}

TEST_CASE("messages on one stream arrive in send order despite random latency", "[network][fifo]") {
  NetWorld w(11, sim::Distribution::uniform(sim::milliseconds(1), sim::milliseconds(50)));
  Acceptor server;
  server.listen(w, w.pb);
  EndLog client;
  constexpr int kCount = 300;
  StreamHandlers h = logging_handlers(w.engine, client);
  h.on_open = [&](ConnectionId c) {
    client.opened = w.engine.now();
    for (int i = 0; i < kCount; ++i) {
      w.net.after(w.pa, sim::microseconds(100) * i,
                  [&w, c, i] { REQUIRE(w.net.send(c, w.pa, net_text(std::to_string(i)))); });
    }
  };
  w.net.connect(w.pa, Address{w.b, kNetPort}, sim::seconds(5), std::move(h));
  w.run();
  REQUIRE(client.opened.has_value());
  REQUIRE(server.log.messages.size() == static_cast<std::size_t>(kCount));
  for (int i = 0; i < kCount; ++i) {
    INFO("message " << i);
    REQUIRE(server.log.messages[i].second == std::to_string(i));
  }
}

// --- streams ------------------------------------------------------------------------------------

TEST_CASE("connecting to a listener opens after one round trip", "[network][stream]") {
  NetWorld w;
  Acceptor server;
  server.listen(w, w.pb);
  EndLog client;
  ConnectionId conn{};
  w.at(sim::milliseconds(100), [&] {
    conn = w.net.connect(w.pa, Address{w.b, kNetPort}, sim::seconds(1),
                         logging_handlers(w.engine, client));
  });
  w.run();
  CHECK(server.accepted_at == sim::milliseconds(103));  // one latency: the SYN
  CHECK(client.opened == sim::milliseconds(106));       // a round trip: SYN-ACK back
  CHECK_FALSE(client.failed.has_value());
  REQUIRE(server.peer_node.has_value());
  CHECK(*server.peer_node == w.a);
  REQUIRE(server.conn.has_value());
  CHECK(*server.conn == conn);
  CHECK(w.net.is_open(conn));
  CHECK(w.net.peer_of(conn, w.pa) == w.pb);
  CHECK(w.net.peer_of(conn, w.pb) == w.pa);
  // The connect timer was cancelled: no failure when the timeout would have elapsed.
  CHECK(w.engine.now() < sim::milliseconds(1100));

  // Data both ways, one latency each.
  const SimTime t0 = w.engine.now();
  REQUIRE(w.net.send(conn, w.pa, net_text("ping")));
  REQUIRE(w.net.send(conn, w.pb, net_text("pong")));
  w.run();
  REQUIRE(server.log.messages.size() == 1);
  REQUIRE(client.messages.size() == 1);
  CHECK(server.log.messages[0] == std::make_pair(t0 + kNetLatency, std::string("ping")));
  CHECK(client.messages[0] == std::make_pair(t0 + kNetLatency, std::string("pong")));
}

TEST_CASE("connecting to an up host with nothing listening is refused after a round trip",
          "[network][stream]") {
  NetWorld w;
  EndLog client;
  const ConnectionId c = w.net.connect(w.pa, Address{w.b, kNetPort}, sim::seconds(1),
                                       logging_handlers(w.engine, client));
  w.run();
  REQUIRE(client.failed.has_value());
  CHECK(client.failed->first == kNetLatency * 2);
  CHECK(client.failed->second == ConnectError::kRefused);
  CHECK_FALSE(client.opened.has_value());
  CHECK_FALSE(w.net.is_open(c));
  CHECK_FALSE(w.net.send(c, w.pa, net_text("x")));
}

TEST_CASE("connecting to a down or unreachable host times out exactly at the timeout",
          "[network][stream]") {
  NetWorld w;
  Acceptor server;
  server.listen(w, w.pb);
  EndLog client;
  const SimTime timeout = sim::milliseconds(750);
  SECTION("host crashed") {
    w.net.crash_node(w.b);
    CHECK_FALSE(w.net.node_up(w.b));
  }
  SECTION("partitioned") {
    w.net.partition({{w.a}, {w.b}});
  }
  SECTION("the host crashes while the SYN is in flight") {
    w.at(kNetLatency / 2, [&] { w.net.crash_node(w.b); });
  }
  w.at(SimTime::zero(), [&] {
    w.net.connect(w.pa, Address{w.b, kNetPort}, timeout, logging_handlers(w.engine, client));
  });
  w.run();
  REQUIRE(client.failed.has_value());
  CHECK(client.failed->first == timeout);
  CHECK(client.failed->second == ConnectError::kTimedOut);
  CHECK_FALSE(client.opened.has_value());
  CHECK_FALSE(server.accepted_at.has_value());
}

TEST_CASE("a process crash (host alive) closes its peers' connections one latency later",
          "[network][stream][fault]") {
  NetWorld w;
  Acceptor server;
  server.listen(w, w.pb);
  EndLog client;
  const ConnectionId conn = w.net.connect(w.pa, Address{w.b, kNetPort}, sim::seconds(1),
                                          logging_handlers(w.engine, client));
  w.at(sim::milliseconds(50), [&] { w.net.crash_process(w.pb); });
  w.run();
  REQUIRE(client.opened.has_value());
  CHECK(client.closed == sim::milliseconds(53));
  CHECK_FALSE(server.log.closed.has_value());  // the crashed end hears nothing of its own crash
  CHECK_FALSE(w.net.is_open(conn));
  CHECK_FALSE(w.net.send(conn, w.pa, net_text("x")));
  CHECK(w.net.process_state(w.pb) == sim::ProcessState::kDown);

  SECTION("its listeners went with it: a new connect is refused") {
    EndLog again;
    w.net.connect(w.pa, Address{w.b, kNetPort}, sim::seconds(1), logging_handlers(w.engine, again));
    const SimTime t0 = w.engine.now();
    w.run();
    REQUIRE(again.failed.has_value());
    CHECK(again.failed->second == ConnectError::kRefused);
    CHECK(again.failed->first == t0 + kNetLatency * 2);
  }
}

TEST_CASE("an orderly close reaches the other end one latency later", "[network][stream]") {
  NetWorld w;
  Acceptor server;
  server.listen(w, w.pb);
  EndLog client;
  const ConnectionId conn = w.net.connect(w.pa, Address{w.b, kNetPort}, sim::seconds(1),
                                          logging_handlers(w.engine, client));
  w.at(sim::milliseconds(20), [&] {
    REQUIRE(w.net.send(conn, w.pa, net_text("last words")));
    w.net.close(conn, w.pa);
  });
  w.run();
  REQUIRE(server.log.messages.size() == 1);
  CHECK(server.log.messages[0].first == sim::milliseconds(23));
  CHECK(server.log.closed == sim::milliseconds(23));  // the FIN follows the data
  CHECK_FALSE(client.closed.has_value());             // the closer is not told
  CHECK_FALSE(w.net.is_open(conn));
}

TEST_CASE("a connection that is over leaves nothing on the ones made after it",
          "[network][stream]") {
  // A closed connection's place is reused (sim/network.cpp, free_if_over); its id must still
  // name it and only it.
  NetWorld w;
  Acceptor server;
  server.listen(w, w.pb);
  EndLog first_log, second_log;
  const ConnectionId first = w.net.connect(w.pa, Address{w.b, kNetPort}, sim::seconds(1),
                                           logging_handlers(w.engine, first_log));
  w.at(sim::milliseconds(10), [&] { w.net.close(first, w.pa); });  // over at 13 ms
  std::optional<ConnectionId> second;
  w.at(sim::milliseconds(20), [&] {
    second = w.net.connect(w.pa, Address{w.b, kNetPort}, sim::seconds(1),
                           logging_handlers(w.engine, second_log));
  });
  w.at(sim::milliseconds(30), [&] {
    REQUIRE(second.has_value());
    CHECK(second->value > first.value);  // ids stay in order of connect
    CHECK(w.net.is_open(*second));
    CHECK_FALSE(w.net.is_open(first));
    CHECK_FALSE(w.net.send(first, w.pa, net_text("to the old one")));
    w.net.close(first, w.pa);  // a second close of the old id touches nothing
    CHECK(w.net.is_open(*second));
    CHECK_THROWS_AS(w.net.peer_of(first, w.pa), std::out_of_range);
    CHECK(w.net.peer_of(*second, w.pa) == w.pb);
    CHECK(w.net.send(*second, w.pa, net_text("to the new one")));
  });
  w.run();
  CHECK(first_log.opened == kNetLatency * 2);
  CHECK_FALSE(first_log.closed.has_value());
  CHECK(second_log.opened == sim::milliseconds(20) + kNetLatency * 2);
  CHECK_FALSE(second_log.closed.has_value());
  REQUIRE(server.log.messages.size() == 1);
  CHECK(server.log.messages[0] ==
        std::make_pair(sim::milliseconds(33), std::string("to the new one")));
}

TEST_CASE("a crash that drops held work lets go of the connection it named",
          "[network][stream][pause]") {
  // The accept of a connection to a paused process is held, its connection kept (pinned) for
  // it; a crash drops the held accept, and the connection must then be over like any other.
  NetWorld w;
  Acceptor server;
  server.listen(w, w.pb);
  EndLog client;
  w.net.pause_process(w.pb);
  const ConnectionId c = w.net.connect(w.pa, Address{w.b, kNetPort}, sim::seconds(1),
                                       logging_handlers(w.engine, client));
  w.at(sim::milliseconds(50), [&] { w.net.crash_process(w.pb); });
  w.run();
  CHECK_FALSE(server.accepted_at.has_value());  // held, then dropped with the process
  CHECK(client.opened == kNetLatency * 2);      // the host's kernel answered the SYN
  CHECK(client.closed == sim::milliseconds(50) + kNetLatency);  // the crash's reset
  CHECK_THROWS_AS(w.net.peer_of(c, w.pa), std::out_of_range);   // over: nothing holds it
}

TEST_CASE("a network destroyed with work held for a paused process lets go of it first",
          "[network][stream][pause]") {
  // The held accept pins its connection until it is destroyed, which here is with the network:
  // the pin must let go while the connections are still there (the sanitizer build reports a
  // read of freed memory otherwise).
  std::optional<ConnectionId> c;
  {
    NetWorld w;
    Acceptor server;
    server.listen(w, w.pb);
    w.net.pause_process(w.pb);
    c = w.net.connect(w.pa, Address{w.b, kNetPort}, sim::seconds(1), StreamHandlers{});
    w.run();
    CHECK_FALSE(server.accepted_at.has_value());
    CHECK(w.net.peer_of(*c, w.pa) == w.pb);  // still held, so not over
  }                                          // the network goes here, with the accept still held
}

TEST_CASE("an on_closed held by a pause reaches its own connection's handlers",
          "[network][stream][pause]") {
  // Closed at both ends while the acceptor is paused, the connection is over but for the
  // on_closed the acceptor has still to run: its place must not go to the next connection.
  NetWorld w;
  Acceptor on_b, on_c;
  on_b.listen(w, w.pb);
  on_c.listen(w, w.pc);
  EndLog to_b, to_c;
  const ConnectionId first = w.net.connect(w.pa, Address{w.b, kNetPort}, sim::seconds(1),
                                           logging_handlers(w.engine, to_b));
  w.at(sim::milliseconds(10), [&] { w.net.pause_process(w.pb); });
  w.at(sim::milliseconds(20), [&] { w.net.close(first, w.pa); });  // FIN held at b from 23 ms
  w.at(sim::milliseconds(30), [&] {
    w.net.connect(w.pa, Address{w.c, kNetPort}, sim::seconds(1), logging_handlers(w.engine, to_c));
  });
  w.at(sim::milliseconds(100), [&] { w.net.resume_process(w.pb); });
  w.run();
  CHECK(on_b.conn == first);
  CHECK(on_b.log.closed == sim::milliseconds(100));
  CHECK(on_c.accepted_at == sim::milliseconds(33));
  CHECK_FALSE(on_c.log.closed.has_value());
  CHECK(to_c.opened == sim::milliseconds(36));
  CHECK_FALSE(to_c.closed.has_value());
}

TEST_CASE("a listener that closes a connection as it accepts it resets the initiator",
          "[network][stream]") {
  NetWorld w;
  EndLog client;
  w.net.listen(w.pb, kNetPort, [&](ConnectionId c, Address) {
    w.net.close(c, w.pb);  // e.g. a server refusing a peer it does not know
    return StreamHandlers{};
  });
  const ConnectionId conn = w.net.connect(w.pa, Address{w.b, kNetPort}, sim::seconds(1),
                                          logging_handlers(w.engine, client));
  w.run();
  // The handshake completed in the host's kernel, so the initiator may see it open, but the
  // close must reach it: a half-open connection that swallows data forever is not TCP.
  CHECK(client.closed.has_value());
  CHECK_FALSE(w.net.is_open(conn));
}

TEST_CASE("what a listener sends as it accepts reaches the initiator after on_open",
          "[network][stream]") {
  NetWorld w;
  EndLog client;
  w.net.listen(w.pb, kNetPort, [&](ConnectionId c, Address) {
    CHECK(w.net.send(c, w.pb, net_text("hello")));  // e.g. a server greeting
    return StreamHandlers{};
  });
  w.net.connect(w.pa, Address{w.b, kNetPort}, sim::seconds(1), logging_handlers(w.engine, client));
  w.run();
  CHECK(client.opened == kNetLatency * 2);
  REQUIRE(client.messages.size() == 1);
  CHECK(client.messages[0] == std::make_pair(kNetLatency * 2, std::string("hello")));
}

TEST_CASE("a host crash is silent, after it reboots an old connection is reset",
          "[network][stream][fault]") {
  NetWorld w;
  Acceptor server;
  server.listen(w, w.pb);
  EndLog client;
  const ConnectionId conn = w.net.connect(w.pa, Address{w.b, kNetPort}, sim::seconds(1),
                                          logging_handlers(w.engine, client));
  w.at(sim::milliseconds(50), [&] { w.net.crash_node(w.b); });
  w.at(sim::milliseconds(60), [&] { CHECK(w.net.send(conn, w.pa, net_text("into the void"))); });
  w.run();
  CHECK(client.opened == kNetLatency * 2);
  CHECK_FALSE(client.closed.has_value());  // nobody told the peer
  CHECK(server.log.messages.empty());      // and what it sent vanished
  CHECK(w.net.process_state(w.pb) == sim::ProcessState::kDown);
  CHECK_FALSE(w.net.reachable(w.a, w.b));

  // The host comes back and its process starts again (a new incarnation, listening anew).
  w.at(sim::seconds(1), [&] {
    w.net.restart_node(w.b);
    w.net.start_process(w.pb);
    server.listen(w, w.pb);
  });
  w.at(sim::seconds(2), [&] { CHECK(w.net.send(conn, w.pa, net_text("anyone?"))); });
  w.run();
  CHECK(w.net.node_up(w.b));
  CHECK(w.net.incarnation(w.pb) == 2);
  CHECK(client.closed == sim::seconds(2) + kNetLatency * 2);  // RST after one round trip
  CHECK(server.log.messages.empty());  // the new incarnation never sees the old stream
  CHECK_FALSE(w.net.is_open(conn));
  CHECK_FALSE(w.net.send(conn, w.pa, net_text("again")));
}

// --- partitions ---------------------------------------------------------------------------------

TEST_CASE("a partition drops messages in flight and heal restores datagrams", "[network][fault]") {
  NetWorld w;
  std::vector<std::pair<SimTime, std::string>> at_b, at_c;
  w.receive_datagrams(w.pb, at_b);
  w.receive_datagrams(w.pc, at_c);
  CHECK(w.net.reachable(w.a, w.b));
  // Sent at 0, would arrive at 3 ms; the partition at 1 ms catches it in flight.
  w.net.send_datagram(w.pa, Address{w.b, kNetPort}, net_text("in flight"));
  w.at(sim::milliseconds(1), [&] { w.net.partition({{w.a}, {w.b}}); });
  w.at(sim::milliseconds(2), [&] {
    CHECK_FALSE(w.net.reachable(w.a, w.b));
    CHECK_FALSE(w.net.reachable(w.b, w.a));
    // c is in no group: it forms a group of its own.
    CHECK_FALSE(w.net.reachable(w.a, w.c));
    CHECK_FALSE(w.net.reachable(w.b, w.c));
    CHECK(w.net.reachable(w.a, w.a));
    w.net.send_datagram(w.pa, Address{w.b, kNetPort}, net_text("during"));
    w.net.send_datagram(w.pa, Address{w.c, kNetPort}, net_text("to c during"));
  });
  w.at(sim::milliseconds(10), [&] { w.net.heal(); });
  w.at(sim::milliseconds(20), [&] {
    CHECK(w.net.reachable(w.a, w.b));
    w.net.send_datagram(w.pa, Address{w.b, kNetPort}, net_text("after heal"));
  });
  w.run();
  REQUIRE(at_b.size() == 1);
  CHECK(at_b[0] == std::make_pair(sim::milliseconds(23), std::string("after heal")));
  CHECK(at_c.empty());
}

TEST_CASE("nodes grouped together stay connected across a partition", "[network][fault]") {
  NetWorld w;
  std::vector<std::pair<SimTime, std::string>> at_b;
  w.receive_datagrams(w.pb, at_b);
  w.net.partition({{w.a, w.b}, {w.c}});
  CHECK(w.net.reachable(w.a, w.b));
  CHECK_FALSE(w.net.reachable(w.a, w.c));
  w.net.send_datagram(w.pa, Address{w.b, kNetPort}, net_text("same side"));
  w.run();
  CHECK(at_b.size() == 1);
}

TEST_CASE("a stream segment caught by a partition is lost", "[network][stream][fault]") {
  NetWorld w;
  Acceptor server;
  server.listen(w, w.pb);
  EndLog client;
  const ConnectionId conn = w.net.connect(w.pa, Address{w.b, kNetPort}, sim::seconds(1),
                                          logging_handlers(w.engine, client));
  w.at(sim::milliseconds(10), [&] { REQUIRE(w.net.send(conn, w.pa, net_text("x"))); });
  w.at(sim::milliseconds(11), [&] { w.net.partition({{w.a}, {w.b}}); });
  w.run();
  REQUIRE(client.opened.has_value());
  CHECK(server.log.messages.empty());
  CHECK_FALSE(client.closed.has_value());  // detection is left to the application's timeouts
}

// --- pause and resume ---------------------------------------------------------------------------

TEST_CASE("deliveries to a paused process are held and delivered in order at resume",
          "[network][pause]") {
  NetWorld w;
  std::vector<std::pair<SimTime, std::string>> got;
  w.receive_datagrams(w.pb, got);
  w.net.pause_process(w.pb);
  CHECK(w.net.process_state(w.pb) == sim::ProcessState::kPaused);
  CHECK(w.net.process_up(w.pb));  // alive, only silent
  for (int i = 0; i < 5; ++i) {
    w.at(sim::milliseconds(i), [&w, i] {
      w.net.send_datagram(w.pa, Address{w.b, kNetPort}, net_text(std::to_string(i)));
    });
  }
  w.at(sim::milliseconds(100), [&] { w.net.resume_process(w.pb); });
  w.run();
  REQUIRE(got.size() == 5);
  for (int i = 0; i < 5; ++i) {
    CHECK(got[i].first == sim::milliseconds(100));
    CHECK(got[i].second == std::to_string(i));
  }
  CHECK(w.net.process_state(w.pb) == sim::ProcessState::kUp);
}

TEST_CASE("held deliveries stay ahead of a delivery that arrives at the resume instant",
          "[network][pause][fifo]") {
  NetWorld w;
  std::vector<std::pair<SimTime, std::string>> got;
  w.receive_datagrams(w.pb, got);
  w.net.pause_process(w.pb);
  // The resume is scheduled first, so it runs before an arrival at the same instant.
  w.at(sim::milliseconds(10), [&] { w.net.resume_process(w.pb); });
  w.net.send_datagram(w.pa, Address{w.b, kNetPort}, net_text("first"));  // arrives at 3 ms: held
  w.at(sim::milliseconds(10) - kNetLatency, [&] {
    w.net.send_datagram(w.pa, Address{w.b, kNetPort}, net_text("second"));
  });  // at 10 ms
  w.run();
  REQUIRE(got.size() == 2);
  CHECK(got[0].second == "first");
  CHECK(got[1].second == "second");
  CHECK(got[0].first == sim::milliseconds(10));
  CHECK(got[1].first == sim::milliseconds(10));
}

TEST_CASE("process timers are held while paused and die with the incarnation",
          "[network][pause][timer]") {
  NetWorld w;
  std::vector<std::pair<SimTime, std::string>> fired;
  auto arm = [&](const char* name, SimTime delay) {
    w.net.after(w.pb, delay, [&w, &fired, name] { fired.emplace_back(w.engine.now(), name); });
  };

  SECTION("a timer due while paused runs at resume") {
    arm("t", sim::seconds(2));
    w.at(sim::seconds(1), [&] { w.net.pause_process(w.pb); });
    w.at(sim::seconds(5), [&] { w.net.resume_process(w.pb); });
    w.run();
    REQUIRE(fired.size() == 1);
    CHECK(fired[0].first == sim::seconds(5));
  }
  SECTION("a timer due after the resume runs on time") {
    arm("t", sim::seconds(9));
    w.at(sim::seconds(1), [&] { w.net.pause_process(w.pb); });
    w.at(sim::seconds(5), [&] { w.net.resume_process(w.pb); });
    w.run();
    REQUIRE(fired.size() == 1);
    CHECK(fired[0].first == sim::seconds(9));
  }
  SECTION("a crash kills the timer, also for the next incarnation") {
    arm("old", sim::seconds(2));
    w.at(sim::seconds(1), [&] {
      w.net.crash_process(w.pb);
      w.net.start_process(w.pb);
      arm("new", sim::seconds(3));
    });
    w.run();
    REQUIRE(fired.size() == 1);
    CHECK(fired[0] == std::make_pair(sim::seconds(4), std::string("new")));
    CHECK(w.net.incarnation(w.pb) == 2);
  }
  SECTION("a crash while paused drops the held timer") {
    arm("t", sim::seconds(2));
    w.at(sim::seconds(1), [&] { w.net.pause_process(w.pb); });
    w.at(sim::seconds(3), [&] { w.net.crash_process(w.pb); });
    w.at(sim::seconds(4), [&] {
      w.net.start_process(w.pb);
      w.net.resume_process(w.pb);  // no effect: not paused
    });
    w.run();
    CHECK(fired.empty());
  }
  SECTION("a host crash and reboot kills the timer") {
    arm("t", sim::seconds(2));
    w.at(sim::seconds(1), [&] { w.net.crash_node(w.b); });
    w.at(sim::milliseconds(1500), [&] {
      w.net.restart_node(w.b);
      w.net.start_process(w.pb);
    });
    w.run();
    CHECK(fired.empty());
  }
  SECTION("a cancelled timer does not run") {
    const sim::TimerId id =
        w.net.after(w.pb, sim::seconds(2), [&] { fired.emplace_back(w.engine.now(), "x"); });
    CHECK(w.net.cancel(id));
    w.run();
    CHECK(fired.empty());
  }
}

// --- a handler that ends its own binding ---------------------------------------------------------

// A process may crash itself, or bind its port again, from inside the handler that the network is
// calling: the handler's captures must outlive that call (the sanitizer build reports a read of
// freed memory otherwise), and what follows is what the crash or the new binding says.
TEST_CASE("a handler that crashes its process or binds its port again finishes its call",
          "[network][crash]") {
  NetWorld w;
  // Longer than any short-string buffer: the capture's text lives on the heap with the handler.
  const std::string kText = "a capture that lives as long as its handler";
  std::vector<std::string> seen;
  std::vector<std::pair<SimTime, std::string>> seen_log;

  SECTION("an accept handler crashes its own process") {
    w.net.listen(w.pb, kNetPort, [&w, &seen, text = kText](ConnectionId, Address) {
      w.net.crash_process(w.pb);
      seen.push_back(text);
      return StreamHandlers{};
    });
    EndLog client;
    w.net.connect(w.pa, Address{w.b, kNetPort}, sim::seconds(5),
                  logging_handlers(w.engine, client));
    w.run();
    REQUIRE(seen == std::vector<std::string>{kText});
    CHECK(!w.net.process_up(w.pb));
    CHECK(client.closed.has_value());  // the crash reset the connection it had accepted
  }
  SECTION("a datagram handler crashes its own process") {
    w.net.bind(w.pb, kNetPort, [&w, &seen, text = kText](Address, const Message&) {
      w.net.crash_process(w.pb);
      seen.push_back(text);
    });
    w.net.send_datagram(w.pa, Address{w.b, kNetPort}, net_text("x"));
    w.net.send_datagram(w.pa, Address{w.b, kNetPort}, net_text("y"));
    w.run();
    CHECK(seen == std::vector<std::string>{kText});  // the second found nobody bound
  }
  SECTION("a datagram handler binds its port again") {
    w.net.bind(w.pb, kNetPort, [&w, &seen, text = kText](Address, const Message&) {
      w.net.bind(w.pb, kNetPort,
                 [&seen](Address, const Message& m) { seen.push_back("new: " + text_of(m)); });
      seen.push_back(text);
    });
    w.net.send_datagram(w.pa, Address{w.b, kNetPort}, net_text("x"));
    w.net.send_datagram(w.pa, Address{w.b, kNetPort}, net_text("y"));
    w.run();
    CHECK(seen == std::vector<std::string>{kText, "new: y"});
  }
  SECTION("an interceptor clears itself") {
    w.receive_datagrams(w.pb, seen_log);
    const Address at{w.b, kNetPort};
    w.net.set_interceptor(at, [&w, &seen, at, text = kText](ProcessId, Address, const Message&) {
      w.net.clear_interceptor(at);
      seen.push_back(text);
    });
    w.net.send_datagram(w.pa, at, net_text("x"));
    w.net.send_datagram(w.pa, at, net_text("y"));
    w.run();
    CHECK(seen == std::vector<std::string>{kText});
    REQUIRE(seen_log.size() == 1);  // delivery restored: the second reached the bound handler
    CHECK(seen_log[0].second == "y");
  }
  SECTION("an accept handler listens on its port again") {
    w.net.listen(w.pb, kNetPort, [&w, &seen, text = kText](ConnectionId, Address) {
      w.net.listen(w.pb, kNetPort, [&seen](ConnectionId, Address) {
        seen.emplace_back("new");
        return StreamHandlers{};
      });
      seen.push_back(text);
      return StreamHandlers{};
    });
    EndLog first, second;
    w.net.connect(w.pa, Address{w.b, kNetPort}, sim::seconds(5), logging_handlers(w.engine, first));
    w.at(sim::seconds(1), [&] {
      w.net.connect(w.pa, Address{w.b, kNetPort}, sim::seconds(5),
                    logging_handlers(w.engine, second));
    });
    w.run();
    CHECK(seen == std::vector<std::string>{kText, "new"});
  }
}

// --- loss on streams ----------------------------------------------------------------------------

TEST_CASE("a stream over a lossy link is reliable but slower", "[network][stream]") {
  NetWorld w;
  w.net.set_link_loss(w.a, w.b, 0.5);
  Acceptor server;
  server.listen(w, w.pb);
  EndLog client;
  constexpr int kCount = 50;
  StreamHandlers h = logging_handlers(w.engine, client);
  h.on_open = [&](ConnectionId c) {
    client.opened = w.engine.now();
    for (int i = 0; i < kCount; ++i) REQUIRE(w.net.send(c, w.pa, net_text(std::to_string(i))));
  };
  w.net.connect(w.pa, Address{w.b, kNetPort}, sim::minutes(10), std::move(h));
  w.run();
  REQUIRE(client.opened.has_value());
  REQUIRE(server.log.messages.size() == static_cast<std::size_t>(kCount));
  for (int i = 0; i < kCount; ++i) CHECK(server.log.messages[i].second == std::to_string(i));
  // Half the segments needed at least one retransmission (200 ms each).
  CHECK(server.log.messages.back().first > *client.opened + sim::milliseconds(200));
}

TEST_CASE("a stream over a link that loses everything terminates", "[network][stream]") {
  NetWorld w;
  w.net.set_link_loss(w.a, w.b, 1.0);
  Acceptor server;
  server.listen(w, w.pb);
  EndLog client;
  w.net.connect(w.pa, Address{w.b, kNetPort}, sim::seconds(1), logging_handlers(w.engine, client));
  w.run();  // must return: retransmissions cannot go on forever
  REQUIRE(client.failed.has_value());
  CHECK(client.failed->second == ConnectError::kTimedOut);
  CHECK(client.failed->first == sim::seconds(1));
}

// --- determinism --------------------------------------------------------------------------------

namespace {
std::vector<SimTime> arrival_times(std::uint64_t seed) {
  NetWorld w(seed, sim::Distribution::uniform(sim::milliseconds(1), sim::milliseconds(50)));
  std::vector<std::pair<SimTime, std::string>> got;
  w.receive_datagrams(w.pb, got);
  w.receive_datagrams(w.pc, got);
  for (int i = 0; i < 100; ++i) {
    w.at(sim::milliseconds(100) * i, [&w] {
      w.net.send_datagram(w.pa, Address{w.b, kNetPort}, net_text("b"));
      w.net.send_datagram(w.pa, Address{w.c, kNetPort}, net_text("c"));
    });
  }
  w.run();
  std::vector<SimTime> out;
  for (const auto& [t, s] : got) out.push_back(t);
  return out;
}
}  // namespace

TEST_CASE("delivery times are a function of the seed", "[network][determinism]") {
  const auto first = arrival_times(42);
  REQUIRE(first.size() == 200);
  CHECK(arrival_times(42) == first);
  CHECK(arrival_times(43) != first);
}

// --- zones -------------------------------------------------------------------------------------

TEST_CASE("zones: a message takes its pair of zones' latency, a link's own still overrides",
          "[network][zones]") {
  // a and b in zone 0, c in zone 1, d in zone 2, e in no zone. Within zone 0: 100 us; zones
  // 0-1: 1 ms; zones 0-2: 2 ms; zones 1-2 set nothing (the default, kNetLatency = 3 ms); a-b has a
  // link latency of its own (40 ms), which wins over the zone's; a loss-only link (a-c) keeps
  // the zones' latency.
  NetWorld w;
  const sim::NodeId d = w.net.add_node("d");
  const sim::NodeId e = w.net.add_node("e");
  const ProcessId pd = w.net.add_process(d, "pd");
  const ProcessId pe = w.net.add_process(e, "pe");
  w.net.start_process(pd);
  w.net.start_process(pe);
  const ProcessId pa2 = w.net.add_process(w.a, "pa2");  // a second process on host a
  w.net.start_process(pa2);
  w.net.set_node_zone(w.a, 0);
  w.net.set_node_zone(w.b, 0);
  w.net.set_node_zone(w.c, 1);
  w.net.set_node_zone(d, 2);
  w.net.set_zone_latency(0, 0, sim::Distribution::constant(sim::microseconds(100)));
  w.net.set_zone_latency(1, 0, sim::Distribution::constant(sim::milliseconds(1)));
  w.net.set_zone_latency(0, 2, sim::Distribution::constant(sim::milliseconds(2)));
  w.net.set_link_loss(w.a, w.c, 0.0);
  std::vector<std::pair<SimTime, std::string>> at_a2, at_b, at_c, at_d, at_e;
  w.receive_datagrams(pa2, at_a2);
  w.receive_datagrams(w.pb, at_b);
  w.receive_datagrams(w.pc, at_c);
  w.receive_datagrams(pd, at_d);
  w.receive_datagrams(pe, at_e);
  w.at(SimTime::zero(), [&] {
    w.net.send_datagram(w.pa, Address{w.b, kNetPort}, net_text("a>b within zone 0"));
    w.net.send_datagram(w.pa, Address{w.c, kNetPort}, net_text("a>c zones 0-1"));
    w.net.send_datagram(w.pc, Address{d, kNetPort}, net_text("c>d zones 1-2, unset"));
    w.net.send_datagram(pd, Address{w.b, kNetPort}, net_text("d>b zones 2-0"));
    w.net.send_datagram(w.pa, Address{e, kNetPort}, net_text("a>e no zone"));
    w.net.send_datagram(w.pa, Address{w.a, kNetPort}, net_text("a>a loopback"));
  });
  w.at(sim::milliseconds(10), [&] {
    w.net.set_link_latency(w.a, w.b, sim::Distribution::constant(sim::milliseconds(40)));
    w.net.send_datagram(w.pa, Address{w.b, kNetPort}, net_text("a>b link"));
  });
  w.run();
  REQUIRE(at_b.size() == 3);
  CHECK(at_b[0] == std::pair{sim::microseconds(100), std::string("a>b within zone 0")});
  CHECK(at_b[1] == std::pair{sim::milliseconds(2), std::string("d>b zones 2-0")});
  CHECK(at_b[2] == std::pair{sim::milliseconds(50), std::string("a>b link")});
  REQUIRE(at_c.size() == 1);
  CHECK(at_c[0].first == sim::milliseconds(1));
  REQUIRE(at_d.size() == 1);
  CHECK(at_d[0].first == kNetLatency);
  REQUIRE(at_e.size() == 1);
  CHECK(at_e[0].first == kNetLatency);
  REQUIRE(at_a2.size() == 1);  // within a host: the loopback latency (20 us), not the zone's
  CHECK(at_a2[0].first == sim::microseconds(20));
}

TEST_CASE("a process's connection list keeps the order of adding through erases and squeezes",
          "[network]") {
  sim::detail::ConnectionList list;
  for (std::uint32_t i = 0; i < 100; ++i) list.add(ConnectionId{i});
  list.add(ConnectionId{8});  // connected to itself: added at both ends
  // Erasing 60 of the 101 places squeezes the list (erased places are half of it by then).
  for (std::uint32_t i = 0; i < 100; i += 5) list.erase(ConnectionId{i});
  for (std::uint32_t i = 1; i < 100; i += 5) list.erase(ConnectionId{i});
  for (std::uint32_t i = 2; i < 100; i += 5) list.erase(ConnectionId{i});
  list.erase(ConnectionId{8});      // both places
  list.erase(ConnectionId{1'000});  // never added: nothing happens
  list.add(ConnectionId{200});
  std::vector<ConnectionId> expected;
  for (std::uint32_t i = 0; i < 100; ++i) {
    if (i % 5 >= 3 && i != 8) expected.push_back(ConnectionId{i});
  }
  expected.push_back(ConnectionId{200});
  CHECK(list.take() == expected);
  CHECK(list.take().empty());  // take() leaves it empty
}
