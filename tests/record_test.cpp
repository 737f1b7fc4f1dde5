// Run records (tools/record.hpp): what `run --record` writes reads back whole; an altered,
// truncated, foreign-version or scenario-changed record is refused with a message saying why;
// the recorded trace of a run equals the trace of the same run again.
#include "tools/record.hpp"

#include <fmt/format.h>
#include <catch2/catch.hpp>
#include <string>

#include "models/scenario/scenario.hpp"
#include "tests/printers.hpp"

using namespace bootsim;

namespace {

const char* const kRecordScenario =
    "name: rec\nseed: 5\nuntil: 20m\ncluster: {masters: 1, agents: {private: 1, public: 0}}\n";

tools::RunRecord recorded_run() {
  auto loaded = models::load_scenario_text(kRecordScenario, "rec.yaml");
  REQUIRE(std::holds_alternative<models::Scenario>(loaded));
  models::RunOptions o;
  auto f = models::parse_fault_line("kind=crash target=agent-1 at=30s restart_after=10s", {});
  o.faults.push_back(std::get<models::FaultSpec>(f));
  o.settings.push_back(models::Setting{"mesos-dns.ttl", "30s", {}});
  auto r = models::run_scenario(std::get<models::Scenario>(loaded), o);
  REQUIRE(std::holds_alternative<models::RunResult>(r));
  return tools::make_record(kRecordScenario, "rec.yaml", o, std::get<models::RunResult>(r),
                            "9.9.9");
}

std::string refusal(const std::string& text, std::string_view version = "9.9.9") {
  auto r = tools::read_record(text, version);
  if (std::holds_alternative<tools::RunRecord>(r)) FAIL("accepted");
  return std::get<std::string>(r);
}

// Re-seals an edited record with a checksum that matches, as a forger would.
std::string reseal(std::string text) {
  const auto last = text.rfind("checksum ");
  text.resize(last);
  return text + fmt::format("checksum {:016x}\n", tools::record_checksum(text));
}

}  // namespace

TEST_CASE("a run record reads back as it was written", "[record]") {
  const tools::RunRecord rec = recorded_run();
  CHECK(rec.seed == 5);
  CHECK(rec.faults == std::vector<std::string>{"kind=crash target=agent-1 at=30s "
                                               "restart_after=10s"});
  REQUIRE(rec.fired.size() == 2);  // the crash and the restart, as they fired
  CHECK(rec.fired[0].starts_with("30.000s agent-1 host_crash"));
  const std::string text = tools::write_record(rec);
  auto back = tools::read_record(text, "9.9.9");
  REQUIRE(std::holds_alternative<tools::RunRecord>(back));
  const auto& r = std::get<tools::RunRecord>(back);
  CHECK(r.records == rec.records);
  CHECK(r.scenario_text == kRecordScenario);
  CHECK(r.settings == std::vector<std::string>{"mesos-dns.ttl=30s"});
  CHECK(r.fingerprint == rec.fingerprint);
  CHECK(r.until == sim::minutes(20));
  // The same run again gives the same trace, line for line.
  CHECK(recorded_run().records == rec.records);
}

TEST_CASE("a damaged, foreign or altered record is refused", "[record]") {
  const std::string text = tools::write_record(recorded_run());
  CHECK(refusal("hello\n") ==
        "not a bootsim run record (it does not begin with 'bootsim-record 1')");
  std::string tampered = text;
  tampered[tampered.find("host_crash")] = 'H';
  CHECK(refusal(tampered).starts_with("the record was altered or cut short"));
  CHECK(
      refusal(text.substr(0, text.size() / 2)).starts_with("the record was altered or cut short"));
  CHECK(refusal(text, "1.0.0") ==
        "the record was written by bootsim 9.9.9, this is bootsim 1.0.0: a replay is exact only "
        "with the version that recorded it");
  // A scenario edited inside the record, checksum forged: its own hash still tells.
  std::string edited = text;
  edited.replace(edited.find("seed: 5"), 7, "seed: 6");
  CHECK(refusal(reseal(edited))
            .starts_with("the scenario in the record is not the one that was "
                         "run"));
}
