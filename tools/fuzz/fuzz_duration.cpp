// Fuzz target: sim::parse_duration and the SimTime arithmetic on what it accepts.
// Properties: no crash and no sanitizer report on any bytes; an accepted duration prints with
// format_duration to a text that reads back to the same value; sums, differences and products
// of accepted values saturate instead of overflowing (UBSan would report a signed overflow).
#include <cstddef>
#include <cstdint>
#include <string_view>

#include "sim/time.hpp"
#include "tools/fuzz/fuzz_check.hpp"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  using bootsim::sim::SimTime;
  const std::string_view text(reinterpret_cast<const char*>(data), size);
  // Two durations separated by the first space, so the arithmetic sees pairs of values.
  const std::size_t space = text.find(' ');
  const std::string_view first = text.substr(0, space);
  const auto a = bootsim::sim::parse_duration(first);
  if (!a) return 0;
  FUZZ_CHECK(*a >= SimTime::zero(), "parse_duration accepted a negative value");
  const auto back = bootsim::sim::parse_duration(bootsim::sim::format_duration(*a));
  FUZZ_CHECK(back && *back == *a, "format_duration does not read back");
  (void)bootsim::sim::format_seconds(*a);
  if (space == std::string_view::npos) return 0;
  const auto b = bootsim::sim::parse_duration(text.substr(space + 1));
  if (!b) return 0;
  const SimTime sum = *a + *b;
  FUZZ_CHECK(sum >= *a && sum >= *b, "a sum of durations went down");
  const SimTime diff = *a - *b;
  FUZZ_CHECK(a->is_infinite() || diff <= *a, "a difference of durations went up");
  const SimTime product = *a * (b->ns() % 1'000'000);
  FUZZ_CHECK(product >= SimTime::zero(), "a product of durations went negative");
  (void)bootsim::sim::format_duration(diff);
  (void)bootsim::sim::format_seconds(diff);
  return 0;
}
