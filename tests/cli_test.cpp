// The bootsim command line as a user runs it: exit codes, error format, atomic output.
#include <sys/wait.h>
#include <catch2/catch.hpp>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <regex>
#include <sstream>
#include <string>

#include "tests/bootsim_process.hpp"

namespace {

using bootsim::test_support::Outcome;
using bootsim::test_support::slurp;

Outcome run_cli(const std::string& args) {
  return bootsim::test_support::run_bootsim(args);
}

std::filesystem::path temp_file(const std::string& name, const std::string& content) {
  const auto p = std::filesystem::temp_directory_path() /
                 ("bootsim-" + std::to_string(::getpid()) + "-" + name);
  std::ofstream(p) << content;
  return p;
}

}  // namespace

TEST_CASE("run prints a timeline and exits 0 when every check holds", "[cli]") {
  const Outcome o = run_cli("run scenarios/default.yaml");
  CHECK(o.status == 0);
  CHECK(o.err.empty());
  CHECK(o.out.starts_with("bootsim run: scenario default, profile dcos-1.9, seed 42\n"));
  CHECK(o.out.find("critical chain of cluster.ready") != std::string::npos);
  CHECK(o.out.find("violations: none") != std::string::npos);
}

TEST_CASE("run --format json is byte-identical for a seed and differs for another", "[cli]") {
  const Outcome a = run_cli("run scenarios/default.yaml --format json");
  const Outcome b = run_cli("run scenarios/default.yaml --format json");
  const Outcome c = run_cli("run scenarios/default.yaml --format json --seed 8");
  REQUIRE(a.status == 0);
  CHECK(a.out.starts_with("{\n  \"schema\": 1,\n  \"scenario\": \"default\""));
  CHECK(a.out == b.out);
  CHECK(a.out != c.out);
  CHECK(c.out.find("\"seed\": 8,") != std::string::npos);
}

TEST_CASE("a bad scenario gives FILE:LINE:COL, exit 2 and no output", "[cli]") {
  const auto bad = temp_file("bad.yaml", "name: x\ncluster:\n  masters: 4\n");
  const auto out = std::filesystem::temp_directory_path() / "bootsim-cli-never-written.json";
  std::filesystem::remove(out);
  const Outcome o = run_cli("run '" + bad.string() + "' --out '" + out.string() + "'");
  CHECK(o.status == 2);
  CHECK(o.out.empty());
  CHECK(o.err ==
        bad.string() +
            ":3:12: error: cluster.masters: DC/OS accepts 1, 3, 5, 7 or 9 masters, got 4\n");
  CHECK_FALSE(std::filesystem::exists(out));
  CHECK_FALSE(std::filesystem::exists(out.string() + ".tmp"));
  std::filesystem::remove(bad);
}

TEST_CASE("command-line errors exit 2", "[cli]") {
  CHECK(run_cli("").status == 2);
  CHECK(run_cli("frobnicate").status == 2);
  CHECK(run_cli("run").status == 2);
  CHECK(run_cli("run scenarios/nonesuch.yaml").status == 2);
  const Outcome set = run_cli("run scenarios/default.yaml --set cluster.masters=4");
  CHECK(set.status == 2);
  CHECK(set.err ==
        "command line: error: cluster.masters: DC/OS accepts 1, 3, 5, 7 or 9 masters, got 4\n");
  const Outcome fault =
      run_cli("run scenarios/default.yaml --fault 'kind=explode target=master-1'");
  CHECK(fault.status == 2);
  CHECK(fault.err.starts_with("command line: error: "));
  CHECK(run_cli("run scenarios/default.yaml --format xml").status == 2);
  CHECK(run_cli("run scenarios/default.yaml --seed -1").status == 2);
  CHECK(run_cli("run scenarios/default.yaml --until inf").status == 2);
  const Outcome no_node =
      run_cli("run scenarios/default.yaml --fault 'kind=crash target=master-9/zookeeper at=1s'");
  CHECK(no_node.status == 2);
  CHECK(no_node.err.starts_with("command line: error: "));
  CHECK(no_node.err.find("master-9") != std::string::npos);
  CHECK(run_cli("run scenarios/default.yaml --until soon").status == 2);
}

TEST_CASE("explore makes a missing --out-dir, and refuses one it cannot use before any run",
          "[cli][explore]") {
  const auto base = std::filesystem::temp_directory_path() /
                    ("bootsim-" + std::to_string(::getpid()) + "-explore");
  std::filesystem::remove_all(base);
  const auto made = base / "a" / "b";
  const Outcome o = run_cli("explore scenarios/default.yaml --runs 1 --out-dir '" + made.string() +
                            "' --budget-of-faults 'max=1 kinds=crash'");
  CHECK((o.status == 0 || o.status == 1));
  CHECK(o.err.empty());
  CHECK(std::filesystem::is_directory(made));
  CHECK(o.out.starts_with("explore: scenario 'default', 1 runs"));

  const auto file = temp_file("explore-not-a-dir", "x");
  const Outcome bad =
      run_cli("explore scenarios/default.yaml --runs 1 --out-dir '" + file.string() + "/sub'");
  CHECK(bad.status == 2);
  CHECK(bad.out.empty());
  CHECK(bad.err.starts_with("bootsim: error: --out-dir " + file.string() + "/sub: "));
  std::filesystem::remove_all(base);
  std::filesystem::remove(file);
}

TEST_CASE("a missed budget exits 1 and says so", "[cli]") {
  const auto tight =
      temp_file("tight.yaml",
                "name: tight\ncluster: {masters: 1, agents: {private: 1, public: 0}}\n"
                "budgets:\n  - {milestone: cluster.ready, within: 1s}\n");
  const Outcome o = run_cli("run '" + tight.string() + "'");
  CHECK(o.status == 1);
  CHECK(o.out.find("MISS cluster.ready within 1s") != std::string::npos);
  std::filesystem::remove(tight);
}

TEST_CASE("run --out writes the report to a file", "[cli]") {
  const auto out = std::filesystem::temp_directory_path() / "bootsim-cli-out.json";
  const Outcome o =
      run_cli("run scenarios/default.yaml --format json --out '" + out.string() + "'");
  CHECK(o.status == 0);
  CHECK(o.out.empty());
  CHECK(slurp(out).starts_with("{\n  \"schema\": 1"));
  std::filesystem::remove(out);
}

TEST_CASE("check and graph", "[cli]") {
  const Outcome check = run_cli("check scenarios/default.yaml");
  CHECK(check.status == 0);
  CHECK(check.out.find(": ok: scenario 'default', profile dcos-1.9, 3 masters") !=
        std::string::npos);
  const Outcome graph = run_cli("graph scenarios/default.yaml --format dot");
  CHECK(graph.status == 0);
  CHECK(graph.out.starts_with("digraph \"dcos-1.9\" {"));
  // Units coloured by role.
  CHECK_THAT(graph.out, Catch::Contains("label=\"master\";\n    node [style=filled, "
                                        "fillcolor=\"#c6dbef\"];") &&
                            Catch::Contains("fillcolor=\"#c7e9c0\"") &&
                            Catch::Contains("fillcolor=\"#fdd0a2\""));
}

TEST_CASE("rules lists the ordering rules and safety properties", "[cli]") {
  const Outcome o = run_cli("rules");
  CHECK(o.status == 0);
  CHECK(o.out.find("  node     agent.detected_leader before agent.registered\n") !=
        std::string::npos);
  CHECK(o.out.find("single-mesos-leader") != std::string::npos);
  CHECK(o.out.find("liveness rules") != std::string::npos);
  CHECK(o.out.find("  cluster.ready within 10m after the last fault heals\n") != std::string::npos);
  CHECK(run_cli("rules --profile dcos-0.1").status == 2);
}

TEST_CASE("bench phold prints the baseline, then the kernel's rate last", "[cli]") {
  const Outcome o = run_cli("bench phold --lps 100 --events-per-lp 1 --end 200 --seed 1");
  REQUIRE(o.status == 0);
  const std::regex rate(R"(events=(\d+) wall_s=[0-9.e+-]+ events_per_s=[0-9.e+-]+)");
  std::vector<std::string> lines;
  std::stringstream s(o.out);
  for (std::string line; std::getline(s, line);) lines.push_back(line);
  REQUIRE(lines.size() >= 2);
  CHECK(std::regex_match(lines.back(), rate));
  CHECK(std::regex_search(lines[lines.size() - 2], rate));
  CHECK(lines[lines.size() - 2].find("priority_queue") != std::string::npos);
}

TEST_CASE("a scenario's own profile file: check, graph, run and rules", "[cli][profile]") {
  // tests/profiles/fast-marathon.yaml: DC/OS 1.9 with Marathon's RestartSec at 5 s, named by
  // the scenario beside it.
  const std::string scenario = "tests/profiles/fast-marathon-scenario.yaml";
  const Outcome check = run_cli("check " + scenario);
  CHECK(check.status == 0);
  CHECK(check.out.find(": ok: scenario 'fast-marathon', profile fast-marathon, 3 masters") !=
        std::string::npos);
  // RestartSec draws no edge: the graph is 1.9's under another name.
  std::string expected = slurp(std::string(BOOTSIM_SOURCE_DIR) + "/tests/profiles/dcos-1.9.dot");
  expected.replace(0, std::string("digraph \"dcos-1.9\"").size(), "digraph \"fast-marathon\"");
  const Outcome graph = run_cli("graph " + scenario);
  CHECK(graph.status == 0);
  CHECK(graph.out == expected);
  const Outcome run = run_cli("run " + scenario);
  CHECK(run.status == 0);
  CHECK(
      run.out.starts_with("bootsim run: scenario fast-marathon, profile fast-marathon, seed 42\n"));
  // The rules come with the profile: the overlay keeps 1.9's; 2.3 drops the agents' ping rule.
  const Outcome rules = run_cli("rules --profile tests/profiles/fast-marathon.yaml");
  CHECK(rules.status == 0);
  CHECK(rules.out == run_cli("rules").out);
  const std::string ping_rule = "  node     agent.leader_pingable before agent.started\n";
  CHECK(rules.out.find(ping_rule) != std::string::npos);
  CHECK(run_cli("rules --profile dcos-2.3").out.find(ping_rule) == std::string::npos);
}

TEST_CASE("a bad profile exits 2 with its located error and no output", "[cli][profile][errors]") {
  // {file in tests/profiles/bad/, its error after "PATH:"}; @ stands for the file's own path.
  const std::pair<std::string, std::string> cases[] = {
      {"cycle.yaml",
       "6:13: error: cycle among After= orderings: dcos-exhibitor -> dcos-marathon -> "
       "dcos-exhibitor"},
      {"unknown_gate.yaml",
       "6:46: error: unit 'dcos-marathon' has an unknown gate 'pign leader.mesos' (did you mean "
       "'ping'?)"},
      {"unknown_key.yaml",
       "6:5: error: unknown key 'restart_secs' in 'units.dcos-marathon' (did you mean "
       "'restart_sec'?)"},
      {"bad_base.yaml", "3:7: error: unknown profile 'dcos-1.8' (did you mean 'dcos-1.9'?)"},
      {"base_cycle.yaml", "3:7: error: cycle of profile bases: @ -> @"},
  };
  const std::string source_dir = BOOTSIM_SOURCE_DIR;
  for (const auto& [file, message_] : cases) {
    INFO(file);
    // Clang 14 (the sanitizer build) cannot capture a structured binding.
    const std::string& message = message_;
    auto expect = [&](const std::string& path) {
      std::string m = message;
      for (std::size_t at = m.find('@'); at != std::string::npos; at = m.find('@', at + 1)) {
        m.replace(at, 1, path);
      }
      return path + ":" + m + "\n";
    };
    // bootsim rules --profile, with the file relative to the working directory.
    const std::string relative = "tests/profiles/bad/" + file;
    const Outcome rules = run_cli("rules --profile " + relative);
    CHECK(rules.status == 2);
    CHECK(rules.out.empty());
    CHECK(rules.err == expect(relative));
    // A scenario that names it (by an absolute path here): graph and run fail alike, and run
    // leaves no output file behind.
    const std::string absolute = source_dir + "/" + relative;
    const auto scenario = temp_file("uses-" + file, "name: x\nprofile: " + absolute + "\n");
    const Outcome graph = run_cli("graph '" + scenario.string() + "'");
    CHECK(graph.status == 2);
    CHECK(graph.out.empty());
    CHECK(graph.err == expect(absolute));
    const auto out = std::filesystem::temp_directory_path() / "bootsim-cli-bad-profile.json";
    const Outcome run =
        run_cli("run '" + scenario.string() + "' --format json --out '" + out.string() + "'");
    CHECK(run.status == 2);
    CHECK(run.out.empty());
    CHECK(run.err == expect(absolute));
    CHECK_FALSE(std::filesystem::exists(out));
    std::filesystem::remove(scenario);
  }
}

// Issue 7, items 3 and 4: limits a user understands, faults that did nothing, escaped names.
TEST_CASE("a fault whose time never comes is reported, and an error with --strict", "[cli]") {
  const std::string run = "run scenarios/default.yaml --set cluster.agents.private=2 ";
  const std::string fault = "--fault 'kind=crash target=master-1 at=2h' ";
  const Outcome text = run_cli(run + fault + "--until 30m");
  CHECK(text.status == 0);
  CHECK(text.out.find("\nfaults:\n        never  not_fired     cluster (kind=crash target=master-1 "
                      "at=2h)\n") != std::string::npos);
  const Outcome json = run_cli(run + fault + "--until 30m --format json");
  CHECK(json.out.find("{\"event\": \"not_fired\", \"node\": \"cluster\", \"time_s\": null, "
                      "\"detail\": \"kind=crash target=master-1 at=2h\"}") != std::string::npos);
  const Outcome strict = run_cli(run + fault + "--until 30m --strict");
  CHECK(strict.status == 1);
  CHECK(strict.err ==
        "bootsim: error: --strict: fault never fired (its time never came): kind=crash "
        "target=master-1 at=2h\n");
  CHECK(strict.out == text.out);  // the report is written all the same
}

TEST_CASE("a process fault on a process that is not running says so", "[cli]") {
  // At 0 s no unit has a process yet: the crash hits nothing, and --strict says so.
  const Outcome o = run_cli(
      "run scenarios/default.yaml --set cluster.agents.private=2 --strict "
      "--fault 'kind=crash target=master-1/mesos-dns at=0s'");
  CHECK(o.status == 1);
  CHECK(o.out.find("not_running   master-1 (kind=crash target=master-1/mesos-dns at=0s; "
                   "dcos-mesos-dns is ") != std::string::npos);
  CHECK(
      o.err.starts_with("bootsim: error: --strict: fault found nothing running: kind=crash "
                        "target=master-1/mesos-dns at=0s; dcos-mesos-dns is "));
}

TEST_CASE("a run that never reaches cluster.ready exits 1, budget or none", "[cli]") {
  const auto never = temp_file("never.yaml",
                               "name: never\ncluster: {masters: 3, agents: {private: 1, public: "
                               "0}}\nfaults:\n  - {kind: crash, target: master-3, at: 0s}\n");
  const Outcome o = run_cli("run '" + never.string() + "' --until 10m");
  CHECK(o.status == 1);
  CHECK(o.out.find("cluster.ready NOT reached") != std::string::npos);
  std::filesystem::remove(never);
}

TEST_CASE("a run with faults ends once nothing can change any more", "[cli]") {
  // master-2 stays down: DC/OS 1.9's masters wait for every ZooKeeper, so the boot stalls; the
  // run settles 20 minutes (twice the longest timer) after the last change, not at --until.
  const Outcome o = run_cli(
      "run scenarios/default.yaml --set cluster.agents.private=2 --until 1000h --format json "
      "--fault 'kind=crash target=master-2 at=zookeeper.quorum+4s'");
  CHECK(o.status == 1);
  CHECK(o.out.find("\"ended_by\": \"settled\"") != std::string::npos);
  CHECK(o.out.find("\"until_s\": 3600000,") != std::string::npos);
}

TEST_CASE("limits: --until, --max-events and the memory a cluster needs", "[cli]") {
  CHECK(run_cli("run scenarios/default.yaml --until 10001h").err ==
        "bootsim: error: --until must be at most 10000h (a run settles long before), got "
        "'10001h'\n");
  const Outcome events = run_cli("run scenarios/default.yaml --max-events 1000 --out /dev/null");
  CHECK(events.status == 2);
  CHECK(
      events.err.starts_with("bootsim: error: the run took more than --max-events 1000 events "
                             "(simulated time "));
  // A million agents cannot fit in any machine this runs on: refused before anything is built.
  const Outcome huge = run_cli("run scenarios/default.yaml --set cluster.agents.private=1000000");
  CHECK(huge.status == 2);
  CHECK(
      huge.err.starts_with("scenarios/default.yaml: error: a cluster of 1000004 hosts needs "
                           "about 200.0 GB of memory (about 200 KB a host at --trace full), "
                           "more than the "));
  CHECK(huge.out.empty());
  // A run that keeps less is estimated smaller (twice the hosts: still more than any machine).
  const Outcome light = run_cli(
      "run scenarios/default.yaml --set cluster.agents.private=1000000 "
      "--set cluster.agents.public=1000000 --trace none");
  CHECK(light.status == 2);
  CHECK(
      light.err.starts_with("scenarios/default.yaml: error: a cluster of 2000003 hosts needs "
                            "about 160.0 GB of memory (about 80 KB a host at --trace none), "
                            "more than the "));
  CHECK(light.out.empty());
}

TEST_CASE("names in the text report are escaped", "[cli]") {
  const auto evil = temp_file("evil.yaml",
                              "name: \"evil\\e[2J\\nfake line\\\\\"\ncluster: {masters: 1, "
                              "agents: {private: 1, public: 0}}\n");
  const Outcome o = run_cli("run '" + evil.string() + "'");
  CHECK(o.out.starts_with("bootsim run: scenario evil\\x1b[2J\\x0afake line\\\\, profile"));
  CHECK(o.out.find('\x1b') == std::string::npos);
  std::filesystem::remove(evil);
}

TEST_CASE(
    "run --trace keeps less text of the same run (same fingerprint), and a bad level or a record "
    "without the whole trace exits 2",
    "[cli]") {
  const Outcome full = run_cli("run scenarios/default.yaml");
  const Outcome none = run_cli("run scenarios/default.yaml --trace none");
  REQUIRE(full.status == 0);
  REQUIRE(none.status == 0);
  const auto last_line = [](const std::string& s) {
    const auto end = s.find_last_not_of('\n');
    return s.substr(s.rfind('\n', end) + 1, end - s.rfind('\n', end));
  };
  CHECK(last_line(none.out) == last_line(full.out));
  CHECK(last_line(full.out).find("fingerprint ") != std::string::npos);
  CHECK(none.out.find("cluster.ready at 135.033s") != std::string::npos);
  // Full keeps the milestones' details (ZooKeeper's leader), none does not.
  CHECK(full.out.find("zookeeper.quorum               leader ") != std::string::npos);
  CHECK(none.out.find("zookeeper.quorum               leader ") == std::string::npos);
  const Outcome bad = run_cli("run scenarios/default.yaml --trace some");
  CHECK(bad.status == 2);
  CHECK(bad.out.empty());
  CHECK(bad.err == "bootsim: error: --trace must be full, milestones or none, got 'some'\n");
  const auto record = std::filesystem::temp_directory_path() /
                      ("bootsim-" + std::to_string(::getpid()) + "-trace.rec");
  const Outcome rec =
      run_cli("run scenarios/default.yaml --trace milestones --record " + record.string());
  CHECK(rec.status == 2);
  CHECK(rec.out.empty());
  CHECK(rec.err.find("--record keeps the whole trace") != std::string::npos);
  CHECK_FALSE(std::filesystem::exists(record));
  // None keeps the chain's steps but not the records that explain them, and refuses the formats
  // that draw every record.
  CHECK(full.out.find("no why lines") == std::string::npos);
  CHECK(none.out.find("(no why lines: --trace none") != std::string::npos);
  for (const std::string format : {"trace", "svg", "html", "chrome"}) {
    const Outcome drawn = run_cli("run scenarios/default.yaml --trace none --format " + format);
    CHECK(drawn.status == 2);
    CHECK(drawn.out.empty());
    CHECK(
        drawn.err.starts_with("bootsim: error: --format " + format + " draws every trace record"));
  }
  CHECK(run_cli("run scenarios/default.yaml --trace none --format csv").status == 0);
  CHECK(run_cli("run scenarios/default.yaml --trace milestones --format svg").status == 0);
}
