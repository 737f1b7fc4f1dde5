// Fuzz target: models::Parameters::set, what --set key=value and a scenario's parameters reach.
// The input is `key=value` (split at the first '='), as --set takes it.
// Properties: no crash and no sanitizer report on any bytes; a refused value leaves a message
// and the parameters unchanged; an accepted one reads back through text().
#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>

#include "models/core/parameters.hpp"
#include "tools/fuzz/fuzz_check.hpp"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  const std::string_view text(reinterpret_cast<const char*>(data), size);
  const std::size_t eq = text.find('=');
  if (eq == std::string_view::npos) return 0;
  const std::string_view key = text.substr(0, eq);
  const std::string_view value = text.substr(eq + 1);
  bootsim::models::Parameters params;
  std::string error;
  if (!params.set(key, value, error)) {
    FUZZ_CHECK(!error.empty(), "a refused setting without a message");
    FUZZ_CHECK(params.overrides().empty(), "a refused setting changed the parameters");
    return 0;
  }
  FUZZ_CHECK(params.overrides().size() == 1, "an accepted setting is not listed once");
  FUZZ_CHECK(params.text(params.overrides().front().first).has_value(), "no text for a key set");
  return 0;
}
