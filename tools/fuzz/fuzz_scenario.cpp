// Fuzz target: the scenario loader (models::load_scenario_text) and the checks `bootsim check`
// runs after it (settings, node names, the profile with the scenario's unit overrides).
// Properties: no crash, no exception and no sanitizer report on any bytes; every refusal is an
// InputError with a message.
#include <cstddef>
#include <cstdint>
#include <string_view>
#include <variant>

#include "models/run/cluster.hpp"
#include "models/scenario/scenario.hpp"
#include "tools/fuzz/fuzz_check.hpp"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  using namespace bootsim::models;
  const std::string_view yaml(reinterpret_cast<const char*>(data), size);
  const auto loaded = load_scenario_text(yaml, "fuzz.yaml");
  if (const auto* e = std::get_if<InputError>(&loaded)) {
    FUZZ_CHECK(!e->format().empty(), "an error without a message");
    return 0;
  }
  const Scenario& scenario = std::get<Scenario>(loaded);
  Parameters params;
  if (const auto e = apply_settings(scenario.settings, params)) {
    FUZZ_CHECK(!e->format().empty(), "an error without a message");
    return 0;
  }
  if (const auto e = check_node_names(scenario, params)) {
    FUZZ_CHECK(!e->format().empty(), "an error without a message");
    return 0;
  }
  const auto profile = resolve_profile(scenario, params);
  if (const auto* e = std::get_if<InputError>(&profile)) {
    FUZZ_CHECK(!e->format().empty(), "an error without a message");
  }
  return 0;
}
