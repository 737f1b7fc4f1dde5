// SimTime: simulated time and durations as an integer count of nanoseconds.
//
//   const sim::SimTime t = sim::seconds(2) + sim::milliseconds(250);
//   auto d = sim::parse_duration("1m30s");  // std::optional<SimTime>, 90 s
//
// Contract: a value type, passed by value, never a double, so that runs are exactly reproducible.
// One type serves both instants (time since the simulated boot began) and durations, as in the
// scenario format. `SimTime::infinite()` is the named value for "never"; arithmetic saturates at
// it.
#pragma once

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
  static constexpr SimTime from_ns(std::int64_t ns) { return SimTime(ns); }
  static constexpr SimTime zero() { return SimTime(0); }
  static constexpr SimTime infinite() { return SimTime(std::numeric_limits<std::int64_t>::max()); }

  constexpr std::int64_t ns() const { return ns_; }
  constexpr bool is_infinite() const { return ns_ == std::numeric_limits<std::int64_t>::max(); }
  // For reports and statistics only: never feed a double back into the clock.
  constexpr double to_seconds() const { return static_cast<double>(ns_) / 1e9; }

  constexpr auto operator<=>(const SimTime&) const = default;

  constexpr SimTime operator+(SimTime other) const {
    if (is_infinite() || other.is_infinite()) return infinite();
    return SimTime(ns_ + other.ns_);
  }
  constexpr SimTime operator-(SimTime other) const {
    if (is_infinite()) return infinite();
    return SimTime(ns_ - other.ns_);
  }
  constexpr SimTime& operator+=(SimTime other) { return *this = *this + other; }
  constexpr SimTime& operator-=(SimTime other) { return *this = *this - other; }
  constexpr SimTime operator*(std::int64_t k) const {
    if (is_infinite()) return infinite();
    return SimTime(ns_ * k);
  }
  constexpr SimTime operator/(std::int64_t k) const {
    if (is_infinite()) return infinite();
    return SimTime(ns_ / k);
  }

 private:
  constexpr explicit SimTime(std::int64_t ns) : ns_(ns) {}
  std::int64_t ns_ = 0;
};

constexpr SimTime nanoseconds(std::int64_t n) {
  return SimTime::from_ns(n);
}
constexpr SimTime microseconds(std::int64_t n) {
  return SimTime::from_ns(n * 1'000);
}
constexpr SimTime milliseconds(std::int64_t n) {
  return SimTime::from_ns(n * 1'000'000);
}
constexpr SimTime seconds(std::int64_t n) {
  return SimTime::from_ns(n * 1'000'000'000);
}
constexpr SimTime minutes(std::int64_t n) {
  return seconds(n * 60);
}
constexpr SimTime hours(std::int64_t n) {
  return seconds(n * 3600);
}

// Rounds to the nearest nanosecond; for distribution draws, not for parsing.
SimTime from_seconds(double s);

// Parses "250ms", "2s", "1.5s", "1m30s", "1h", "100us", "10ns", "0". Components must be given
// in decreasing unit order, each at most once. Negative values are refused.
std::optional<SimTime> parse_duration(std::string_view text);

// "1m30.25s", "250ms", "0s", "inf": the shortest exact form that parse_duration reads back.
std::string format_duration(SimTime t);

// Fixed three-decimal seconds, e.g. "97.300": for timelines, where columns must line up.
std::string format_seconds(SimTime t);

}  // namespace bootsim::sim
