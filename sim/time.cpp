#include "sim/time.hpp"

#include <array>
#include <cmath>
#include <cstdint>
#include <limits>
#include <numeric>
#include <string>

namespace bootsim::sim {

namespace {

constexpr std::int64_t kNsPerUs = 1'000;
constexpr std::int64_t kNsPerMs = 1'000'000;
constexpr std::int64_t kNsPerS = 1'000'000'000;
constexpr std::int64_t kNsPerMin = 60 * kNsPerS;
constexpr std::int64_t kNsPerHour = 3600 * kNsPerS;
// The largest finite value: INT64_MAX itself is SimTime::infinite().
constexpr std::int64_t kMaxFiniteNs = std::numeric_limits<std::int64_t>::max() - 1;

struct Unit {
  std::string_view suffix;
  std::int64_t ns;
};
// Matched in this order, so that "ms" wins over "m" (the longer suffix first).
constexpr std::array<Unit, 6> kUnits = {{
    {"h", kNsPerHour},
    {"ms", kNsPerMs},
    {"m", kNsPerMin},
    {"s", kNsPerS},
    {"us", kNsPerUs},
    {"ns", 1},
}};
// Magnitude rank of each entry of kUnits (h > m > s > ms > us > ns); along the text the ranks
// must strictly increase (decreasing units, each at most once).
constexpr std::array<int, 6> kRank = {0, 3, 1, 2, 4, 5};

bool is_digit(char c) {
  return c >= '0' && c <= '9';
}

// a * b + c without overflow past kMaxFiniteNs; all operands non-negative.
std::optional<std::int64_t> checked_mul_add(std::int64_t a, std::int64_t b, std::int64_t c) {
  if (b != 0 && a > (kMaxFiniteNs - c) / b) return std::nullopt;
  return a * b + c;
}

// The exact number of nanoseconds in `0.<frac_digits>` units of `unit_ns`, or nullopt when that
// is not a whole number of nanoseconds (e.g. "1.5ns"). Integer arithmetic only: with
// p = 10^len and g = gcd(unit, p), frac * unit / p is whole iff (p / g) divides frac.
std::optional<std::int64_t> exact_fraction(std::string_view frac_digits, std::int64_t unit_ns) {
  while (!frac_digits.empty() && frac_digits.back() == '0') frac_digits.remove_suffix(1);
  if (frac_digits.empty()) return 0;
  // Without trailing zeros the numerator lacks a factor 2 or a factor 5, so the unit alone
  // must supply 2^len or 5^len; no unit here has more than 2^13 or 5^11 (the hour), so more
  // than 18 digits can never be exact (and 18 keep frac and 10^len within int64).
  if (frac_digits.size() > 18) return std::nullopt;
  std::int64_t frac = 0;
  std::int64_t p = 1;
  for (char c : frac_digits) {
    frac = frac * 10 + (c - '0');
    p *= 10;
  }
  const std::int64_t g = std::gcd(unit_ns, p);
  const std::int64_t p_reduced = p / g;
  if (frac % p_reduced != 0) return std::nullopt;
  // frac / p_reduced < g, so the product is below unit_ns: no overflow.
  return (frac / p_reduced) * (unit_ns / g);
}

// Appends `value` (>= 0) as a decimal number of units of `unit_ns`, with the fractional part
// trimmed of trailing zeros, e.g. (1'500'000, ms) -> "1.5".
void append_decimal(std::string& out, std::uint64_t value, std::uint64_t unit_ns) {
  out += std::to_string(value / unit_ns);
  std::uint64_t rest = value % unit_ns;
  if (rest == 0) return;
  out += '.';
  for (std::uint64_t scale = unit_ns / 10; rest != 0; scale /= 10) {
    out += static_cast<char>('0' + rest / scale);
    rest %= scale;
  }
}

}  // namespace

SimTime from_seconds(double s) {
  const double ns = s * 1e9;
  // Saturate rather than overflow; NaN (no meaningful time) reads as never. Beyond 2^53 every
  // double is a whole number, so testing before rounding gives the same answer as after.
  if (!(ns < 9.2e18)) return SimTime::infinite();
  if (ns < -9.2e18) return SimTime::from_ns(-kMaxFiniteNs);
  // std::round (halves away from zero) written out: the conversion truncates and ns - whole
  // is exact, so the result is the same; this avoids a libm call on every draw of a delay,
  // and adds the comparisons rather than branching on them (they are coin flips for a draw).
  const auto whole = static_cast<std::int64_t>(ns);
  const double fraction = ns - static_cast<double>(whole);
  return SimTime::from_ns(whole + static_cast<std::int64_t>(fraction >= 0.5) -
                          static_cast<std::int64_t>(fraction <= -0.5));
}

namespace {

// parse_duration, telling apart text that is malformed from text that is well formed but
// past the horizon (`past_horizon` set; the value then is nullopt too).
std::optional<SimTime> parse_duration_impl(std::string_view text, bool& past_horizon) {
  past_horizon = false;
  if (text == "inf") return SimTime::infinite();
  if (text == "0") return SimTime::zero();
  if (text.empty()) return std::nullopt;

  std::int64_t total = 0;
  bool overflow = false;  // the syntax is still checked to the end
  int last_rank = -1;
  std::size_t i = 0;
  while (i < text.size()) {
    // Integer part: at least one digit (so "-1s", ".5s" and "s" are refused).
    const std::size_t int_begin = i;
    std::int64_t whole = 0;
    while (i < text.size() && is_digit(text[i])) {
      const auto next = checked_mul_add(whole, 10, text[i] - '0');
      if (!next) overflow = true;
      whole = next.value_or(0);
      ++i;
    }
    if (i == int_begin) return std::nullopt;
    // Optional fraction: at least one digit after the point ("1.s" is refused).
    std::string_view frac_digits;
    if (i < text.size() && text[i] == '.') {
      const std::size_t frac_begin = ++i;
      while (i < text.size() && is_digit(text[i])) ++i;
      if (i == frac_begin) return std::nullopt;
      frac_digits = text.substr(frac_begin, i - frac_begin);
    }
    // Unit: mandatory after every number but a lone "0" (handled above).
    std::size_t unit_index = kUnits.size();
    for (std::size_t u = 0; u < kUnits.size(); ++u) {
      if (text.substr(i, kUnits[u].suffix.size()) == kUnits[u].suffix) {
        unit_index = u;
        break;
      }
    }
    if (unit_index == kUnits.size()) return std::nullopt;
    const Unit& unit = kUnits[unit_index];
    i += unit.suffix.size();
    if (kRank[unit_index] <= last_rank) return std::nullopt;  // out of order or repeated
    last_rank = kRank[unit_index];

    const auto fraction = exact_fraction(frac_digits, unit.ns);
    if (!fraction) return std::nullopt;
    const auto with_whole = checked_mul_add(whole, unit.ns, *fraction);
    if (!with_whole || *with_whole > kMaxFiniteNs - total) {
      overflow = true;
    } else {
      total += *with_whole;
    }
  }
  if (overflow) {
    past_horizon = true;
    return std::nullopt;
  }
  return SimTime::from_ns(total);
}

}  // namespace

std::optional<SimTime> parse_duration(std::string_view text) {
  bool past_horizon = false;
  return parse_duration_impl(text, past_horizon);
}

bool is_past_horizon(std::string_view text) {
  bool past_horizon = false;
  (void)parse_duration_impl(text, past_horizon);
  return past_horizon;
}

std::string format_duration(SimTime t) {
  if (t.is_infinite()) return "inf";
  if (t.ns() == 0) return "0s";
  std::string out;
  // Negative values (differences of instants) print with a sign; parse_duration refuses them.
  std::uint64_t ns = static_cast<std::uint64_t>(t.ns());
  if (t.ns() < 0) {
    out += '-';
    ns = 0 - ns;  // modular negation: also right for INT64_MIN
  }
  constexpr auto hour = static_cast<std::uint64_t>(kNsPerHour);
  constexpr auto minute = static_cast<std::uint64_t>(kNsPerMin);
  constexpr auto second = static_cast<std::uint64_t>(kNsPerS);
  constexpr auto milli = static_cast<std::uint64_t>(kNsPerMs);
  constexpr auto micro = static_cast<std::uint64_t>(kNsPerUs);
  if (ns < second) {
    // Below a second: one component in the largest unit that keeps an integer part.
    if (ns >= milli) {
      append_decimal(out, ns, milli);
      out += "ms";
    } else if (ns >= micro) {
      append_decimal(out, ns, micro);
      out += "us";
    } else {
      out += std::to_string(ns) + "ns";
    }
    return out;
  }
  // From a second up: whole hours and minutes, then seconds with an exact decimal fraction
  // (as Go's time.Duration prints, but without zero components: "1h", not "1h0m0s").
  if (ns >= hour) {
    out += std::to_string(ns / hour) + "h";
    ns %= hour;
  }
  if (ns >= minute) {
    out += std::to_string(ns / minute) + "m";
    ns %= minute;
  }
  if (ns >= second) {
    append_decimal(out, ns, second);
    out += 's';
  } else if (ns > 0) {
    // A sub-second remainder after h/m: "1m250ms" reads back; "1m0.25s" would too.
    out += format_duration(SimTime::from_ns(static_cast<std::int64_t>(ns)));
  }
  return out;
}

std::string format_seconds(SimTime t) {
  if (t.is_infinite()) return "inf";
  // Round half away from zero to whole milliseconds, in integers so columns never show
  // binary-to-decimal artefacts.
  std::uint64_t ns = static_cast<std::uint64_t>(t.ns());
  if (t.ns() < 0) ns = 0 - ns;  // modular negation: also right for INT64_MIN
  const std::uint64_t ms = ns / kNsPerMs + (ns % kNsPerMs >= kNsPerMs / 2 ? 1 : 0);
  const std::string frac = std::to_string(ms % 1000);
  // No "-0.000": a value that rounds to zero prints unsigned.
  std::string out = t.ns() < 0 && ms != 0 ? "-" : "";
  out += std::to_string(ms / 1000) + "." + std::string(3 - frac.size(), '0') + frac;
  return out;
}

}  // namespace bootsim::sim
