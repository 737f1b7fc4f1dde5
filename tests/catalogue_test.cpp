// The bad-input catalogue (issue 7, item 5): malformed and hostile inputs as a user gives them
// to the real bootsim binary, each with its exit status, its exact message on standard error
// and no output file left behind (nor a temporary one). Each case runs in a directory of its
// own holding only the scenario `s.yaml` (the case's text, or scenarios/default.yaml for the
// command-line cases), so messages name files relative to it.
#include <sys/wait.h>
#include <unistd.h>

#include <catch2/catch.hpp>
#include <filesystem>
#include <fstream>
#include <set>
#include <sstream>
#include <string>
#include <vector>

#include "tests/bootsim_process.hpp"

namespace fs = std::filesystem;
using bootsim::test_support::slurp;

namespace {

struct Case {
  const char* name;
  std::string scenario;  // the text of s.yaml; empty: a copy of scenarios/default.yaml
  std::string args;      // after `bootsim`, shell-quoted; --out out.json is the usual target
  int status;
  std::string err;  // standard error, exactly
};

// The scenario errors: bootsim run s.yaml --out out.json.
std::vector<Case> scenario_cases() {
  const std::string run = "run s.yaml --out out.json";
  return {
      {"yaml syntax", "name: [unclosed", run, 2,
       "s.yaml:1:1: error: invalid YAML: end of sequence flow not found\n"},
      {"empty file", "\n", run, 2,
       "s.yaml:1:1: error: empty scenario (expected a map with at least 'name')\n"},
      {"top level is a list", "- a\n- b\n", run, 2,
       "s.yaml:1:1: error: a scenario must be a map of keys (name, cluster, ...), got a list\n"},
      {"unknown top-level key", "name: x\nclustr: {masters: 3}\n", run, 2,
       "s.yaml:2:1: error: unknown key 'clustr' at the top level (did you mean 'cluster'?)\n"},
      {"duplicate key", "name: x\nname: y\n", run, 2,
       "s.yaml:2:1: error: duplicate key 'name' at the top level (first at line 1)\n"},
      {"second YAML document", "name: x\n---\nname: y\n", run, 2,
       "s.yaml:2:1: error: a scenario file holds one YAML document, found a second one\n"},
      {"NUL byte", std::string("name: x\0\n", 9), run, 2,
       "s.yaml:2:1: error: invalid YAML: unknown escape character: \n\n"},
      {"100,000 nested brackets", "name: x\ndescription: " + std::string(100'000, '[') + "\n", run,
       2, "s.yaml:3:1: error: invalid YAML: bad file\n"},
      {"masters even", "name: x\ncluster: {masters: 4}\n", run, 2,
       "s.yaml:2:20: error: cluster.masters: DC/OS accepts 1, 3, 5, 7 or 9 masters, got 4\n"},
      {"masters zero", "name: x\ncluster: {masters: 0}\n", run, 2,
       "s.yaml:2:20: error: cluster.masters must be positive, got 0\n"},
      {"masters not an integer", "name: x\ncluster: {masters: three}\n", run, 2,
       "s.yaml:2:20: error: cluster.masters: expected an integer, got 'three'\n"},
      {"agents negative", "name: x\ncluster: {agents: {private: -1}}\n", run, 2,
       "s.yaml:2:29: error: cluster.agents.private must not be negative, got -1\n"},
      {"agents past int64", "name: x\ncluster: {agents: {private: 99999999999999999999}}\n", run, 2,
       "s.yaml:2:29: error: cluster.agents.private must be at most 1000000, got "
       "'99999999999999999999'\n"},
      {"agents past the table's maximum", "name: x\ncluster: {agents: {private: 1000001}}\n", run,
       2, "s.yaml:2:29: error: cluster.agents.private must be at most 1000000, got 1000001\n"},
      {"until malformed", "name: x\nuntil: soon\n", run, 2,
       "s.yaml:2:8: error: until: malformed duration 'soon' (expected e.g. 250ms, 2s, 1m30s)\n"},
      {"until past the horizon", "name: x\nuntil: 2562048h\n", run, 2,
       "s.yaml:2:8: error: until: malformed duration '2562048h' (expected e.g. 250ms, 2s, "
       "1m30s)\n"},
      {"distribution missing an argument",
       "name: x\nparameters: {network.latency: \"lognormal(median=2s)\"}\n", run, 2,
       "s.yaml:2:31: error: network.latency: malformed distribution 'lognormal(median=2s)': "
       "lognormal(median=D, p99=D) is missing 'p99='\n"},
      {"unknown parameter", "name: x\nparameters: {zookeeper.tickTme: 2s}\n", run, 2,
       "s.yaml:2:14: error: unknown parameter 'zookeeper.tickTme' (did you mean "
       "'zookeeper.tickTime'?)\n"},
      {"parameter product past the horizon",
       "name: x\nparameters: {zookeeper.tickTime: 2s, zookeeper.initLimit: "
       "4611686018427387903}\n",
       run, 2,
       "s.yaml:2:59: error: zookeeper.initLimit: 4611686018427387903 makes 2 x "
       "zookeeper.tickTime x max(zookeeper.initLimit, zookeeper.syncLimit) longer than the "
       "simulated-time horizon (about 292 years)\n"},
      {"parameter duration past the horizon",
       "name: x\nparameters: {zookeeper.tickTime: 2562048h}\n", run, 2,
       "s.yaml:2:34: error: zookeeper.tickTime must be at most 2562047h47m16.854775806s (the "
       "simulated-time horizon), got '2562048h'\n"},
      {"unit RestartSec zero", "name: x\nunits:\n  dcos-mesos-dns: {restart_sec: 0}\n", run, 2,
       "s.yaml:3:33: error: units.dcos-mesos-dns.restart_sec must be positive, got '0'\n"},
      {"unit RestartSec below the floor",
       "name: x\nunits:\n  dcos-mesos-dns: {restart_sec: 10ms}\n", run, 2,
       "s.yaml:3:33: error: units.dcos-mesos-dns.restart_sec must be at least 100ms (bootsim's "
       "floor: systemd's default RestartSec, 100ms (systemd.service(5))), got '10ms'\n"},
      {"budget on an unknown milestone",
       "name: x\nbudgets:\n  - {milestone: cluster.redy, within: 5m}\n", run, 2,
       "s.yaml:3:17: error: budget.milestone: unknown milestone 'cluster.redy' (did you mean "
       "'cluster.ready'?)\n"},
      {"unknown profile", "name: x\nprofile: dcos-0.1\n", run, 2,
       "s.yaml:2:10: error: unknown profile 'dcos-0.1' (did you mean 'dcos-1.9'?)\n"},
      {"fault of an unknown kind",
       "name: x\nfaults:\n  - {kind: explode, target: master-1, at: 1s}\n", run, 2,
       "s.yaml:3:12: error: fault.kind: unknown kind 'explode' (expected crash, pause, "
       "partition, heal, one-way-partition, link, crash-loop, slow-disk, clock, dns-outage or "
       "zk-session-expiry)\n"},
      {"fault on a node the cluster lacks",
       "name: x\nfaults:\n  - {kind: crash, target: master-9, at: 1s}\n", run, 2,
       "s.yaml:3:27: error: fault.target: no node 'master-9' in this cluster (masters are "
       "master-1..master-3)\n"},
      {"fault with a negative offset",
       "name: x\nfaults:\n  - {kind: crash, target: master-1, at: zookeeper.quorum+-1s}\n", run, 2,
       "s.yaml:3:41: error: fault.at: malformed offset '-1s' in 'zookeeper.quorum+-1s' "
       "(expected e.g. 250ms, 2s, 1m30s)\n"},
      {"link to a node the cluster lacks",
       "name: x\ncluster:\n  network:\n    links:\n      - {between: [master-1, agent-11], "
       "loss: 0.5}\n",
       run, 2,
       "s.yaml:5:30: error: link: no node 'agent-11' in this cluster (private agents are "
       "agent-1..agent-10)\n"},
      {"link loss above 1",
       "name: x\ncluster:\n  network:\n    links:\n      - {between: [master-1, agent-1], "
       "loss: 1.5}\n",
       run, 2, "s.yaml:5:46: error: link.loss must be between 0 and 1, got '1.5'\n"},
  };
}

// Command-line errors, on the shipped default scenario (a copy in s.yaml).
std::vector<Case> command_line_cases() {
  const std::string run = "run s.yaml --out out.json ";
  return {
      {"--set without =", "", run + "--set zookeeper.tickTime", 2,
       "bootsim: error: --set expects key=value, got 'zookeeper.tickTime'\n"},
      {"--set without a key", "", run + "--set =1s", 2,
       "bootsim: error: --set expects key=value, got '=1s'\n"},
      {"--set unknown key", "", run + "--set zookeeper.tickTme=2s", 2,
       "command line: error: unknown parameter 'zookeeper.tickTme' (did you mean "
       "'zookeeper.tickTime'?)\n"},
      {"--set malformed duration", "", run + "--set zookeeper.tickTime=abc", 2,
       "command line: error: zookeeper.tickTime: malformed duration 'abc' (expected e.g. 250ms, "
       "2s, 1m30s)\n"},
      {"--set product past the horizon", "", run + "--set zookeeper.initLimit=4611686018427387903",
       2,
       "command line: error: zookeeper.initLimit: 4611686018427387903 makes 2 x "
       "zookeeper.tickTime x max(zookeeper.initLimit, zookeeper.syncLimit) longer than the "
       "simulated-time horizon (about 292 years)\n"},
      {"--set duration past the horizon", "", run + "--set mesos-dns.refreshSeconds=2562048h", 2,
       "command line: error: mesos-dns.refreshSeconds must be at most 2562047h47m16.854775806s "
       "(the simulated-time horizon), got '2562048h'\n"},
      {"--set distribution past the horizon", "",
       run + "--set 'network.latency=uniform(1s, 2562048h)'", 2,
       "command line: error: network.latency: malformed distribution 'uniform(1s, 2562048h)': "
       "duration '2562048h' is past the simulated-time horizon, 2562047h47m16.854775806s\n"},
      {"--fault restart past the horizon", "",
       run + "--fault 'kind=crash target=master-1 at=1s restart_after=2562048h'", 2,
       "command line: error: fault.restart_after must be at most 2562047h47m16.854775806s (the "
       "simulated-time horizon), got '2562048h'\n"},
      {"--set probability above 1", "", run + "--set network.loss=2", 2,
       "command line: error: network.loss must be between 0 and 1, got '2'\n"},
      {"--set zero period", "", run + "--set mesos-dns.refreshSeconds=0", 2,
       "command line: error: mesos-dns.refreshSeconds must be positive, got '0'\n"},
      {"--set implausible unit name", "", run + "--set 'units.bad name.start=1s'", 2,
       "command line: error: units.bad name.start: 'bad name' is not a plausible unit name\n"},
      {"--fault unknown kind", "", run + "--fault 'kind=explode target=master-1 at=1s'", 2,
       "command line: error: fault.kind: unknown kind 'explode' (expected crash, pause, "
       "partition, heal, one-way-partition, link, crash-loop, slow-disk, clock, dns-outage or "
       "zk-session-expiry)\n"},
      {"--fault without a time", "", run + "--fault 'kind=crash target=master-1'", 2,
       "command line: error: fault: missing 'at' (e.g. at=30s or at=zookeeper.quorum+4s)\n"},
      {"--fault on a node the cluster lacks", "",
       run + "--fault 'kind=crash target=master-9 at=1s'", 2,
       "command line: error: fault.target: no node 'master-9' in this cluster (masters are "
       "master-1..master-3)\n"},
      {"--fault at an unknown milestone", "",
       run + "--fault 'kind=crash target=master-1 at=zookeeper.quorm+1s'", 2,
       "command line: error: fault.at: unknown milestone 'zookeeper.quorm' (did you mean "
       "'zookeeper.quorum'?)\n"},
      {"--fault partition of one group", "", run + "--fault 'kind=partition groups=master-1 at=1s'",
       2,
       "command line: error: fault.groups: a partition needs at least 2 groups separated by '|', "
       "got 'master-1'\n"},
      {"--seed negative", "", run + "--seed -1", 2,
       "bootsim: error: --seed: expected an integer from 0 to 18446744073709551615, got '-1'\n"},
      {"--seed not a number", "", run + "--seed abc", 2,
       "bootsim: error: --seed: expected an integer from 0 to 18446744073709551615, got 'abc'\n"},
      {"--seed past 2^64", "", run + "--seed 18446744073709551616", 2,
       "bootsim: error: --seed: expected an integer from 0 to 18446744073709551615, got "
       "'18446744073709551616'\n"},
      {"--until inf", "", run + "--until inf", 2,
       "bootsim: error: --until must be positive and finite, got 'inf'\n"},
      {"--until 0", "", run + "--until 0", 2,
       "bootsim: error: --until must be positive and finite, got '0'\n"},
      {"--until malformed", "", run + "--until soon", 2,
       "bootsim: error: --until: malformed duration 'soon' (expected e.g. 250ms, 2s, 1m30s)\n"},
      {"--until past the limit", "", run + "--until 10001h", 2,
       "bootsim: error: --until must be at most 10000h (a run settles long before), got "
       "'10001h'\n"},
      {"--max-events not a number", "", run + "--max-events many", 2,
       "bootsim: error: --max-events: expected an integer from 0 to 18446744073709551615, got "
       "'many'\n"},
      {"--max-events reached", "", run + "--max-events 100", 2,
       "bootsim: error: the run took more than --max-events 100 events (simulated time 1.820s of "
       "30m); raise --max-events (0: no limit) or shorten --until\n"},
      {"--set period below the component's minimum", "",
       run + "--set mesos-dns.refreshSeconds=500ms", 2,
       "command line: error: mesos-dns.refreshSeconds must be at least 1s (Mesos-DNS reads "
       "refreshSeconds in whole seconds), got '500ms'\n"},
      {"--format unknown", "", run + "--format xml", 2,
       "bootsim: error: --format must be text, json, trace, csv, svg, html or chrome, got 'xml'\n"},
      {"sweep --format unknown", "", "sweep s.yaml --runs 1 --format pdf", 2,
       "bootsim: error: --format must be text, csv, json, junit or html, got 'pdf'\n"},
      {"sensitivity --format unknown", "", "sensitivity s.yaml --runs 1 --format svg", 2,
       "bootsim: error: --format must be text or html, got 'svg'\n"},
      {"unknown option", "", run + "--frobnicate", 2,
       "bootsim: error: unrecognised option '--frobnicate'\n"},
      {"--out in a missing directory", "", "run s.yaml --out nodir/out.json", 2,
       "bootsim: error: --out 'nodir/out.json': no such directory 'nodir'\n"},
      {"--out under a file", "", "run s.yaml --out s.yaml/out.json", 2,
       "bootsim: error: --out 's.yaml/out.json': 's.yaml' is not a directory\n"},
      {"--out a directory", "", "run s.yaml --out .", 2,
       "bootsim: error: --out '.': is a directory\n"},
      {"run without a scenario", "", "run --out out.json", 2, "bootsim: error: missing SCENARIO\n"},
      {"missing scenario file", "", "run nonesuch.yaml --out out.json", 2,
       "nonesuch.yaml: error: cannot open scenario file\n"},
      {"scenario is a directory", "", "run . --out out.json", 2,
       ".: error: cannot read scenario file\n"},
      {"check of a missing file", "", "check nonesuch.yaml", 2,
       "nonesuch.yaml: error: cannot open scenario file\n"},
  };
}

void run_case(const Case& c, const fs::path& binary) {
  static int counter = 0;
  const fs::path dir =
      fs::temp_directory_path() /
      ("bootsim-catalogue-" + std::to_string(::getpid()) + "-" + std::to_string(counter++));
  fs::remove_all(dir);
  fs::create_directories(dir);
  if (c.scenario.empty()) {
    fs::copy_file(fs::path(BOOTSIM_SOURCE_DIR) / "scenarios/default.yaml", dir / "s.yaml");
  } else {
    std::ofstream(dir / "s.yaml", std::ios::binary) << c.scenario;
  }
  const std::string cmd = "cd '" + dir.string() + "' && '" + binary.string() + "' " + c.args +
                          " >../" + dir.filename().string() + ".out 2>../" +
                          dir.filename().string() + ".err";
  const int raw = std::system(cmd.c_str());
  const fs::path out = dir.parent_path() / (dir.filename().string() + ".out");
  const fs::path err = dir.parent_path() / (dir.filename().string() + ".err");
  INFO("case: " << c.name << "\nbootsim " << c.args);
  CHECK((WIFEXITED(raw) ? WEXITSTATUS(raw) : -1) == c.status);
  CHECK(slurp(err) == c.err);
  CHECK(slurp(out).empty());
  std::set<std::string> left;
  for (const auto& entry : fs::directory_iterator(dir)) left.insert(entry.path().filename());
  CHECK(left == std::set<std::string>{"s.yaml"});  // no output, no temporary file
  fs::remove_all(dir);
  fs::remove(out);
  fs::remove(err);
}

}  // namespace

TEST_CASE("the bad-input catalogue: exit status, exact message, no output", "[cli][catalogue]") {
  // A file too large to be a scenario says which file, like every file-level error.
  std::vector<Case> cases = scenario_cases();
  for (Case& c : command_line_cases()) cases.push_back(std::move(c));
  cases.push_back({"scenario larger than 16 MiB", std::string(16 * 1024 * 1024 + 1, '#'),
                   "run s.yaml --out out.json", 2,
                   "s.yaml: error: scenario file larger than 16777216 bytes\n"});
  REQUIRE(cases.size() >= 40);
  for (const Case& c : cases) run_case(c, BOOTSIM_BINARY);
}
