// The bootsim command line as a user runs it: exit codes, error format, atomic output.
#include <sys/wait.h>
#include <catch2/catch.hpp>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <regex>
#include <sstream>
#include <string>

namespace {

struct Outcome {
  int status = -1;
  std::string out;
  std::string err;
};

std::string slurp(const std::filesystem::path& p) {
  std::ifstream f(p, std::ios::binary);
  std::stringstream s;
  s << f.rdbuf();
  return s.str();
}

// Runs `bootsim ARGS` from the source directory, capturing both streams.
Outcome bootsim(const std::string& args) {
  static int counter = 0;
  const auto dir = std::filesystem::temp_directory_path() /
                   ("bootsim-cli-" + std::to_string(::getpid()) + "-" + std::to_string(counter++));
  std::filesystem::create_directories(dir);
  const std::string cmd = std::string("cd '") + BOOTSIM_SOURCE_DIR + "' && '" + BOOTSIM_BINARY +
                          "' " + args + " >'" + (dir / "out").string() + "' 2>'" +
                          (dir / "err").string() + "'";
  const int raw = std::system(cmd.c_str());
  Outcome o;
  o.status = WIFEXITED(raw) ? WEXITSTATUS(raw) : -1;
  o.out = slurp(dir / "out");
  o.err = slurp(dir / "err");
  std::filesystem::remove_all(dir);
  return o;
}

std::filesystem::path temp_file(const std::string& name, const std::string& content) {
  const auto p = std::filesystem::temp_directory_path() /
                 ("bootsim-" + std::to_string(::getpid()) + "-" + name);
  std::ofstream(p) << content;
  return p;
}

}  // namespace

TEST_CASE("run prints a timeline and exits 0 when every check holds", "[cli]") {
  const Outcome o = bootsim("run scenarios/default.yaml");
  CHECK(o.status == 0);
  CHECK(o.err.empty());
  CHECK(o.out.starts_with("bootsim run: scenario default, profile dcos-1.9, seed 42\n"));
  CHECK(o.out.find("critical chain of cluster.ready") != std::string::npos);
  CHECK(o.out.find("violations: none") != std::string::npos);
}

TEST_CASE("run --format json is byte-identical for a seed and differs for another", "[cli]") {
  const Outcome a = bootsim("run scenarios/default.yaml --format json");
  const Outcome b = bootsim("run scenarios/default.yaml --format json");
  const Outcome c = bootsim("run scenarios/default.yaml --format json --seed 8");
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
  const Outcome o = bootsim("run '" + bad.string() + "' --out '" + out.string() + "'");
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
  CHECK(bootsim("").status == 2);
  CHECK(bootsim("frobnicate").status == 2);
  CHECK(bootsim("run").status == 2);
  CHECK(bootsim("run scenarios/nonesuch.yaml").status == 2);
  const Outcome set = bootsim("run scenarios/default.yaml --set cluster.masters=4");
  CHECK(set.status == 2);
  CHECK(set.err ==
        "command line: error: cluster.masters: DC/OS accepts 1, 3, 5, 7 or 9 masters, got 4\n");
  const Outcome fault =
      bootsim("run scenarios/default.yaml --fault 'kind=explode target=master-1'");
  CHECK(fault.status == 2);
  CHECK(fault.err.starts_with("command line: error: "));
  CHECK(bootsim("run scenarios/default.yaml --format xml").status == 2);
  CHECK(bootsim("run scenarios/default.yaml --seed -1").status == 2);
  CHECK(bootsim("run scenarios/default.yaml --until inf").status == 2);
  const Outcome no_node =
      bootsim("run scenarios/default.yaml --fault 'kind=crash target=master-9/zookeeper at=1s'");
  CHECK(no_node.status == 2);
  CHECK(no_node.err.starts_with("command line: error: "));
  CHECK(no_node.err.find("master-9") != std::string::npos);
  CHECK(bootsim("run scenarios/default.yaml --until soon").status == 2);
}

TEST_CASE("a missed budget exits 1 and says so", "[cli]") {
  const auto tight =
      temp_file("tight.yaml",
                "name: tight\ncluster: {masters: 1, agents: {private: 1, public: 0}}\n"
                "budgets:\n  - {milestone: cluster.ready, within: 1s}\n");
  const Outcome o = bootsim("run '" + tight.string() + "'");
  CHECK(o.status == 1);
  CHECK(o.out.find("MISS cluster.ready within 1s") != std::string::npos);
  std::filesystem::remove(tight);
}

TEST_CASE("run --out writes the report to a file", "[cli]") {
  const auto out = std::filesystem::temp_directory_path() / "bootsim-cli-out.json";
  const Outcome o =
      bootsim("run scenarios/default.yaml --format json --out '" + out.string() + "'");
  CHECK(o.status == 0);
  CHECK(o.out.empty());
  CHECK(slurp(out).starts_with("{\n  \"schema\": 1"));
  std::filesystem::remove(out);
}

TEST_CASE("check and graph", "[cli]") {
  const Outcome check = bootsim("check scenarios/default.yaml");
  CHECK(check.status == 0);
  CHECK(check.out.find(": ok: scenario 'default', profile dcos-1.9, 3 masters") !=
        std::string::npos);
  const Outcome graph = bootsim("graph scenarios/default.yaml --format dot");
  CHECK(graph.status == 0);
  CHECK(graph.out.starts_with("digraph \"dcos-1.9\" {"));
}

TEST_CASE("rules lists the ordering rules and safety properties", "[cli]") {
  const Outcome o = bootsim("rules");
  CHECK(o.status == 0);
  CHECK(o.out.find("  node     agent.detected_leader before agent.registered\n") !=
        std::string::npos);
  CHECK(o.out.find("single-mesos-leader") != std::string::npos);
  CHECK(bootsim("rules --profile dcos-0.1").status == 2);
}

TEST_CASE("bench phold prints the baseline, then the kernel's rate last", "[cli]") {
  const Outcome o = bootsim("bench phold --lps 100 --events-per-lp 1 --end 200 --seed 1");
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
