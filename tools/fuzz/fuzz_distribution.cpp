// Fuzz target: sim::Distribution::parse, the distribution forms of YAML and --set.
// Properties: no crash and no sanitizer report on any bytes; an accepted distribution prints
// with to_string to a text that parses to the same distribution; its mean and a few draws are
// non-negative and finite (no form can give a negative or infinite duration).
#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>

#include "sim/distribution.hpp"
#include "sim/random.hpp"
#include "tools/fuzz/fuzz_check.hpp"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  using bootsim::sim::Distribution;
  using bootsim::sim::SimTime;
  const std::string_view text(reinterpret_cast<const char*>(data), size);
  Distribution d;
  std::string error;
  if (!Distribution::parse(text, d, error)) {
    FUZZ_CHECK(!error.empty(), "a refused distribution without a message");
    return 0;
  }
  const std::string printed = d.to_string();
  Distribution again;
  FUZZ_CHECK(Distribution::parse(printed, again, error), "to_string does not parse");
  FUZZ_CHECK(again.to_string() == printed, "to_string does not read back");
  FUZZ_CHECK(d.mean() >= SimTime::zero(), "a negative mean");
  bootsim::sim::RandomStream rng(size, "fuzz");
  for (int i = 0; i < 8; ++i) {
    const SimTime x = d.sample(rng);
    FUZZ_CHECK(x >= SimTime::zero(), "a negative draw");
  }
  return 0;
}
