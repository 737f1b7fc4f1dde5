// The model contract's shared pieces (models/core/run_context.hpp, host_store.hpp): stream
// names, the per-host store.
#include "models/core/run_context.hpp"

#include <catch2/catch.hpp>

#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>

#include "models/core/parameters.hpp"
#include "models/core/topology.hpp"
#include "sim/engine.hpp"
#include "sim/network.hpp"
#include "sim/trace.hpp"

namespace sim = bootsim::sim;
namespace models = bootsim::models;

namespace {
// A run context over an empty network, as a model sees it.
struct EmptyNetworkContext {
  explicit EmptyNetworkContext(std::uint64_t seed) : engine(seed) {}
  sim::Engine engine;
  sim::Network net{engine, sim::Distribution::constant(sim::milliseconds(1))};
  sim::Trace trace;
  models::Parameters params;
  models::Topology topology;
  models::RunContext ctx{engine, net, trace, params, topology};
};
}  // namespace

TEST_CASE("stream names join owner, purpose and index, leaving out empty parts", "[core]") {
  using models::StreamName;
  CHECK(StreamName{"master-1/zookeeper"}.key() == "master-1/zookeeper");
  CHECK(StreamName{"master-1/zookeeper", "zk-client/detector#1"}.key() ==
        "master-1/zookeeper/zk-client/detector#1");
  CHECK(StreamName{"agent-1/dcos-mesos-slave", "", 2}.key() == "agent-1/dcos-mesos-slave/2");
  CHECK(StreamName{"kafka", "start", 1}.key() == "kafka/start/1");
  CHECK(StreamName{"fault", "kind=crash target=master-1 at=1s"}.key() ==
        "fault/kind=crash target=master-1 at=1s");
}

TEST_CASE("a process's stream is named by its name, the purpose and its incarnation", "[core]") {
  EmptyNetworkContext fixture(7);
  sim::Engine& engine = fixture.engine;
  sim::Network& net = fixture.net;
  models::RunContext& ctx = fixture.ctx;
  const auto p = net.add_process(net.add_node("master-1"), "dcos-marathon");
  net.start_process(p);
  net.crash_process(p);
  net.start_process(p);
  const auto incarnation = net.incarnation(p);
  auto a = ctx.stream(p, "start");
  auto b = engine.stream("master-1/dcos-marathon/start/" + std::to_string(incarnation));
  CHECK(a.next_u64() == b.next_u64());
  auto c = ctx.stream(p, "");
  auto d = engine.stream("master-1/dcos-marathon/" + std::to_string(incarnation));
  CHECK(c.next_u64() == d.next_u64());
}

TEST_CASE("a host's files outlast its processes, what a process serves goes with it", "[core]") {
  EmptyNetworkContext fixture(1);
  sim::Network& net = fixture.net;
  models::RunContext& ctx = fixture.ctx;
  const auto node = net.add_node("agent-1");
  const auto telegraf = net.add_process(node, "dcos-telegraf");
  net.start_process(telegraf);
  models::HostStore& host = ctx.host(node);
  host.write_file(models::host_path::kClusterId, "", 3);
  host.hold(models::host_path::kTelegrafSocket, telegraf, 4);
  REQUIRE(host.find(models::host_path::kTelegrafSocket) != nullptr);
  CHECK(host.cause(models::host_path::kTelegrafSocket) == sim::RecordId{4});
  CHECK(host.find("/nowhere") == nullptr);

  net.pause_process(telegraf);  // alive but silent: its socket stays
  CHECK(host.find(models::host_path::kTelegrafSocket) != nullptr);
  net.resume_process(telegraf);
  net.crash_process(telegraf);
  CHECK(host.find(models::host_path::kTelegrafSocket) == nullptr);
  net.start_process(telegraf);  // a new incarnation serves nothing until it says so
  CHECK(host.find(models::host_path::kTelegrafSocket) == nullptr);
  host.hold(models::host_path::kTelegrafSocket, telegraf, 9);
  CHECK(host.cause(models::host_path::kTelegrafSocket) == sim::RecordId{9});

  net.crash_node(node);
  net.restart_node(node);
  CHECK(host.find(models::host_path::kTelegrafSocket) == nullptr);
  REQUIRE(host.find(models::host_path::kClusterId) != nullptr);
  CHECK(host.cause(models::host_path::kClusterId) == sim::RecordId{3});
  CHECK(&ctx.host(node) == &host);
}

TEST_CASE("a host's file is parsed once per write, and a reader keeps what it read", "[core]") {
  EmptyNetworkContext fixture(1);
  sim::Network& net = fixture.net;
  models::RunContext& ctx = fixture.ctx;
  const auto node = net.add_node("agent-1");
  models::HostStore& host = ctx.host(node);
  int parses = 0;
  const auto length = [&parses](std::string_view text) {
    ++parses;
    return text.size();
  };
  CHECK(host.parsed<std::size_t>("/etc/hosts", length) == nullptr);
  CHECK(parses == 0);

  host.write_file("/etc/hosts", "127.0.0.1 localhost", 1);
  const auto first = host.parsed<std::size_t>("/etc/hosts", length);
  REQUIRE(first != nullptr);
  CHECK(*first == 19);
  CHECK(host.parsed<std::size_t>("/etc/hosts", length) == first);  // the same parse, shared
  CHECK(parses == 1);

  host.write_file("/etc/hosts", "::1 localhost", 2);  // a write: parsed again on the next read
  const auto second = host.parsed<std::size_t>("/etc/hosts", length);
  REQUIRE(second != nullptr);
  CHECK(*second == 13);
  CHECK(parses == 2);
  CHECK(*first == 19);  // what the first reader read stays as it was
  // A parse into another type is its own, and replaces the cached one.
  const auto text = host.parsed<std::string>(
      "/etc/hosts", [](std::string_view t) { return std::string(t.substr(0, 3)); });
  REQUIRE(text != nullptr);
  CHECK(*text == "::1");
}
