#include "sim/distribution.hpp"

#include <algorithm>
#include <catch2/catch.hpp>
#include <cmath>
#include <map>
#include <string>
#include <vector>

namespace sim = bootsim::sim;
using sim::Distribution;
using sim::SimTime;

namespace {

Distribution parsed(std::string_view text) {
  Distribution d;
  std::string error;
  INFO("text: '" << text << "'");
  const bool ok = Distribution::parse(text, d, error);
  INFO("error: " << error);
  REQUIRE(ok);
  return d;
}

std::string distribution_error(std::string_view text) {
  Distribution d = Distribution::constant(sim::seconds(123));
  std::string error;
  INFO("text: '" << text << "'");
  REQUIRE_FALSE(Distribution::parse(text, d, error));
  CHECK(d.to_string() == "2m3s");  // untouched on failure
  return error;
}

// Draws n samples, in seconds, sorted.
std::vector<double> sorted_draws(const Distribution& d, int n, std::string_view stream) {
  sim::RandomStream rng(2024, stream);
  std::vector<double> out;
  out.reserve(n);
  for (int i = 0; i < n; ++i) out.push_back(d.sample(rng).to_seconds());
  std::sort(out.begin(), out.end());
  return out;
}

double mean_of(const std::vector<double>& v) {
  double sum = 0;
  for (const double x : v) sum += x;
  return sum / static_cast<double>(v.size());
}

double quantile(const std::vector<double>& sorted, double q) {
  return sorted[static_cast<std::size_t>(q * static_cast<double>(sorted.size() - 1))];
}

constexpr int kDraws = 100'000;

}  // namespace

TEST_CASE("parse reads every form", "[distribution]") {
  CHECK(std::get<Distribution::Constant>(parsed("2s").form()).value == sim::seconds(2));
  CHECK(parsed("0").is_constant());
  CHECK(std::get<Distribution::Constant>(parsed("constant(250ms)").form()).value ==
        sim::milliseconds(250));

  const auto u = std::get<Distribution::Uniform>(parsed("uniform(1s, 2s)").form());
  CHECK(u.lo == sim::seconds(1));
  CHECK(u.hi == sim::seconds(2));

  const auto n = std::get<Distribution::Normal>(parsed("normal(mean=5s, sd=500ms)").form());
  CHECK(n.mean == sim::seconds(5));
  CHECK(n.sd == sim::milliseconds(500));

  const auto ln = std::get<Distribution::LogNormal>(parsed("lognormal(median=2s, p99=10s)").form());
  CHECK(ln.median == sim::seconds(2));
  CHECK(ln.p99 == sim::seconds(10));

  const auto e = std::get<Distribution::Exponential>(parsed("exponential(mean=1m30s)").form());
  CHECK(e.mean == sim::seconds(90));

  const auto emp = std::get<Distribution::Empirical>(parsed("empirical(1s, 2s, 5s)").form());
  CHECK(emp.samples == std::vector<SimTime>{sim::seconds(1), sim::seconds(2), sim::seconds(5)});
  CHECK(std::get<Distribution::Empirical>(parsed("empirical(3s)").form()).samples.size() == 1);
}

TEST_CASE("parse tolerates whitespace and named arguments in any order", "[distribution]") {
  const auto u = std::get<Distribution::Uniform>(parsed("uniform(  1s ,2s  )").form());
  CHECK(u.lo == sim::seconds(1));
  CHECK(u.hi == sim::seconds(2));
  CHECK(parsed(" uniform (1s,2s) ").to_string() == "uniform(1s, 2s)");
  const auto n = std::get<Distribution::Normal>(parsed("normal( sd = 1s , mean = 3s )").form());
  CHECK(n.mean == sim::seconds(3));
  CHECK(n.sd == sim::seconds(1));
  CHECK(parsed("lognormal(p99=4s,median=1s)").to_string() == "lognormal(median=1s, p99=4s)");
  CHECK(parsed("empirical(\t1s,\t2s )").to_string() == "empirical(1s, 2s)");
  CHECK(parsed("uniform(3s, 3s)").mean() == sim::seconds(3));  // LO == HI is allowed
}

TEST_CASE("parse errors name the text and the reason", "[distribution]") {
  using Catch::Matchers::Contains;
  using Catch::Matchers::Equals;

  CHECK_THAT(distribution_error("unifrm(1s,2s)"),
             Equals("malformed distribution 'unifrm(1s,2s)': unknown form 'unifrm' (expected "
                    "constant, uniform, normal, lognormal, exponential or empirical)"));
  CHECK_THAT(distribution_error("2x"),
             Contains("malformed distribution '2x'") && Contains("duration"));
  CHECK_THAT(distribution_error(""), Contains("malformed distribution ''"));
  CHECK_THAT(distribution_error("-1s"), Contains("expected a duration"));
  CHECK_THAT(distribution_error("inf"), Contains("'inf' is not allowed"));

  CHECK_THAT(distribution_error("constant()"), Contains("constant(D) takes 1 argument, got 0"));
  CHECK_THAT(distribution_error("constant(1s, 2s)"), Contains("takes 1 argument, got 2"));
  CHECK_THAT(distribution_error("constant(1q)"), Contains("bad duration '1q'"));

  CHECK_THAT(distribution_error("uniform(2s, 1s)"), Contains("uniform(LO, HI) needs LO <= HI"));
  CHECK_THAT(distribution_error("uniform(1s)"),
             Contains("uniform(LO, HI) takes 2 arguments, got 1"));
  CHECK_THAT(distribution_error("uniform(1s,)"), Contains("empty argument"));
  CHECK_THAT(distribution_error("uniform(1s, 2s"), Contains("expected ')'"));
  CHECK_THAT(distribution_error("uniform(1s, 2s) x"), Contains("expected ')'"));
  CHECK_THAT(distribution_error("uniform((1s), 2s)"), Contains("unexpected parenthesis"));
  CHECK_THAT(distribution_error("uniform(lo=1s, hi=2s)"), Contains("takes plain durations"));
  CHECK_THAT(distribution_error("uniform(1s, inf)"), Contains("'inf' is not allowed"));

  CHECK_THAT(distribution_error("normal(5s, 1s)"),
             Contains("normal needs named arguments: normal(mean=D, sd=D)"));
  CHECK_THAT(distribution_error("normal(mean=5s)"), Contains("missing 'sd='"));
  CHECK_THAT(distribution_error("normal(mean=5s, sd=1s, sd=2s)"), Contains("'sd' given twice"));
  CHECK_THAT(distribution_error("normal(mean=5s, stddev=1s)"),
             Contains("unknown argument 'stddev'"));
  CHECK_THAT(distribution_error("normal(mean=-5s, sd=1s)"), Contains("bad duration '-5s'"));

  CHECK_THAT(distribution_error("lognormal(median=10s, p99=2s)"),
             Contains("lognormal needs p99 >= median"));
  CHECK_THAT(distribution_error("lognormal(median=0s, p99=2s)"),
             Contains("lognormal needs median > 0"));
  CHECK_THAT(distribution_error("lognormal(median=1s)"), Contains("missing 'p99='"));

  CHECK_THAT(distribution_error("exponential(1s)"), Contains("exponential needs named arguments"));
  CHECK_THAT(distribution_error("exponential(mean=)"), Contains("empty argument"));

  CHECK_THAT(distribution_error("empirical()"), Contains("empirical needs at least one sample"));
  CHECK_THAT(distribution_error("empirical(1s, x)"), Contains("bad duration 'x'"));
}

TEST_CASE("to_string is read back by parse", "[distribution]") {
  const std::vector<Distribution> all = {
      Distribution::constant(sim::milliseconds(1'500)),
      Distribution::constant(SimTime::zero()),
      Distribution::uniform(sim::nanoseconds(1), sim::minutes(1) + sim::nanoseconds(7)),
      Distribution::normal(sim::seconds(90), sim::milliseconds(250)),
      Distribution::lognormal(sim::microseconds(200), sim::milliseconds(3)),
      Distribution::exponential(sim::hours(1) + sim::seconds(1)),
      Distribution::empirical({sim::seconds(1), sim::nanoseconds(3), sim::seconds(1)}),
  };
  for (const Distribution& d : all) {
    const std::string text = d.to_string();
    INFO("text: " << text);
    const Distribution back = parsed(text);
    CHECK(back.to_string() == text);
    CHECK(back.form().index() == d.form().index());
    CHECK(back.mean() == d.mean());
    // Same parameters, same draws.
    sim::RandomStream r1(3, "roundtrip");
    sim::RandomStream r2(3, "roundtrip");
    for (int i = 0; i < 100; ++i) REQUIRE(back.sample(r1) == d.sample(r2));
  }
  CHECK(Distribution::constant(sim::milliseconds(1'500)).to_string() == "1.5s");
  CHECK(Distribution::normal(sim::seconds(5), sim::seconds(1)).to_string() ==
        "normal(mean=5s, sd=1s)");
}

TEST_CASE("constant always yields its value", "[distribution]") {
  const auto d = parsed("constant(1m30s)");
  sim::RandomStream rng(1, "c");
  for (int i = 0; i < 1000; ++i) REQUIRE(d.sample(rng) == sim::seconds(90));
  CHECK(d.mean() == sim::seconds(90));
}

TEST_CASE("uniform draws cover lo..hi inclusive with the right mean", "[distribution]") {
  const auto d = parsed("uniform(1s, 3s)");
  const auto v = sorted_draws(d, kDraws, "uniform");
  CHECK(v.front() >= 1.0);
  CHECK(v.back() <= 3.0);
  CHECK(v.front() < 1.001);
  CHECK(v.back() > 2.999);
  // sd of the mean = (2 / sqrt(12)) / sqrt(N) ~ 0.0018.
  CHECK(mean_of(v) == Approx(2.0).margin(0.01));
  CHECK(quantile(v, 0.5) == Approx(2.0).margin(0.02));
  CHECK(d.mean() == sim::seconds(2));

  // A degenerate and a one-nanosecond range stay in bounds.
  sim::RandomStream rng(1, "narrow");
  const auto narrow = Distribution::uniform(sim::nanoseconds(5), sim::nanoseconds(6));
  int sixes = 0;
  for (int i = 0; i < 1000; ++i) {
    const auto x = narrow.sample(rng).ns();
    REQUIRE((x == 5 || x == 6));
    sixes += x == 6;
  }
  CHECK(sixes > 400);
  CHECK(sixes < 600);
}

TEST_CASE("normal has its mean and never goes below zero", "[distribution]") {
  const auto d = parsed("normal(mean=10s, sd=1s)");
  const auto v = sorted_draws(d, kDraws, "normal");
  CHECK(mean_of(v) == Approx(10.0).margin(0.02));
  // The 84.13th percentile of a normal is mean + 1 sd.
  CHECK(quantile(v, 0.8413) == Approx(11.0).margin(0.03));
  CHECK(d.mean() == sim::seconds(10));

  // Mean close to zero: truncation must redraw, never yield a negative time.
  const auto low = parsed("normal(mean=100ms, sd=1s)");
  const auto w = sorted_draws(low, kDraws, "normal-low");
  CHECK(w.front() >= 0.0);
  // Truncating N(0.1, 1) at 0 gives mean 0.1 + phi(-0.1) / (1 - Phi(-0.1)) = 0.8353 (inverse
  // Mills ratio), far above the untruncated 0.1: the draws really were redrawn, not clamped.
  CHECK(mean_of(w) == Approx(0.8353).margin(0.01));
  CHECK(std::count(w.begin(), w.end(), 0.0) < 10);
  CHECK(low.mean() == sim::milliseconds(100));  // documented: the untruncated mean

  // A zero sd is a constant.
  const auto fixed = parsed("normal(mean=2s, sd=0s)");
  sim::RandomStream rng(1, "fixed");
  for (int i = 0; i < 100; ++i) REQUIRE(fixed.sample(rng) == sim::seconds(2));
}

TEST_CASE("lognormal has its median and p99", "[distribution]") {
  const auto d = parsed("lognormal(median=2s, p99=10s)");
  const auto v = sorted_draws(d, kDraws, "lognormal");
  CHECK(v.front() > 0.0);
  CHECK(quantile(v, 0.5) == Approx(2.0).epsilon(0.02));
  CHECK(quantile(v, 0.99) == Approx(10.0).epsilon(0.05));
  // Mean exp(mu + sigma^2 / 2) with sigma = ln(5) / 2.3263 = 0.6918: 2.5408 s.
  CHECK(d.mean().to_seconds() == Approx(2.5408).epsilon(0.001));
  CHECK(mean_of(v) == Approx(d.mean().to_seconds()).epsilon(0.02));

  // p99 == median: no spread at all.
  const auto flat = parsed("lognormal(median=3s, p99=3s)");
  sim::RandomStream rng(1, "flat");
  for (int i = 0; i < 100; ++i) REQUIRE(flat.sample(rng) == sim::seconds(3));
}

TEST_CASE("exponential has its mean", "[distribution]") {
  const auto d = parsed("exponential(mean=4s)");
  const auto v = sorted_draws(d, kDraws, "exponential");
  CHECK(v.front() >= 0.0);
  // sd of the mean = 4 / sqrt(N) ~ 0.0126.
  CHECK(mean_of(v) == Approx(4.0).margin(0.06));
  // Median of an exponential = mean * ln 2.
  CHECK(quantile(v, 0.5) == Approx(4.0 * std::log(2.0)).epsilon(0.03));
  CHECK(d.mean() == sim::seconds(4));
}

TEST_CASE("empirical picks only its samples, uniformly", "[distribution]") {
  const auto d = parsed("empirical(1s, 2s, 3s, 3s)");
  sim::RandomStream rng(5, "empirical");
  std::map<std::int64_t, int> counts;
  for (int i = 0; i < kDraws; ++i) ++counts[d.sample(rng).ns()];
  REQUIRE(counts.size() == 3);
  // 1s and 2s a quarter of the time each, 3s (listed twice) half the time; sd ~ 137 draws.
  CHECK(counts[sim::seconds(1).ns()] == Approx(kDraws / 4).margin(1'000));
  CHECK(counts[sim::seconds(2).ns()] == Approx(kDraws / 4).margin(1'000));
  CHECK(counts[sim::seconds(3).ns()] == Approx(kDraws / 2).margin(1'000));
  CHECK(d.mean() == sim::milliseconds(2'250));
  // Exact mean even where the sum of samples would overflow.
  const auto huge = Distribution::empirical({sim::hours(2'000'000), sim::hours(2'000'000)});
  CHECK(huge.mean() == sim::hours(2'000'000));
}

TEST_CASE("sample depends only on the stream state", "[distribution]") {
  const auto d = parsed("lognormal(median=1s, p99=5s)");
  sim::RandomStream a(77, "same");
  sim::RandomStream b(77, "same");
  for (int i = 0; i < 1000; ++i) REQUIRE(d.sample(a) == d.sample(b));
}
