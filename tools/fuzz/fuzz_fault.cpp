// Fuzz target: models::parse_fault_line, the --fault "key=value ..." form.
// Properties: no crash and no sanitizer report on any bytes; an accepted fault prints with
// format_fault to a line that parses to an equal fault (its canonical text included).
#include <cstddef>
#include <cstdint>
#include <string_view>
#include <variant>

#include "models/scenario/fault_spec.hpp"
#include "tools/fuzz/fuzz_check.hpp"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  using namespace bootsim::models;
  const std::string_view line(reinterpret_cast<const char*>(data), size);
  const auto parsed = parse_fault_line(line, SourceLocation{});
  if (const auto* e = std::get_if<InputError>(&parsed)) {
    FUZZ_CHECK(!e->format().empty(), "an error without a message");
    return 0;
  }
  const FaultSpec& fault = std::get<FaultSpec>(parsed);
  const auto again = parse_fault_line(format_fault(fault), SourceLocation{});
  FUZZ_CHECK(std::holds_alternative<FaultSpec>(again), "format_fault does not parse");
  FUZZ_CHECK(std::get<FaultSpec>(again) == fault, "format_fault does not read back");
  return 0;
}
