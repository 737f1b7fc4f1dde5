// The request/response helper (sim/request.hpp) and what it needs of the kernel: datagrams
// carry their source port, ephemeral ports, unbinding. Constant latencies: every time below is
// computed by hand (one way = kRequestLatency).
#include "sim/request.hpp"

#include <catch2/catch.hpp>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "tests/printers.hpp"

namespace sim = bootsim::sim;
using sim::Address;
using sim::Message;
using sim::ProcessId;
using sim::SimTime;

namespace {

struct RequestText final : sim::Payload {
  explicit RequestText(std::string t) : text(std::move(t)) {}
  std::string_view kind() const override { return "text"; }
  std::string text;
};
Message request_text(std::string t) {
  return std::make_shared<const RequestText>(std::move(t));
}

constexpr sim::Port kServerPort = 53;
constexpr SimTime kRequestLatency = sim::milliseconds(3);

// A client host and a server host; the server echoes "re:" + the request to its source.
struct RequestWorld {
  RequestWorld() : engine(1), net(engine, sim::Distribution::constant(kRequestLatency)) {
    client_node = net.add_node("client");
    server_node = net.add_node("server");
    client = net.add_process(client_node, "client");
    server = net.add_process(server_node, "server");
    net.start_process(client);
    net.start_process(server);
    net.bind(server, kServerPort, [this](Address from, const Message& m) {
      sources.push_back(from);
      net.send_datagram(server, kServerPort, from,
                        request_text("re:" + sim::message_as<RequestText>(m)->text));
    });
  }
  // Sends one request at `at`; the outcome lands in `answers` (nullopt: timed out).
  void ask(SimTime at, std::string what, SimTime timeout = sim::seconds(1)) {
    engine.schedule_at(at, [this, what = std::move(what), timeout] {
      sim::request(net, client, {server_node, kServerPort}, request_text(what), timeout,
                   [this](Message answer) {
                     times.push_back(engine.now());
                     if (answer) {
                       answers.emplace_back(sim::message_as<RequestText>(answer)->text);
                     } else {
                       answers.emplace_back(std::nullopt);
                     }
                   });
    });
  }
  sim::Engine engine;
  sim::Network net;
  sim::NodeId client_node, server_node;
  ProcessId client, server;
  std::vector<Address> sources;
  std::vector<std::optional<std::string>> answers;
  std::vector<SimTime> times;
};

}  // namespace

TEST_CASE("request: the answer comes back to the ephemeral source port after a round trip") {
  RequestWorld w;
  w.ask(SimTime::zero(), "a");
  w.engine.run_until(SimTime::infinite());
  REQUIRE(w.answers == std::vector<std::optional<std::string>>{"re:a"});
  CHECK(w.times.at(0) == kRequestLatency * 2);
  REQUIRE(w.sources.size() == 1);
  CHECK(w.sources[0].node == w.client_node);
  CHECK(w.sources[0].port >= 32768);
  CHECK(w.sources[0].port <= 60999);
}

TEST_CASE("request: concurrent requests use distinct ports and each gets its own answer") {
  RequestWorld w;
  w.ask(SimTime::zero(), "a");
  w.ask(SimTime::zero(), "b");
  w.engine.run_until(SimTime::infinite());
  REQUIRE(w.sources.size() == 2);
  CHECK(w.sources[0].port != w.sources[1].port);
  CHECK(w.answers == std::vector<std::optional<std::string>>{"re:a", "re:b"});
}

TEST_CASE("request: a silent server means a timeout, and a late answer is dropped") {
  RequestWorld w;
  w.engine.schedule_at(SimTime::zero(), [&] { w.net.pause_process(w.server); });
  w.ask(sim::milliseconds(1), "a", sim::seconds(1));
  w.engine.schedule_at(sim::seconds(5), [&] { w.net.resume_process(w.server); });
  w.engine.run_until(SimTime::infinite());
  // Timed out at 1 ms + 1 s; the server answers at 5 s (held while paused), into a closed port.
  REQUIRE(w.answers == std::vector<std::optional<std::string>>{std::nullopt});
  CHECK(w.times.at(0) == sim::milliseconds(1) + sim::seconds(1));
  CHECK(w.sources.size() == 1);
}

TEST_CASE("request: nothing is called when the requesting process dies first") {
  RequestWorld w;
  w.engine.schedule_at(SimTime::zero(), [&] { w.net.pause_process(w.server); });
  w.ask(sim::milliseconds(1), "a");
  w.engine.schedule_at(sim::milliseconds(500), [&] { w.net.crash_process(w.client); });
  w.engine.run_until(SimTime::infinite());
  CHECK(w.answers.empty());
}

TEST_CASE("network: unbind frees a port, and ephemeral ports skip bound ones") {
  RequestWorld w;
  const sim::Port first = w.net.ephemeral_port(w.client_node);
  w.net.bind(w.client, static_cast<sim::Port>(first + 1), [](Address, const Message&) {});
  CHECK(w.net.ephemeral_port(w.client_node) == first + 2);
  int delivered = 0;
  w.net.bind(w.server, 9000, [&](Address, const Message&) { ++delivered; });
  w.net.send_datagram(w.client, {w.server_node, 9000}, request_text("x"));
  w.engine.schedule_at(sim::milliseconds(10), [&] {
    w.net.unbind(w.server, 9000);
    w.net.send_datagram(w.client, {w.server_node, 9000}, request_text("y"));
  });
  w.engine.run_until(SimTime::infinite());
  CHECK(delivered == 1);
}

TEST_CASE("network: a datagram sent from no bound port has source port 0") {
  RequestWorld w;
  w.net.send_datagram(w.client, {w.server_node, kServerPort}, request_text("x"));
  w.engine.run_until(SimTime::infinite());
  REQUIRE(w.sources.size() == 1);
  CHECK(w.sources[0].port == 0);
}
