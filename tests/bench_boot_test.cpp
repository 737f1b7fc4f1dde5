// `bootsim bench boot` on tiny clusters: the shape of what it prints, that it runs the default
// scenario's set-up, and that it refuses what it cannot run. Speed is measured by the benchmark
// itself (BENCHMARKS.md), never asserted here.
#include <catch2/catch.hpp>

#include <regex>
#include <sstream>
#include <stdexcept>
#include <string>
#include <variant>
#include <vector>

#include "models/run/cluster.hpp"
#include "models/scenario/scenario.hpp"
#include "tools/bench_boot.hpp"

namespace bt = bootsim::tools;
namespace bm = bootsim::models;

namespace {

std::vector<std::string> lines_of(const std::string& text) {
  std::vector<std::string> lines;
  std::istringstream in(text);
  for (std::string line; std::getline(in, line);) lines.push_back(line);
  return lines;
}

}  // namespace

TEST_CASE("bench boot prints a line per run, then the summary last", "[bench][boot]") {
  std::ostringstream out;
  const int status =
      bt::bench_boot_command({"--agents", "3", "--masters", "1", "--runs", "2"}, out);
  CHECK(status == 0);
  const std::vector<std::string> lines = lines_of(out.str());
  REQUIRE(lines.size() == 3);

  const std::regex run_line(
      R"(run=([12]) seed=(4[23]) events=([0-9]+) wall_s=[0-9]+\.[0-9]{3} cpu_s=[0-9]+\.[0-9]{3} )"
      R"(events_per_s=[0-9]+ ready_s=[0-9]+\.[0-9]{3} fingerprint=[0-9a-f]{16})");
  for (std::size_t i = 0; i < 2; ++i) {
    std::smatch m;
    INFO(lines[i]);
    REQUIRE(std::regex_match(lines[i], m, run_line));
    CHECK(m[1] == std::to_string(i + 1));
    CHECK(std::stoull(m[3]) > 0);
  }

  const std::regex summary(
      R"(agents=([0-9]+) events=([0-9]+) wall_s=[0-9]+\.[0-9]{3} events_per_s=[0-9]+ )"
      R"(peak_rss_mb=([0-9]+\.[0-9]) runs_per_s=[0-9]+\.[0-9]{2})");
  std::smatch m;
  INFO(lines.back());
  REQUIRE(std::regex_match(lines.back(), m, summary));
  CHECK(std::stoull(m[1]) == 3);
  CHECK(std::stoull(m[2]) > 0);
  CHECK(std::stod(m[3]) > 0);
}

TEST_CASE("bench boot at 10 agents and seed 42 is the default scenario's boot", "[bench][boot]") {
  auto loaded = bm::load_scenario_file(std::string(BOOTSIM_SOURCE_DIR) + "/scenarios/default.yaml");
  REQUIRE(std::holds_alternative<bm::Scenario>(loaded));
  auto result = bm::run_scenario(std::get<bm::Scenario>(loaded));
  REQUIRE(std::holds_alternative<bm::RunResult>(result));
  const bm::RunResult& expected = std::get<bm::RunResult>(result);

  bt::BootBenchOptions options;
  options.agents = 10;
  options.seed = 42;
  const bt::BootRun run = bt::run_boot(options, 0);
  CHECK(run.seed == 42);
  CHECK(run.events == expected.events);
  CHECK(run.fingerprint == expected.fingerprint);
  REQUIRE(run.ready_s.has_value());
  REQUIRE(expected.ready_at.has_value());
  CHECK(*run.ready_s == expected.ready_at->to_seconds());
  // --trace none (what a sweep keeps) is the same boot.
  options.trace = bootsim::sim::TraceLevel::kNone;
  const bt::BootRun light = bt::run_boot(options, 0);
  CHECK(light.events == expected.events);
  CHECK(light.fingerprint == expected.fingerprint);
  CHECK(light.ready_s == run.ready_s);
}

TEST_CASE("bench boot has one installed service per 100 private agents unless told",
          "[bench][boot]") {
  auto services = [](std::uint64_t agents) {
    bt::BootBenchOptions options;
    options.agents = agents;
    auto loaded = bm::load_scenario_text(bt::boot_bench_scenario(options), "bench");
    REQUIRE(std::holds_alternative<bm::Scenario>(loaded));
    const bm::Scenario& s = std::get<bm::Scenario>(loaded);
    CHECK(s.private_agents == static_cast<int>(agents));
    CHECK(s.public_agents == 1);
    REQUIRE_FALSE(s.services.empty());
    CHECK(s.services.front().name == "kafka");
    return s.services.size();
  };
  CHECK(services(1) == 1);
  CHECK(services(100) == 1);
  CHECK(services(101) == 2);
  CHECK(services(5000) == 50);

  bt::BootBenchOptions one;
  one.agents = 5000;
  one.services = 1;
  auto loaded = bm::load_scenario_text(bt::boot_bench_scenario(one), "bench");
  REQUIRE(std::holds_alternative<bm::Scenario>(loaded));
  CHECK(std::get<bm::Scenario>(loaded).services.size() == 1);
}

TEST_CASE("bench boot refuses options it cannot run", "[bench][boot]") {
  bt::BootBenchOptions options;
  CHECK(bt::boot_bench_options_error(options).empty());
  options.agents = 0;
  CHECK_FALSE(bt::boot_bench_options_error(options).empty());
  CHECK_THROWS_AS(bt::run_boot(options, 0), std::invalid_argument);
  options.agents = 10;
  options.masters = 4;
  CHECK_FALSE(bt::boot_bench_options_error(options).empty());
  options.masters = 3;
  options.services = 0;
  CHECK_FALSE(bt::boot_bench_options_error(options).empty());
  options.services.reset();
  options.runs = 0;
  CHECK_FALSE(bt::boot_bench_options_error(options).empty());

  std::ostringstream out;
  CHECK(bt::bench_boot_command({"--masters", "2"}, out) == 2);
  CHECK(bt::bench_boot_command({"--no-such-option"}, out) == 2);
  CHECK(out.str().empty());
}

TEST_CASE("bench boot --help shows the help whatever else the line says", "[bench][boot]") {
  std::ostringstream out;
  CHECK(bt::bench_boot_command({"--trace", "x", "--help"}, out) == 0);
  CHECK(out.str().find("bootsim bench boot [options]") != std::string::npos);
  CHECK(out.str().find("--agents") != std::string::npos);
}
