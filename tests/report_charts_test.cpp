// The charts of the HTML reports of sweeps: the time axis and its bins, the histogram's and the
// CDF's drawing, and the sweep page (per point, the pass rates and a chart pair per milestone).
#include <catch2/catch.hpp>
#include <numeric>
#include <string>
#include <vector>

#include "models/core/milestones.hpp"
#include "tools/report/charts.hpp"
#include "tools/sweep/formats.hpp"
#include "tools/sweep/summary.hpp"

using namespace bootsim;

namespace {

constexpr std::int64_t kMs = 1'000'000;

std::size_t count(const std::string& text, const std::string& what) {
  std::size_t n = 0;
  for (auto at = text.find(what); at != std::string::npos; at = text.find(what, at + 1)) ++n;
  return n;
}

sweep::RunRecord ready_run(std::uint64_t index, std::optional<std::int64_t> ready_ns) {
  sweep::RunRecord r;
  r.index = index;
  r.seed = 42 + index % 3;
  r.ended_by = "cluster.ready";
  r.times_ns.resize(models::milestone_names().size());
  const auto names = models::milestone_names();
  r.times_ns[static_cast<std::size_t>(std::find(names.begin(), names.end(), "cluster.ready") -
                                      names.begin())] = ready_ns;
  return r;
}

}  // namespace

TEST_CASE("charts: the time axis takes the narrowest 1-2-5 width that fits", "[report][charts]") {
  // 10.3 s .. 14.8 s in 24 bins: 100 ms needs 46 bins, 200 ms from 10.2 s needs 24.
  const report::TimeAxis a = report::time_axis(10'300 * kMs, 14'800 * kMs);
  CHECK(a.start_ns == 10'200 * kMs);
  CHECK(a.width_ns == 200 * kMs);
  CHECK(a.bins == 24);
  CHECK(a.end_ns() == 15'000 * kMs);
  // One time: one bin of the narrowest width, 1 ms.
  const report::TimeAxis one = report::time_axis(5'000 * kMs, 5'000 * kMs);
  CHECK(one.start_ns == 5'000 * kMs);
  CHECK(one.width_ns == kMs);
  CHECK(one.bins == 1);
  // 10000 h (the longest run) in 24 bins: 2,000,000 s wide, the 19th bin holding the end.
  const report::TimeAxis longest = report::time_axis(0, std::int64_t{36'000'000'000} * kMs);
  CHECK(longest.width_ns == std::int64_t{2'000'000'000} * kMs);
  CHECK(longest.bins == 19);
  const std::vector<std::int64_t> t{10'300 * kMs, 10'350 * kMs, 10'500 * kMs, 14'800 * kMs};
  const auto counts = report::bin_counts(t, a);
  REQUIRE(counts.size() == 24);
  CHECK(counts[0] == 2);
  CHECK(counts[1] == 1);
  CHECK(counts[23] == 1);
  CHECK(std::accumulate(counts.begin(), counts.end(), std::size_t{0}) == 4);
}

TEST_CASE("charts: the histogram's bars and never bar, the CDF's top below 100% when some never",
          "[report][charts]") {
  const report::TimeAxis a = report::time_axis(10'300 * kMs, 14'800 * kMs);
  const std::vector<std::int64_t> t{10'300 * kMs, 10'350 * kMs, 10'500 * kMs, 14'800 * kMs};
  const std::string h = report::histogram_svg(t, 1, a);
  CHECK(count(h, "<rect") == 4);  // three bins with runs, and never
  CHECK_THAT(h, Catch::Contains("<title>10.2s to 10.4s: 2 runs</title>") &&
                    Catch::Contains("<title>14.8s to 15s: 1 run</title>") &&
                    Catch::Contains("<title>never reached: 1 run</title>") &&
                    Catch::Contains(">10.2s</text>") && Catch::Contains(">15s</text>"));
  // The plot is 82 px high above y = 90: 4 of 5 runs is 65.6 px up, y = 24.4; all is y = 8.
  const std::string c = report::cdf_svg(t, 1, a);
  CHECK_THAT(c, Catch::Contains("V24.4H") && Catch::Contains("4 of 5 runs reached it"));
  CHECK_THAT(report::cdf_svg(t, 0, a), Catch::Contains("V8.0H"));
  CHECK_THAT(report::histogram_svg(t, 0, a), !Catch::Contains("never reached"));
}

TEST_CASE("sweep html: per point, the budgets' pass rates and a histogram and CDF per milestone",
          "[sweep][charts]") {
  // Two points of three runs; the second point's last run never gets ready.
  std::vector<sweep::RunRecord> records;
  for (std::uint64_t i = 0; i < 6; ++i) {
    records.push_back(ready_run(
        i, i == 5
               ? std::nullopt
               : std::optional<std::int64_t>(100'000 * kMs + static_cast<std::int64_t>(i) * kMs)));
  }
  sweep::SweepInfo info;
  info.scenario = "tiny <test>";
  info.runs = 3;
  info.first_seed = 42;
  const models::BudgetSpec every{"cluster.ready", sim::seconds(300), {}, {}, {}};
  const std::vector<sweep::GridPoint> points{
      sweep::GridPoint{{models::Setting{"cluster.agents.private", "1", {}}}},
      sweep::GridPoint{{models::Setting{"cluster.agents.private", "2", {}}}}};
  const auto s = sweep::summarize(info, points, {every}, {"single-mesos-leader"}, records);
  const std::string page = sweep::format_sweep_html(s, records);
  CHECK(page == sweep::find_sweep_format("html")->render(s, records));
  for (const char* part :
       {"<title>bootsim sweep: tiny &lt;test&gt;</title>",
        "<h2>Point 2 of 2: cluster.agents.private=2</h2>", "3/3</td><td><span class=rate", "100.0%",
        "2/3</td>", "66.6%", "cluster.ready never reached in 1 of 3 runs (seeds 44)",
        "dataset.charts='visible'"}) {
    CHECK_THAT(page, Catch::Contains(part));
  }
  CHECK_THAT(page, !Catch::Contains("<script src") && !Catch::Contains("<link"));
  // Several points: an overview row per point (p50 of 3 runs: the 2nd) and one CDF overlaying
  // them.
  CHECK_THAT(page, Catch::Contains("<h2>Every point: cluster.ready</h2>") &&
                       Catch::Contains("<td class=n>2</td><td>cluster.agents.private=2</td><td "
                                       "class=n>2/3</td><td class=n>100.004s</td>"));
  CHECK(count(page, "aria-label=\"CDF of every point\"") == 1);
  CHECK(count(page, ">point 2</text>") == 1);
  // Only cluster.ready was reached: one chart pair per point, on one axis (100 s .. 104 s).
  CHECK(count(page, "aria-label=\"histogram\"") == 2);
  CHECK(count(page, "aria-label=\"CDF\"") == 2);
  CHECK(count(page, "<title>never reached: 1 run</title>") == 1);
  CHECK(count(page, ">100s</text>") == 5);  // and the overlay starts there too
}

TEST_CASE("sweep html: a milestone no run reached has no chart, and the page says so",
          "[sweep][charts]") {
  const std::vector<sweep::RunRecord> records{ready_run(0, std::nullopt),
                                              ready_run(1, std::nullopt)};
  sweep::SweepInfo info;
  info.runs = 2;
  const auto s = sweep::summarize(info, {sweep::GridPoint{}}, {}, {}, records);
  const std::string page = sweep::format_sweep_html(s, records);
  CHECK(count(page, "<svg") == 0);
  CHECK_THAT(page, !Catch::Contains("Every point"));  // one point: no overview
  CHECK_THAT(page, Catch::Contains("<td>cluster.ready</td><td class=n>0/2</td>") &&
                       Catch::Contains("reached by no run of the sweep") &&
                       Catch::Contains("cluster.ready never reached in 2 of 2 runs"));
}
