// Fuzz target: the profile loader (models::load_profile_text, a user's profile file as a
// scenario's `profile:` names it) and the registry checks `bootsim check` runs on it.
// Properties: no crash, no exception and no sanitizer report on any bytes; every refusal is an
// InputError or a ProfileProblem with a message. The file is named in a directory that does
// not exist, so a relative `base:` cannot reach the file system.
#include <cstddef>
#include <cstdint>
#include <string_view>
#include <variant>

#include "models/dcos/profiles.hpp"
#include "models/run/registry.hpp"
#include "models/scenario/profile_loader.hpp"
#include "tools/fuzz/fuzz_check.hpp"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  using namespace bootsim::models;
  static const ModelRegistry registry = standard_registry();
  const std::string_view yaml(reinterpret_cast<const char*>(data), size);
  const auto loaded =
      load_profile_text(yaml, "/nonexistent-bootsim-fuzz/fuzz.yaml", builtin_profile_texts());
  if (const auto* e = std::get_if<InputError>(&loaded)) {
    FUZZ_CHECK(!e->format().empty(), "an error without a message");
    return 0;
  }
  for (const ProfileProblem& p : validate(std::get<Profile>(loaded), registry)) {
    FUZZ_CHECK(!p.message.empty(), "a problem without a message");
  }
  return 0;
}
