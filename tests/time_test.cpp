#include "sim/time.hpp"

#include <catch2/catch.hpp>
#include <cstdint>
#include <limits>
#include <vector>

#include "sim/random.hpp"

using bootsim::sim::format_duration;
using bootsim::sim::format_seconds;
using bootsim::sim::from_seconds;
using bootsim::sim::parse_duration;
using bootsim::sim::SimTime;
namespace sim = bootsim::sim;

namespace {

std::int64_t parsed_ns(std::string_view text) {
  const auto t = parse_duration(text);
  INFO("text: '" << text << "'");
  REQUIRE(t.has_value());
  return t->ns();
}

}  // namespace

TEST_CASE("SimTime factories and saturating arithmetic", "[time]") {
  CHECK(sim::seconds(2).ns() == 2'000'000'000);
  CHECK(sim::minutes(1) == sim::seconds(60));
  CHECK(sim::hours(1) == sim::minutes(60));
  CHECK(sim::milliseconds(250) + sim::microseconds(3) == sim::nanoseconds(250'003'000));
  CHECK((SimTime::infinite() + sim::seconds(1)).is_infinite());
  CHECK((sim::seconds(1) + SimTime::infinite()).is_infinite());
  CHECK((SimTime::infinite() - sim::seconds(1)).is_infinite());
  CHECK(sim::seconds(1) < SimTime::infinite());
}

// The horizon at the limits, one case per operation (STYLE.md #5; issue 7 item 2). Each would
// be a signed overflow (undefined behaviour; UBSan aborts the sanitizer build) without
// saturation. The constexpr checks show the same at compile time.
constexpr std::int64_t kMax = std::numeric_limits<std::int64_t>::max() - 1;
static_assert(SimTime::max_finite().ns() == kMax);
static_assert(SimTime::min_finite().ns() == -kMax);
static_assert((SimTime::max_finite() + sim::nanoseconds(1)).is_infinite());
static_assert((SimTime::min_finite() - sim::nanoseconds(1)) == SimTime::min_finite());
static_assert((SimTime::max_finite() * 2).is_infinite());
static_assert(sim::seconds(std::numeric_limits<std::int64_t>::max()).is_infinite());

TEST_CASE("SimTime + saturates at the horizon", "[time]") {
  const SimTime max = SimTime::max_finite();
  const SimTime min = SimTime::min_finite();
  CHECK((max + sim::nanoseconds(0)) == max);
  CHECK((max - sim::nanoseconds(1) + sim::nanoseconds(1)) == max);
  CHECK((max + sim::nanoseconds(1)).is_infinite());
  CHECK((max + max).is_infinite());
  CHECK((sim::hours(1) + max).is_infinite());
  CHECK((min + min) == min);
  CHECK((min + sim::nanoseconds(-1)) == min);
  CHECK((min + max) == SimTime::zero());
  CHECK((SimTime::infinite() + min).is_infinite());
  CHECK((SimTime::infinite() + SimTime::infinite()).is_infinite());
  SimTime t = max;
  t += sim::seconds(1);
  CHECK(t.is_infinite());
}

TEST_CASE("SimTime - saturates at the horizon", "[time]") {
  const SimTime max = SimTime::max_finite();
  const SimTime min = SimTime::min_finite();
  CHECK((min - sim::nanoseconds(1)) == min);
  CHECK((min - max) == min);
  CHECK((max - min).is_infinite());
  CHECK((max - sim::nanoseconds(-1)).is_infinite());
  CHECK((SimTime::zero() - max) == min);
  CHECK((sim::seconds(1) - SimTime::infinite()) == min);
  CHECK((SimTime::infinite() - SimTime::infinite()).is_infinite());
  CHECK((SimTime::infinite() - max).is_infinite());
  SimTime t = min;
  t -= sim::seconds(1);
  CHECK(t == min);
}

TEST_CASE("SimTime * saturates at the horizon", "[time]") {
  const SimTime max = SimTime::max_finite();
  const SimTime min = SimTime::min_finite();
  const std::int64_t big = std::numeric_limits<std::int64_t>::max();
  const std::int64_t small = std::numeric_limits<std::int64_t>::min();
  CHECK((max * 1) == max);
  CHECK((max * 2).is_infinite());
  CHECK((max * -1) == min);
  CHECK((max * -2) == min);
  CHECK((min * -1) == max);
  CHECK((min * -2).is_infinite());
  CHECK((sim::seconds(2) * big).is_infinite());
  CHECK((sim::seconds(2) * small) == min);
  CHECK((sim::nanoseconds(-1) * small).is_infinite());
  CHECK((sim::nanoseconds(1) * small) == min);
  CHECK((sim::nanoseconds(1) * big).is_infinite());
  CHECK((max * 0) == SimTime::zero());
  CHECK((SimTime::infinite() * 3).is_infinite());
  CHECK((SimTime::infinite() * -3) == min);
  CHECK((SimTime::infinite() * 0) == SimTime::zero());
  // The products the ZooKeeper model forms: tickTime * initLimit, tickTime * (syncLimit + 1).
  CHECK((sim::seconds(2) * (big / 2)).is_infinite());
}

TEST_CASE("SimTime / never overflows", "[time]") {
  const SimTime max = SimTime::max_finite();
  const SimTime min = SimTime::min_finite();
  CHECK((max / 1) == max);
  CHECK((max / -1) == min);
  CHECK((min / -1) == max);
  CHECK((min / 2).ns() == -kMax / 2);
  CHECK((SimTime::infinite() / 2).is_infinite());
  CHECK((SimTime::infinite() / -2) == min);
  CHECK((sim::seconds(3) / 2) == sim::milliseconds(1500));
}

TEST_CASE("SimTime factories and from_ns saturate", "[time]") {
  const std::int64_t big = std::numeric_limits<std::int64_t>::max();
  const std::int64_t small = std::numeric_limits<std::int64_t>::min();
  CHECK(SimTime::from_ns(small) == SimTime::min_finite());
  CHECK(SimTime::from_ns(big).is_infinite());
  CHECK(sim::microseconds(big).is_infinite());
  CHECK(sim::milliseconds(big).is_infinite());
  CHECK(sim::seconds(big).is_infinite());
  CHECK(sim::minutes(big).is_infinite());
  CHECK(sim::hours(big).is_infinite());
  CHECK(sim::hours(small) == SimTime::min_finite());
  CHECK(sim::hours(2'562'047) == sim::seconds(2'562'047LL * 3600));  // still inside
  CHECK(sim::hours(2'562'048).is_infinite());                        // past 292 years
  CHECK(from_seconds(1e300).is_infinite());
  CHECK(from_seconds(-1e300) == SimTime::min_finite());
}

TEST_CASE("parse_duration accepts up to the horizon and no further", "[time]") {
  CHECK(parse_duration("9223372036854775806ns") == SimTime::max_finite());
  CHECK_FALSE(parse_duration("9223372036854775807ns").has_value());
  CHECK(parse_duration("2562047h") == sim::hours(2'562'047));
  CHECK_FALSE(parse_duration("2562048h").has_value());
  // The largest accepted duration plus the largest again saturates instead of wrapping.
  CHECK((*parse_duration("9223372036854775806ns") + *parse_duration("2562047h")).is_infinite());
}

TEST_CASE("parse_duration reads every unit and combination", "[time]") {
  CHECK(parsed_ns("0") == 0);
  CHECK(parsed_ns("0s") == 0);
  CHECK(parsed_ns("250ms") == 250'000'000);
  CHECK(parsed_ns("2s") == 2'000'000'000);
  CHECK(parsed_ns("1.5s") == 1'500'000'000);
  CHECK(parsed_ns("1m30s") == 90'000'000'000);
  CHECK(parse_duration("1m30s") == sim::seconds(90));
  CHECK(parsed_ns("1h") == 3'600'000'000'000);
  CHECK(parsed_ns("100us") == 100'000);
  CHECK(parsed_ns("10ns") == 10);
  CHECK(parsed_ns("1h2m3s4ms5us6ns") == 3'723'004'005'006);
  CHECK(parsed_ns("1m30.25s") == 90'250'000'000);
  CHECK(parsed_ns("0.5ms") == 500'000);
  CHECK(parsed_ns("1.000000001s") == 1'000'000'001);
  CHECK(parsed_ns("1.5h") == 5'400'000'000'000);
  CHECK(parsed_ns("0.1s") == 100'000'000);                       // exact: no binary rounding
  CHECK(parsed_ns("2.50000000000000000000s") == 2'500'000'000);  // trailing zeros are exact
  CHECK(parsed_ns("007s") == 7'000'000'000);
  // Exact beyond nine decimals when the unit allows it: 1.25e-11 h = 45 ns.
  CHECK(parsed_ns("1.0000000000125h") == 3'600'000'000'045);
  CHECK(parse_duration("inf") == SimTime::infinite());
  // The largest finite value (one below infinite).
  CHECK(parsed_ns("9223372036854775806ns") == std::numeric_limits<std::int64_t>::max() - 1);
}

TEST_CASE("parse_duration refuses malformed text", "[time]") {
  const std::vector<std::string_view> bad = {
      "",
      "-1s",
      "-0s",
      "2x",
      "s",
      "1s1m",
      "1s1s",
      "1ms1s",
      "1",
      "2.5",
      "1.s",
      ".5s",
      "1..5s",
      "1.5.s",
      " 1s",
      "1s ",
      "1 s",
      "1s,",
      "+1s",
      "1S",
      "1sec",
      "1e3s",
      "1.5ns",
      "0.1ns",
      "0.0000000001s",
      "1m30",
      "1h1h",
      "1mm",
      "nan",
      "infs",
      "Inf",
      "0x10s",
      "1_000ms",
      "ms",
      "9223372036854775807ns",  // INT64_MAX is infinite, not a finite duration
      "9223372036854775808ns",
      "99999999999999999999s",
      "2562048h",
      "1000000000000000000000ns",
      "2562047h47m16.854775807s",  // INT64_MAX ns spelled out
  };
  for (const auto text : bad) {
    INFO("text: '" << text << "'");
    CHECK_FALSE(parse_duration(text).has_value());
  }
  // Just below the limit still parses.
  CHECK(parsed_ns("2562047h47m16.854775806s") == std::numeric_limits<std::int64_t>::max() - 1);
}

TEST_CASE("format_duration prints the canonical short forms", "[time]") {
  CHECK(format_duration(SimTime::zero()) == "0s");
  CHECK(format_duration(SimTime::infinite()) == "inf");
  CHECK(format_duration(sim::milliseconds(250)) == "250ms");
  CHECK(format_duration(sim::seconds(2)) == "2s");
  CHECK(format_duration(sim::milliseconds(1500)) == "1.5s");
  CHECK(format_duration(sim::milliseconds(90'250)) == "1m30.25s");
  CHECK(format_duration(sim::seconds(90)) == "1m30s");
  CHECK(format_duration(sim::hours(1)) == "1h");
  CHECK(format_duration(sim::hours(2) + sim::seconds(5)) == "2h5s");
  CHECK(format_duration(sim::microseconds(100)) == "100us");
  CHECK(format_duration(sim::nanoseconds(10)) == "10ns");
  CHECK(format_duration(sim::nanoseconds(1'500)) == "1.5us");
  CHECK(format_duration(sim::nanoseconds(1'000'001)) == "1.000001ms");
  CHECK(format_duration(sim::minutes(1) + sim::milliseconds(250)) == "1m250ms");
  CHECK(format_duration(sim::nanoseconds(-1'500'000'000)) == "-1.5s");
}

TEST_CASE("format_duration and parse_duration round-trip", "[time]") {
  std::vector<std::int64_t> values = {
      0,
      1,
      7,
      999,
      1'000,
      1'001,
      999'999,
      1'000'000,
      1'234'567,
      999'999'999,
      1'000'000'000,
      1'000'000'001,
      59'999'999'999,
      60'000'000'000,
      60'000'000'001,
      90'250'000'000,
      3'599'999'999'999,
      3'600'000'000'000,
      3'600'000'000'001,
      86'400'000'000'000,
      std::numeric_limits<std::int64_t>::max() - 1,
  };
  // Odd values at every magnitude, from a fixed stream so failures reproduce.
  sim::RandomStream rng(7, "time-test");
  for (int i = 0; i < 20'000; ++i) {
    const auto bits = 1 + rng.uniform_index(62);
    values.push_back(static_cast<std::int64_t>(rng.next_u64() >> (64 - bits)));
  }
  for (const std::int64_t ns : values) {
    const SimTime t = SimTime::from_ns(ns);
    const std::string text = format_duration(t);
    INFO("ns = " << ns << ", text = '" << text << "'");
    const auto back = parse_duration(text);
    REQUIRE(back.has_value());
    CHECK(*back == t);
  }
  CHECK(parse_duration(format_duration(SimTime::infinite())) == SimTime::infinite());
}

TEST_CASE("format_seconds has three fixed decimals", "[time]") {
  CHECK(format_seconds(sim::milliseconds(97'300)) == "97.300");
  CHECK(format_seconds(SimTime::zero()) == "0.000");
  CHECK(format_seconds(sim::nanoseconds(1'499'999)) == "0.001");
  CHECK(format_seconds(sim::nanoseconds(1'500'000)) == "0.002");  // half rounds up
  CHECK(format_seconds(sim::nanoseconds(999'999'999)) == "1.000");
  CHECK(format_seconds(sim::hours(1)) == "3600.000");
  CHECK(format_seconds(sim::milliseconds(-1'250)) == "-1.250");
  CHECK(format_seconds(sim::nanoseconds(-1)) == "0.000");
  CHECK(format_seconds(SimTime::infinite()) == "inf");
}

TEST_CASE("from_seconds rounds to the nearest nanosecond", "[time]") {
  CHECK(from_seconds(1.5) == sim::milliseconds(1'500));
  CHECK(from_seconds(0.1) == sim::milliseconds(100));
  CHECK(from_seconds(1e-9) == sim::nanoseconds(1));
  CHECK(from_seconds(0.4e-9) == SimTime::zero());
  CHECK(from_seconds(0.6e-9) == sim::nanoseconds(1));
  CHECK(from_seconds(0.0) == SimTime::zero());
  CHECK(from_seconds(1e300).is_infinite());
  CHECK(from_seconds(std::numeric_limits<double>::infinity()).is_infinite());
}

TEST_CASE("is_past_horizon tells a too-long duration from a malformed one", "[time]") {
  CHECK(format_duration(SimTime::max_finite()) == sim::kHorizonText);
  CHECK(parse_duration(sim::kHorizonText) == SimTime::max_finite());
  CHECK(sim::is_past_horizon("2562048h"));
  CHECK(sim::is_past_horizon("99999999999999999999ns"));
  CHECK(sim::is_past_horizon("2562047h47m16.854775807s"));
  CHECK(sim::is_past_horizon("2562047h60m"));
  CHECK_FALSE(sim::is_past_horizon(sim::kHorizonText));
  CHECK_FALSE(sim::is_past_horizon("2562048h x"));  // malformed as well: malformed wins
  CHECK_FALSE(sim::is_past_horizon("soon"));
  CHECK_FALSE(sim::is_past_horizon("1s"));
}
