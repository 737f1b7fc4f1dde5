// Sweeps: the grid, nearest-rank quantiles, budgets over runs, and the results file's lines.
#include <catch2/catch.hpp>

#include "models/core/milestones.hpp"
#include "models/scenario/scenario.hpp"
#include "tools/sweep/grid.hpp"
#include "tools/sweep/record.hpp"
#include "tools/sweep/summary.hpp"

using namespace bootsim;
using sweep::nearest_rank;

namespace {

std::vector<std::optional<std::int64_t>> times(std::initializer_list<std::int64_t> v,
                                               int never = 0) {
  std::vector<std::optional<std::int64_t>> out(v.begin(), v.end());
  for (int i = 0; i < never; ++i) out.emplace_back();
  return out;
}

std::size_t ready_index() {
  const auto names = models::milestone_names();
  return static_cast<std::size_t>(std::find(names.begin(), names.end(), "cluster.ready") -
                                  names.begin());
}

// A run whose cluster.ready is `ready_ns` (nullopt: never), nothing else reached.
sweep::RunRecord run(std::uint64_t index, std::uint64_t seed,
                     std::optional<std::int64_t> ready_ns) {
  sweep::RunRecord r;
  r.index = index;
  r.seed = seed;
  r.ended_by = "cluster.ready";
  r.times_ns.resize(models::milestone_names().size());
  r.times_ns[ready_index()] = ready_ns;
  return r;
}

}  // namespace

TEST_CASE("nearest rank: the ceil(p*n)-th smallest, never-reached runs last", "[sweep]") {
  const auto ten = times({1, 2, 3, 4, 5, 6, 7, 8, 9, 10});
  CHECK(nearest_rank(ten, 0) == 1);        // min
  CHECK(nearest_rank(ten, 5'000) == 5);    // ceil(0.5 * 10) = 5th
  CHECK(nearest_rank(ten, 9'000) == 9);    // 9th
  CHECK(nearest_rank(ten, 9'900) == 10);   // ceil(9.9) = 10th
  CHECK(nearest_rank(ten, 10'000) == 10);  // max
  const auto four = times({10, 20, 30, 40});
  CHECK(nearest_rank(four, 5'000) == 20);  // p50 of 4: the 2nd, not an interpolation
  CHECK(nearest_rank(four, 5'001) == 30);
  // 98 reached, 2 never: p90 is a time, p99 falls on a run that never reached it.
  std::vector<std::optional<std::int64_t>> hundred;
  for (std::int64_t i = 1; i <= 98; ++i) hundred.emplace_back(i);
  hundred.emplace_back();
  hundred.emplace_back();
  CHECK(nearest_rank(hundred, 9'000) == 90);
  CHECK(nearest_rank(hundred, 9'800) == 98);
  CHECK_FALSE(nearest_rank(hundred, 9'900).has_value());
  CHECK_FALSE(nearest_rank({}, 5'000).has_value());
}

TEST_CASE("vary: lists, integer and duration ranges, and the grid order", "[sweep]") {
  auto v = sweep::parse_vary("cluster.agents.private=100..500:200");
  REQUIRE(std::holds_alternative<sweep::Vary>(v));
  CHECK(std::get<sweep::Vary>(v).values == std::vector<std::string>{"100", "300", "500"});
  v = sweep::parse_vary("zookeeper.tickTime=1s..2s:500ms");
  REQUIRE(std::holds_alternative<sweep::Vary>(v));
  CHECK(std::get<sweep::Vary>(v).values == std::vector<std::string>{"1s", "1.5s", "2s"});
  v = sweep::parse_vary("network.latency=1ms,uniform(1ms, 2ms)");
  REQUIRE(std::holds_alternative<sweep::Vary>(v));
  CHECK(std::get<sweep::Vary>(v).values == std::vector<std::string>{"1ms", "uniform(1ms, 2ms)"});
  CHECK(std::get<std::string>(sweep::parse_vary("cluster.masters")) ==
        "--vary expects key=v1,v2,... or key=FROM..TO:STEP, got 'cluster.masters'");
  CHECK(std::get<std::string>(sweep::parse_vary("x=5..1:1")) ==
        "--vary x: '5..1:1' needs FROM <= TO and STEP > 0");
  CHECK(std::get<std::string>(sweep::parse_vary("x=1..100000:1")) ==
        "--vary x: the range '1..100000:1' has more than 10000 values");
  CHECK(std::get<std::string>(sweep::parse_vary("x=1,,2")) == "--vary x: an empty value in '1,,2'");

  const sweep::Vary masters{"cluster.masters", {"3", "5"}};
  const sweep::Vary agents{"cluster.agents.private", {"10", "100"}};
  const auto points =
      std::get<std::vector<sweep::GridPoint>>(sweep::grid_points({masters, agents}));
  REQUIRE(points.size() == 4);
  CHECK(points[0].label() == "cluster.masters=3 cluster.agents.private=10");
  CHECK(points[1].label() == "cluster.masters=3 cluster.agents.private=100");  // last fastest
  CHECK(points[3].label() == "cluster.masters=5 cluster.agents.private=100");
  CHECK(std::get<std::vector<sweep::GridPoint>>(sweep::grid_points({})).size() == 1);
}

TEST_CASE("a results-file line reads back exactly, and a torn or altered one is refused",
          "[sweep]") {
  sweep::RunRecord r = run(17, 59, 97'312'456'789);
  r.times_ns[0] = 1;
  r.fingerprint = 0xdeadbeef;
  r.violations = {{"mesos-master.started before agent.registered (cluster)", 2},
                  {"single-mesos-leader", 1}};
  const std::string line = sweep::to_line(r);
  CHECK(line.back() == '\n');
  CHECK(line.find("mesos-master.started%20before") != std::string::npos);
  const auto back = sweep::from_line(line);
  REQUIRE(back.has_value());
  CHECK(*back == r);
  CHECK_FALSE(sweep::from_line(line.substr(0, line.size() / 2)).has_value());
  std::string altered = line;
  altered[4] = altered[4] == '1' ? '2' : '1';  // the index
  CHECK_FALSE(sweep::from_line(altered).has_value());
}

TEST_CASE("budgets over a sweep: the quantile measured, runs within, the seeds that missed",
          "[sweep]") {
  // Ten runs of one point; cluster.ready at 10 s .. 100 s, the last never.
  std::vector<sweep::RunRecord> records;
  for (std::uint64_t i = 0; i < 10; ++i) {
    records.push_back(run(
        i, 100 + i,
        i == 9 ? std::nullopt
               : std::optional<std::int64_t>((static_cast<std::int64_t>(i) + 1) * 10'000'000'000)));
  }
  models::BudgetSpec p50{"cluster.ready", sim::seconds(50), {}, 5'000, {}};
  models::BudgetSpec p90{"cluster.ready", sim::seconds(85), {}, 9'000, {}};
  models::BudgetSpec every{"cluster.ready", sim::seconds(300), {}, {}, {}};
  models::BudgetSpec many{"cluster.ready", sim::seconds(300), {}, 5'000, 50};
  sweep::SweepInfo info;
  info.runs = 10;
  const auto s = sweep::summarize(info, {sweep::GridPoint{}}, {p50, p90, every, many},
                                  {"single-mesos-leader"}, records);
  REQUIRE(s.points.size() == 1);
  const auto& b = s.points[0].budgets;
  CHECK(b[0].ok);
  CHECK(b[0].measured_ns == 50'000'000'000);
  CHECK(b[0].passed == 5);
  CHECK(b[0].missed_seeds == std::vector<std::uint64_t>{105, 106, 107, 108, 109});
  CHECK_FALSE(b[1].ok);  // p90 is the 9th: 90 s
  CHECK(b[1].measured_ns == 90'000'000'000);
  CHECK_FALSE(b[2].ok);  // every run: one never reached
  CHECK_FALSE(b[2].measured_ns.has_value());
  CHECK(b[2].missed_seeds == std::vector<std::uint64_t>{109});
  CHECK_FALSE(b[3].ok);  // asks for 50 runs
  CHECK(b[3].problem == "the budget asks for 50 runs; the sweep did 10");
  CHECK(s.points[0].not_ready_seeds == std::vector<std::uint64_t>{109});
  REQUIRE(s.points[0].rules.size() == 1);
  CHECK(s.points[0].rules[0].runs_violated == 0);
  CHECK_FALSE(s.ok());
}

TEST_CASE("quantile names read and print back", "[sweep]") {
  CHECK(models::parse_quantile("p99") == 9'900);
  CHECK(models::parse_quantile("p99.9") == 9'990);
  CHECK(models::parse_quantile("p99.95") == 9'995);
  CHECK(models::parse_quantile("max") == 10'000);
  CHECK_FALSE(models::parse_quantile("p100").has_value());
  CHECK_FALSE(models::parse_quantile("p0").has_value());
  CHECK_FALSE(models::parse_quantile("p99.").has_value());
  CHECK_FALSE(models::parse_quantile("p9x").has_value());
  CHECK(models::quantile_name(9'990) == "p99.9");
  CHECK(models::quantile_name(9'995) == "p99.95");
  CHECK(models::quantile_name(5'000) == "p50");
}

TEST_CASE("quantile budgets in a scenario: read, and located errors", "[sweep]") {
  const auto ok = models::load_scenario_text(
      "name: q\nbudgets:\n  - {milestone: cluster.ready, quantile: p99, within: 150s, runs: 50}\n",
      "q.yaml");
  REQUIRE(std::holds_alternative<models::Scenario>(ok));
  const models::BudgetSpec& b = std::get<models::Scenario>(ok).budgets.at(0);
  CHECK(b.quantile_bp == 9'900);
  CHECK(b.runs == 50);
  CHECK(models::budget_text(b) == "cluster.ready:p99<=2m30s");
  const auto bad_quantile = models::load_scenario_text(
      "name: q\nbudgets:\n  - {milestone: cluster.ready, quantile: p100, within: 1s}\n", "q.yaml");
  REQUIRE(std::holds_alternative<models::InputError>(bad_quantile));
  CHECK(std::get<models::InputError>(bad_quantile).format() ==
        "q.yaml:3:42: error: budget.quantile: expected p50, p90, p99, p99.9 or max, got 'p100'");
  const auto runs_alone = models::load_scenario_text(
      "name: q\nbudgets:\n  - {milestone: cluster.ready, within: 1s, runs: 5}\n", "q.yaml");
  REQUIRE(std::holds_alternative<models::InputError>(runs_alone));
  CHECK(std::get<models::InputError>(runs_alone).message ==
        "budget: 'runs' is the seed count of a quantile budget: give 'quantile' too");
}
