// The planner's commands as a user runs them (issue 13, item 6): `bootsim --version`,
// `bootsim params [--profile P]` and `bootsim sensitivity` with its SVG chart.
#include <sys/wait.h>
#include <unistd.h>

#include <catch2/catch.hpp>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <map>
#include <sstream>
#include <string>
#include <string_view>

#include "models/core/parameters.hpp"
#include "tests/bootsim_process.hpp"

namespace {

namespace models = bootsim::models;

using bootsim::test_support::Outcome;
using bootsim::test_support::slurp;

std::filesystem::path temp_path(const std::string& name) {
  return std::filesystem::temp_directory_path() /
         ("bootsim-planner-" + std::to_string(::getpid()) + "-" + name);
}

Outcome cli(const std::string& args) {
  return bootsim::test_support::run_bootsim(args);
}

// The lines of `text` up to the first empty one, by their first word.
std::map<std::string, std::string> lines_by_key(const std::string& text) {
  std::map<std::string, std::string> out;
  std::istringstream in(text);
  for (std::string line; std::getline(in, line) && !line.empty();) {
    out.emplace(line.substr(0, line.find(' ')), line);
  }
  return out;
}

bool has(const std::string& text, std::string_view part) {
  return text.find(part) != std::string::npos;
}

}  // namespace

TEST_CASE("bootsim --version prints the version every JSON result records", "[cli]") {
  const Outcome o = cli("--version");
  CHECK(o.status == 0);
  CHECK(o.err.empty());
  CHECK(o.out == std::string("bootsim ") + BOOTSIM_VERSION + "\n");
  CHECK(cli("version").out == o.out);
  const Outcome run = cli("run scenarios/default.yaml --format json");
  CHECK(has(run.out, std::string("\n  \"version\": \"") + BOOTSIM_VERSION + "\",\n"));
}

TEST_CASE("params lists every parameter with its type, default and source", "[cli][params]") {
  const Outcome o = cli("params");
  REQUIRE(o.status == 0);
  CHECK(o.err.empty());
  const auto lines = lines_by_key(o.out);
  const auto table = models::parameter_table();
  CHECK(lines.size() == table.size() + 1);  // and the header
  REQUIRE(lines.count("parameter") == 1);
  CHECK(has(lines.at("parameter"), "type"));
  for (const models::ParamSpec& p : table) {
    INFO(p.key);
    REQUIRE(lines.count(std::string(p.key)) == 1);
    const std::string& line = lines.at(std::string(p.key));
    CHECK(has(line, " " + std::string(models::param_type_name(p.type)) + " "));
    CHECK(has(line, " " + std::string(p.default_value) + " "));
    CHECK(!p.source.empty());
    CHECK(line.ends_with(" " + std::string(p.source)));
  }
  CHECK(has(o.out, "\nunits of profile dcos-1.9 "));
  CHECK(has(o.out, "\nunits.dcos-mesos-master.restart_sec        duration      15s "));
}

TEST_CASE("params --profile dcos-2.3 shows the units the overlay changes", "[cli][params]") {
  const Outcome v19 = cli("params");
  const Outcome v23 = cli("params --profile dcos-2.3");
  REQUIRE(v23.status == 0);
  CHECK(v23.err.empty());
  // The parameter table is the same; the units section is the profile's.
  CHECK(lines_by_key(v19.out) == lines_by_key(v23.out));
  CHECK(has(v23.out, "\nunits of profile dcos-2.3 "));
  // dcos-net replaces spartan, with the overlay's start distribution and source.
  CHECK(has(v23.out,
            "\nunits.dcos-net.start                       distribution  lognormal(median=1s, "
            "p99=3s)       dcos/dcos@79b9a39b packages/*/extra/*.service\n"));
  CHECK(!has(v19.out, "units.dcos-net."));
  CHECK(has(v19.out, "\nunits.dcos-spartan.start "));
  CHECK(!has(v23.out, "units.dcos-spartan."));
  // A unit the overlay lists takes its source; its 1.9 values stay.
  CHECK(has(v19.out,
            "\nunits.dcos-exhibitor.start                 distribution  "
            "lognormal(median=3s, p99=8s)       dcos/dcos@1.9.0 "));
  CHECK(has(v23.out,
            "\nunits.dcos-exhibitor.start                 distribution  "
            "lognormal(median=3s, p99=8s)       dcos/dcos@79b9a39b "));
  const Outcome bad = cli("params --profile nosuch");
  CHECK(bad.status == 2);
  CHECK(bad.out.empty());
  CHECK(has(bad.err, "unknown profile 'nosuch'"));
}

TEST_CASE("sensitivity ranks a parameter that moves cluster.ready above one that does not",
          "[cli][sensitivity]") {
  // One master, one agent, one seed: about 170 runs in a second or two.
  const auto scenario = temp_path("tiny.yaml");
  std::ofstream(scenario) << "name: tiny\nseed: 7\ncluster: {masters: 1, agents: {private: 1, "
                             "public: 0}}\n";
  const auto svg = temp_path("tornado.svg");
  const Outcome o =
      cli("sensitivity '" + scenario.string() + "' --runs 1 --top 5 --out '" + svg.string() + "'");
  REQUIRE(o.status == 0);
  CHECK(o.err.empty());
  // rank -> parameter, and the p50 swing of each.
  std::map<std::string, int> rank;
  std::map<std::string, double> swing;
  std::istringstream in(o.out);
  for (std::string line; std::getline(in, line);) {
    std::istringstream row(line);
    int r = 0;
    std::string key, lo, hi;
    double s = 0;
    if (row >> r >> key >> lo >> hi >> s) {
      rank[key] = r;
      swing[key] = s;
    }
  }
  // Mesos-DNS's refresh period quantises when leader.mesos resolves (a 20 % change moves the
  // boot by seconds); ZooKeeper's syncLimit only bounds a follower's lag, which a healthy boot
  // never nears.
  REQUIRE(rank.count("mesos-dns.refreshSeconds") == 1);
  REQUIRE(rank.count("zookeeper.syncLimit") == 1);
  CHECK(rank["mesos-dns.refreshSeconds"] < rank["zookeeper.syncLimit"]);
  CHECK(swing["mesos-dns.refreshSeconds"] > 1.0);
  CHECK(swing["zookeeper.syncLimit"] == 0.0);
  CHECK(!has(o.out, "cluster.masters "));  // DC/OS's master counts are swept, not scaled
  // The chart: the first --top parameters of the table, as SVG, in --out.
  const std::string chart = slurp(svg);
  CHECK(chart.starts_with("<svg xmlns=\"http://www.w3.org/2000/svg\""));
  CHECK(chart.ends_with("</svg>\n"));
  for (const auto& [key, r] : rank) {
    INFO(key);
    CHECK(has(chart, ">" + key + "</text>") == (r <= 5));
  }
  std::filesystem::remove(scenario);
  std::filesystem::remove(svg);
}
