// SimTime: simulated time and durations as an integer count of nanoseconds.
//
//   const sim::SimTime t = sim::seconds(2) + sim::milliseconds(250);
//   auto d = sim::parse_duration("1m30s");  // std::optional<SimTime>, 90 s
//
// Contract: a value type, passed by value, never a double, so that runs are exactly reproducible.
// One type serves both instants (time since the simulated boot began) and durations, as in the
// scenario format. `SimTime::infinite()` is the named value for "never".
//
// The horizon: finite values lie in [min_finite(), max_finite()] = ±(2^63 - 2) ns, about ±292
// years. No operation overflows (no undefined behaviour, no wrap-around): +, -, * and /
// saturate, a result above max_finite() is infinite() ("never": a timer that far out does not
// fire) and one below min_finite() is min_finite() (negative values are differences of
// instants only). Infinity absorbs: infinite() + x, infinite() - x and infinite() * k (k > 0)
// are infinite(); x - infinite() is min_finite(); infinite() * 0 is zero. Dividing by zero is
// a bug (an assertion; infinite() in a release build).
#pragma once

#include <cassert>
#include <compare>
#include <cstdint>
#include <limits>
#include <optional>
#include <string>
#include <string_view>

namespace bootsim::sim {

class SimTime {
 public:
  constexpr SimTime() = default;
  // Values below min_finite() (only INT64_MIN) read as min_finite(); INT64_MAX is infinite().
  static constexpr SimTime from_ns(std::int64_t ns) {
    return SimTime(ns < -kMaxFiniteNs ? -kMaxFiniteNs : ns);
  }
  static constexpr SimTime zero() { return SimTime(0); }
  static constexpr SimTime infinite() { return SimTime(kInfiniteNs); }
  static constexpr SimTime max_finite() { return SimTime(kMaxFiniteNs); }
  static constexpr SimTime min_finite() { return SimTime(-kMaxFiniteNs); }

  constexpr std::int64_t ns() const { return ns_; }
  constexpr bool is_infinite() const { return ns_ == kInfiniteNs; }
  // For reports and statistics only: never feed a double back into the clock.
  constexpr double to_seconds() const { return static_cast<double>(ns_) / 1e9; }

  constexpr auto operator<=>(const SimTime&) const = default;

  constexpr SimTime operator+(SimTime other) const {
    if (is_infinite() || other.is_infinite()) return infinite();
    std::int64_t r = 0;
    if (__builtin_add_overflow(ns_, other.ns_, &r)) return saturated(ns_ > 0);
    return clamped(r);
  }
  constexpr SimTime operator-(SimTime other) const {
    if (is_infinite()) return infinite();
    if (other.is_infinite()) return min_finite();
    std::int64_t r = 0;
    if (__builtin_sub_overflow(ns_, other.ns_, &r)) return saturated(ns_ > 0);
    return clamped(r);
  }
  constexpr SimTime& operator+=(SimTime other) { return *this = *this + other; }
  constexpr SimTime& operator-=(SimTime other) { return *this = *this - other; }
  constexpr SimTime operator*(std::int64_t k) const {
    if (k == 0) return zero();
    if (is_infinite()) return k > 0 ? infinite() : min_finite();
    std::int64_t r = 0;
    if (__builtin_mul_overflow(ns_, k, &r)) return saturated((ns_ > 0) == (k > 0));
    return clamped(r);
  }
  constexpr SimTime operator/(std::int64_t k) const {
    assert(k != 0 && "SimTime divided by zero");
    if (k == 0) return infinite();
    if (is_infinite()) return k > 0 ? infinite() : min_finite();
    return SimTime(ns_ / k);  // |ns_| <= max_finite: no overflow, not even for k = -1
  }

 private:
  static constexpr std::int64_t kInfiniteNs = std::numeric_limits<std::int64_t>::max();
  static constexpr std::int64_t kMaxFiniteNs = kInfiniteNs - 1;
  constexpr explicit SimTime(std::int64_t ns) : ns_(ns) {}
  static constexpr SimTime saturated(bool positive) { return positive ? infinite() : min_finite(); }
  // A result in int64 range but outside the horizon (INT64_MAX, INT64_MIN, -INT64_MAX).
  static constexpr SimTime clamped(std::int64_t r) {
    if (r > kMaxFiniteNs) return infinite();
    if (r < -kMaxFiniteNs) return min_finite();
    return SimTime(r);
  }
  std::int64_t ns_ = 0;
};

// Factories; they saturate like the operators (seconds(INT64_MAX) is infinite()).
constexpr SimTime nanoseconds(std::int64_t n) {
  return SimTime::from_ns(n);
}
constexpr SimTime microseconds(std::int64_t n) {
  return SimTime::from_ns(1'000) * n;
}
constexpr SimTime milliseconds(std::int64_t n) {
  return SimTime::from_ns(1'000'000) * n;
}
constexpr SimTime seconds(std::int64_t n) {
  return SimTime::from_ns(1'000'000'000) * n;
}
constexpr SimTime minutes(std::int64_t n) {
  return seconds(60) * n;
}
constexpr SimTime hours(std::int64_t n) {
  return seconds(3600) * n;
}

// Rounds to the nearest nanosecond; for distribution draws, not for parsing. Saturates: above
// max_finite() (and NaN) is infinite(), below min_finite() is min_finite().
SimTime from_seconds(double s);

// Parses "250ms", "2s", "1.5s", "1m30s", "1h", "100us", "10ns", "0". Components must be given
// in decreasing unit order, each at most once. Negative values and values past max_finite()
// are refused; "inf" is infinite().
std::optional<SimTime> parse_duration(std::string_view text);

// True when parse_duration refused `text` only because its value is past max_finite() (the
// text is otherwise a well-formed duration, e.g. "2562048h"): for a clearer message.
bool is_past_horizon(std::string_view text);
// The longest finite duration as parse_duration reads it, for messages: "2562047h47m16.854775806s".
inline constexpr std::string_view kHorizonText = "2562047h47m16.854775806s";
// What a message about a malformed duration suggests instead.
inline constexpr std::string_view kDurationHint = "(expected e.g. 250ms, 2s, 1m30s)";

// "1m30.25s", "250ms", "0s", "inf": the shortest exact form that parse_duration reads back.
std::string format_duration(SimTime t);

// Fixed three-decimal seconds, e.g. "97.300": for timelines, where columns must line up.
std::string format_seconds(SimTime t);

}  // namespace bootsim::sim
