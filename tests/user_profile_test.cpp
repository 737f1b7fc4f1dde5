// A user's own profile file named by a scenario: a complete copy of DC/OS 1.9 with one unit's
// RestartSec changed and one gate removed boots as computed by hand, an overlay saying the same
// boots the same, and the scenario's own unit overrides still apply on top.
#include <unistd.h>
#include <catch2/catch.hpp>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <string>

#include "models/run/cluster.hpp"
#include "models/scenario/scenario.hpp"
#include "tests/bootsim_process.hpp"
#include "tests/printers.hpp"

using namespace bootsim;
using namespace bootsim::models;

using bootsim::test_support::slurp;

namespace {

// `text` with `from` replaced by `to`, which must occur exactly once.
std::string replace_once(std::string text, const std::string& from, const std::string& to) {
  const std::size_t at = text.find(from);
  REQUIRE(at != std::string::npos);
  REQUIRE(text.find(from, at + 1) == std::string::npos);
  return text.replace(at, from.size(), to);
}

// The "quantised" boot of tests/cluster_test.cpp — one master, no agents, constant start times,
// zero loopback latency — with Mesos-DNS's start constant too. PROFILE is replaced.
constexpr const char* kUserProfileScenario = R"yaml(
name: quantised
seed: 1
profile: PROFILE
cluster: {masters: 1, agents: {private: 0, public: 0}}
parameters:
  zookeeper.server_start: 300ms
  network.loopback_latency: "constant(0s)"
  cluster.boot_skew: "constant(0s)"
units:
  dcos-exhibitor: {start: 1s}
  dcos-spartan: {start: 1s}
  dcos-mesos-master: {start: 500ms}
  dcos-mesos-dns: {start: 200ms}
)yaml";

// A scenario and profile files in a fresh temporary directory, removed at the end.
struct Workspace {
  Workspace() {
    static int counter = 0;
    dir = std::filesystem::temp_directory_path() /
          ("bootsim-user-profile-" + std::to_string(::getpid()) + "-" + std::to_string(counter++));
    std::filesystem::create_directories(dir / "profiles");
  }
  ~Workspace() { std::filesystem::remove_all(dir); }
  void write(const std::string& name, const std::string& text) const {
    std::ofstream(dir / name) << text;
  }
  RunResult run(const std::string& profile,
                const std::string& scenario = kUserProfileScenario) const {
    write("scenario.yaml", replace_once(scenario, "PROFILE", profile));
    auto loaded = load_scenario_file((dir / "scenario.yaml").string());
    if (auto* e = std::get_if<InputError>(&loaded)) FAIL(e->format());
    auto r = run_scenario(std::get<Scenario>(loaded));
    if (auto* e = std::get_if<InputError>(&r)) FAIL(e->format());
    return std::move(std::get<RunResult>(r));
  }
  std::filesystem::path dir;
};

std::optional<sim::SimTime> first_on_master(const RunResult& r, std::string_view name) {
  const auto id = r.trace.first_milestone(name, "master-1");
  if (!id) return std::nullopt;
  return r.trace.at(*id).time;
}

}  // namespace

TEST_CASE("a user's copy of DC/OS 1.9 with one RestartSec changed and one gate removed",
          "[profile][cluster]") {
  // With the built-in profile (tests/cluster_test.cpp explains the instants; a failing `ping`
  // takes 1 ms before resolv.conf points at Spartan, a passing one 0 with zero loopback latency,
  // RestartSec counts from the failed attempt, resolv.conf points at Spartan from 15 s):
  // - dcos-mesos-master (RestartSec 15 s) fails `ping ready.spartan` at 0.001 s, passes at
  //   15.001 s and is up 500 ms later: 15.501 s.
  // - dcos-mesos-dns (RestartSec 5 s) fails the ping at 0.001, 5.002 and 10.003 s, passes it at
  //   15.003 s, then bootstrap at once: up at 15.203 s.
  // The user's copy: mesos-master restarts after 10 s, and mesos-dns has no ping gate.
  // - mesos-master fails at 0.001 s and 10.002 s, passes at 20.002 s: 20.502 s, its second
  //   attempt 5 s sooner and one more needed.
  // - mesos-dns waits for bootstrap alone: Exhibitor is not up at 0 s, its first status after
  //   ZooKeeper serves (3.3 s) comes from the check at 5 s, which runs after the retry queued
  //   for that instant; the attempt at 10 s passes: up at 10.2 s.
  // Nothing else moves: ZooKeeper and the DNS proxy do not wait for either.
  const Workspace ws;
  const RunResult builtin = ws.run("dcos-1.9");
  CHECK(first_on_master(builtin, "mesos-master.started") == sim::milliseconds(15501));
  CHECK(first_on_master(builtin, "mesos-dns.started") == sim::milliseconds(15203));

  std::string copy = slurp(std::string(BOOTSIM_SOURCE_DIR) + "/models/dcos/profiles/dcos-1.9.yaml");
  copy = replace_once(copy, "name: dcos-1.9\n", "name: my-dcos\n");
  copy = replace_once(copy, "  dcos-mesos-master:\n    roles: [master]\n    restart_sec: 15s\n",
                      "  dcos-mesos-master:\n    roles: [master]\n    restart_sec: 10s\n");
  copy = replace_once(copy,
                      "  dcos-mesos-dns:\n    roles: [master]\n    restart_sec: 5s\n"
                      "    gates: [ping ready.spartan, bootstrap exhibitor-all-serving]\n",
                      "  dcos-mesos-dns:\n    roles: [master]\n    restart_sec: 5s\n"
                      "    gates: [bootstrap exhibitor-all-serving]\n");
  ws.write("profiles/my-dcos.yaml", copy);
  // Named relative to the scenario file's directory.
  const RunResult mine = ws.run("profiles/my-dcos.yaml");
  CHECK(mine.profile == "my-dcos");
  CHECK(first_on_master(mine, "mesos-master.started") == sim::milliseconds(20502));
  CHECK(first_on_master(mine, "mesos-dns.started") == sim::milliseconds(10200));
  for (const char* m : {"exhibitor.started", "zookeeper.serving", "dns-proxy.started"}) {
    INFO(m);
    CHECK(first_on_master(mine, m) == first_on_master(builtin, m));
  }
  CHECK(mine.violations.empty());

  // The same change as an overlay: the same boot, event for event.
  ws.write("profiles/overlay.yaml", R"yaml(
name: my-dcos
base: dcos-1.9
units:
  dcos-mesos-master: {restart_sec: 10s}
  dcos-mesos-dns: {gates: [bootstrap exhibitor-all-serving]}
)yaml");
  const RunResult overlay = ws.run("profiles/overlay.yaml");
  CHECK(overlay.fingerprint == mine.fingerprint);

  // A base that is itself a file, relative to the overlay that names it.
  ws.write("profiles/on-top.yaml", "name: on-top\nbase: overlay.yaml\n");
  CHECK(ws.run("profiles/on-top.yaml").fingerprint == mine.fingerprint);

  // The scenario's own overrides apply on top of the user's profile: RestartSec 15 s again.
  const RunResult back =
      ws.run("profiles/overlay.yaml",
             replace_once(kUserProfileScenario, "dcos-mesos-master: {start: 500ms}",
                          "dcos-mesos-master: {start: 500ms, "
                          "restart_sec: 15s}"));
  CHECK(first_on_master(back, "mesos-master.started") == sim::milliseconds(15501));
  CHECK(first_on_master(back, "mesos-dns.started") == sim::milliseconds(10200));
}
