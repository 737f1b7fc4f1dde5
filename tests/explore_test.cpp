// bootsim explore (models/run/explore.hpp): schedules are a function of the seed, the result
// does not depend on --jobs, and a deliberately broken master (one that keeps leading when it
// should step down) is found and shrunk to a small schedule that, written as a scenario,
// reproduces it.
#include "models/run/explore.hpp"

#include <catch2/catch.hpp>
#include <string>

#include "models/scenario/scenario.hpp"
#include "tests/printers.hpp"

using namespace bootsim;
using namespace bootsim::models;

namespace {

const char* const kExploreSmall =
    "name: small\nseed: 4\nuntil: 12m\ncluster: {masters: 3, agents: {private: 1, public: 0}}\n";

Scenario explore_small() {
  auto loaded = load_scenario_text(kExploreSmall, "small.yaml");
  if (auto* e = std::get_if<InputError>(&loaded)) FAIL(e->format());
  return std::get<Scenario>(loaded);
}

FaultBudget budget(const std::string& text) {
  auto b = parse_fault_budget(text);
  if (auto* e = std::get_if<std::string>(&b)) FAIL(*e);
  return std::get<FaultBudget>(b);
}

}  // namespace

TEST_CASE("explore: budgets parse, and bad words are named", "[explore]") {
  const FaultBudget b = budget("max=1 kinds=partition targets=mesos-leader window=1m");
  CHECK(b.max_faults == 1);
  CHECK(b.kinds == std::vector<FaultKind>{FaultKind::kPartition});
  CHECK(format_fault_budget(b) ==
        "max=1 kinds=partition targets=mesos-leader window=1m max_duration=2m undo=yes");
  CHECK(std::get<std::string>(parse_fault_budget("kinds=clock")) ==
        "kinds: 'clock' cannot be drawn (crash, pause, partition or zk-session-expiry)");
  CHECK(std::get<std::string>(parse_fault_budget("targets=master_1")) ==
        "targets: 'master_1' is not a node or role");
  CHECK(std::get<std::string>(parse_fault_budget("maxx=2")) ==
        "unknown word 'maxx' (max, kinds, targets, window, max_duration, undo)");
}

TEST_CASE("explore: a schedule is a function of the seed and the run index", "[explore]") {
  const FaultBudget b;
  const auto one = draw_schedule(7, 3, b);
  REQUIRE(!one.empty());
  CHECK(one.size() <= 2);
  CHECK(draw_schedule(7, 3, b) == one);
  CHECK(draw_schedule(7, 4, b) != one);
  for (const FaultSpec& f : one) CHECK(f.at.absolute.has_value());
}

TEST_CASE("explore: the result is the same whatever the number of jobs", "[explore]") {
  ExploreOptions o;
  o.runs = 12;
  o.seed = 3;
  o.budget = budget("max=2 targets=mesos-leader,any-master window=90s max_duration=90s");
  o.base.testing.mesos_master_keeps_leading = true;
  o.base.stop_at_ready = true;
  o.max_shrink_runs = 20;
  const ExploreResult one = explore(explore_small(), o);
  o.jobs = 3;
  const ExploreResult three = explore(explore_small(), o);
  CHECK(one.runs_failed == three.runs_failed);
  REQUIRE(one.findings.size() == three.findings.size());
  for (std::size_t i = 0; i < one.findings.size(); ++i) {
    CHECK(one.findings[i].rule == three.findings[i].rule);
    CHECK(one.findings[i].first_run == three.findings[i].first_run);
    CHECK(one.findings[i].shrunk == three.findings[i].shrunk);
  }
}

TEST_CASE("explore finds a master that keeps leading and shrinks it to at most two faults",
          "[explore][acceptance]") {
  ExploreOptions o;
  o.runs = 500;
  o.jobs = 2;
  o.seed = 1;
  o.budget = budget(
      "max=3 kinds=crash,pause,partition "
      "targets=mesos-leader,zookeeper-leader,any-master,any-agent window=2m "
      "max_duration=2m");
  o.base.testing.mesos_master_keeps_leading = true;
  o.base.stop_at_ready = true;
  const ExploreResult r = explore(explore_small(), o);
  const Finding* found = nullptr;
  for (const Finding& f : r.findings) {
    if (f.rule == "single-mesos-leader") found = &f;
  }
  REQUIRE(found != nullptr);
  INFO("first run " << found->first_run << ", shrunk to " << found->shrunk.size());
  CHECK(found->first_run < 500);
  CHECK(found->shrunk.size() <= 2);
  CHECK(found->shrunk.size() <= found->schedule.size());

  // The scenario written for it reproduces it (with the same broken master).
  std::vector<std::string> lines;
  for (const FaultSpec& f : found->shrunk) lines.push_back(f.text);
  const std::string yaml = scenario_with_faults(kExploreSmall, "small-single-mesos-leader", lines,
                                                "Found by explore\nsecond line");
  CHECK(yaml.starts_with("# Found by explore\n# second line\n"));
  auto written = load_scenario_text(yaml, "written.yaml");
  if (auto* e = std::get_if<InputError>(&written)) FAIL(e->format());
  RunOptions again;
  again.testing.mesos_master_keeps_leading = true;
  again.stop_at_ready = true;
  auto rerun = run_scenario(std::get<Scenario>(written), again);
  REQUIRE(std::holds_alternative<RunResult>(rerun));
  bool violated = false;
  for (const Violation& v : std::get<RunResult>(rerun).violations) {
    violated = violated || v.rule == "single-mesos-leader";
  }
  CHECK(violated);
}

TEST_CASE("explore finds through a session expiry a master that keeps leading after it",
          "[explore][acceptance]") {
  ExploreOptions o;
  o.runs = 40;
  o.jobs = 2;
  o.seed = 2;
  o.budget = budget("max=2 kinds=zk-session-expiry targets=mesos-leader window=3m");
  o.base.testing.mesos_master_keeps_leading = true;
  o.base.stop_at_ready = true;
  o.max_shrink_runs = 40;
  const ExploreResult r = explore(explore_small(), o);
  const Finding* found = nullptr;
  for (const Finding& f : r.findings) {
    if (f.rule == "single-mesos-leader") found = &f;
  }
  REQUIRE(found != nullptr);
  REQUIRE(found->shrunk.size() == 1);
  CHECK(found->shrunk[0].kind == FaultKind::kZkSessionExpiry);

  // The written scenario reproduces it: the broken master goes on leading, where the real one
  // steps down as soon as it reconnects and is told its session expired.
  const std::string yaml = scenario_with_faults(kExploreSmall, "small-expiry",
                                                {found->shrunk[0].text}, "Found by explore");
  auto written = load_scenario_text(yaml, "written.yaml");
  if (auto* e = std::get_if<InputError>(&written)) FAIL(e->format());
  RunOptions broken;
  broken.testing.mesos_master_keeps_leading = true;
  auto again = run_scenario(std::get<Scenario>(written), broken);
  REQUIRE(std::holds_alternative<RunResult>(again));
  const RunResult& b = std::get<RunResult>(again);
  // (Its registrar may still abort when the new leader's log coordinator demotes it: the
  // replicated log, not ZooKeeper, is what ends that overlap.)
  bool long_overlap = false;
  for (const RunResult::LeaderOverlap& ov : b.leader_overlaps) {
    long_overlap = long_overlap || !ov.to || *ov.to - ov.from >= sim::milliseconds(2200);
  }
  CHECK(long_overlap);
  auto real = run_scenario(std::get<Scenario>(written));
  REQUIRE(std::holds_alternative<RunResult>(real));
  const RunResult& ok = std::get<RunResult>(real);
  for (const RunResult::LeaderOverlap& ov : ok.leader_overlaps) {
    REQUIRE(ov.to.has_value());
    CHECK(*ov.to - ov.from < sim::milliseconds(2200));
  }
}
