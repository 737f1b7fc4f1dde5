// --format chrome against the Trace Event Format (the document "Trace Event Format" of the
// Catapult project, which chrome://tracing and Perfetto's JSON importer follow): the default
// scenario's trace parses, every event has the fields its phase requires, timestamps are the
// trace's times in microseconds, every B has its E on the same track in order, every flow
// start has exactly one finish, and each end of a flow lies inside a span of its own track when
// a viewer reads it (Perfetto and chrome://tracing bind a flow event to the enclosing slice,
// and drop it when there is none).
#include <catch2/catch.hpp>
#include <map>
#include <nlohmann/json.hpp>
#include <set>
#include <string>
#include <tuple>
#include <vector>

#include "models/run/cluster.hpp"
#include "tools/report/phases.hpp"
#include "tools/report/report.hpp"

using bootsim::models::RunResult;
using Json = nlohmann::json;
namespace sim = bootsim::sim;
namespace report = bootsim::report;

namespace {

RunResult run_default_spec(std::vector<bootsim::models::FaultSpec> faults = {}) {
  auto loaded = bootsim::models::load_scenario_file(std::string(BOOTSIM_SOURCE_DIR) +
                                                    "/scenarios/default.yaml");
  if (auto* e = std::get_if<bootsim::models::InputError>(&loaded)) FAIL(e->format());
  bootsim::models::RunOptions o;
  o.faults = std::move(faults);
  auto r = bootsim::models::run_scenario(std::get<bootsim::models::Scenario>(loaded), o);
  if (auto* e = std::get_if<bootsim::models::InputError>(&r)) FAIL(e->format());
  return std::move(std::get<RunResult>(r));
}

// Checks one event's required fields by phase; returns its phase.
std::string check_fields(const Json& e) {
  REQUIRE(e.is_object());
  REQUIRE(e.contains("ph"));
  REQUIRE(e["ph"].is_string());
  const std::string ph = e["ph"];
  REQUIRE(e["pid"].is_number_integer());
  REQUIRE(e["tid"].is_number_integer());
  if (ph == "M") {
    CHECK(e["name"].is_string());
    CHECK(e["args"].is_object());
    return ph;
  }
  REQUIRE(e["ts"].is_number());
  CHECK(e["ts"].get<double>() >= 0);
  if (ph != "E") CHECK(e["name"].is_string());
  if (ph == "i") CHECK((e["s"] == "t" || e["s"] == "p" || e["s"] == "g"));
  if (ph == "s" || ph == "f") CHECK(e["id"].is_number_integer());
  if (ph == "f") CHECK(e["bp"] == "e");
  CHECK(std::set<std::string>{"B", "E", "i", "s", "f"}.count(ph) == 1);
  return ph;
}

}  // namespace

TEST_CASE("chrome: the default boot is a valid trace-event file", "[report][chrome]") {
  const RunResult r = run_default_spec();
  const Json doc = Json::parse(report::format_chrome(r));
  REQUIRE(doc.is_object());
  REQUIRE(doc["traceEvents"].is_array());
  CHECK(doc["displayTimeUnit"] == "ms");

  std::map<std::pair<int, int>, std::vector<double>> open;  // B timestamps per track
  std::map<std::int64_t, int> flow_starts, flow_ends;
  std::set<std::string> processes;
  double last_ts = 0;
  std::size_t begins = 0, instants = 0;
  for (const Json& e : doc["traceEvents"]) {
    const std::string ph = check_fields(e);
    const auto track = std::pair<int, int>(e["pid"], e["tid"]);
    if (ph == "M") {
      if (e["name"] == "process_name") processes.insert(e["args"]["name"].get<std::string>());
      continue;
    }
    const double ts = e["ts"];
    CHECK(ts >= last_ts);  // sorted, so that B/E pairs read in order
    last_ts = ts;
    if (ph == "B") {
      open[track].push_back(ts);
      ++begins;
    } else if (ph == "E") {
      REQUIRE_FALSE(open[track].empty());  // every E closes a B of its own track
      CHECK(open[track].back() <= ts);
      open[track].pop_back();
    } else if (ph == "s") {
      INFO("flow start " << e.dump());
      CHECK_FALSE(open[track].empty());  // bound to the span open on its track
      ++flow_starts[e["id"]];
    } else if (ph == "f") {
      INFO("flow end " << e.dump());
      CHECK_FALSE(open[track].empty());
      CHECK(flow_starts.count(e["id"]) == 1);  // a finish after its start
      ++flow_ends[e["id"]];
    } else if (ph == "i") {
      ++instants;
    }
  }
  for (const auto& [track, begun] : open) {
    INFO("pid " << track.first << " tid " << track.second);
    CHECK(begun.empty());  // every B matched by an E
  }
  CHECK(begins > 100);
  CHECK(instants > 100);
  REQUIRE_FALSE(flow_starts.empty());
  CHECK(flow_starts.size() == flow_ends.size());
  for (const auto& [id, n] : flow_starts) {
    INFO("flow " << id);
    CHECK(n == 1);
    CHECK(flow_ends[id] == 1);
  }
  // One process per node, the cluster first.
  CHECK(processes.count("cluster") == 1);
  for (const std::string& n : r.nodes) CHECK(processes.count(n) == 1);
}

TEST_CASE("chrome: timestamps are the trace's times in microseconds", "[report][chrome]") {
  const RunResult r = run_default_spec();
  const Json doc = Json::parse(report::format_chrome(r));
  const auto ready = r.trace.first_milestone("cluster.ready", "cluster");
  REQUIRE(ready);
  const double ready_us = static_cast<double>(r.trace.at(*ready).time.ns()) / 1000.0;
  bool found = false;
  for (const Json& e : doc["traceEvents"]) {
    if (e["ph"] == "i" && e["name"] == "cluster.ready") {
      CHECK(e["ts"].get<double>() == Approx(ready_us).epsilon(1e-12));
      CHECK(e["cat"] == "milestone");
      found = true;
    }
  }
  CHECK(found);
  // A unit's phases: master-1's Marathon waits on its gates from boot, named as people read it.
  std::vector<std::string> marathon;
  int pid = 0, tid = 0;
  for (const Json& e : doc["traceEvents"]) {
    if (e["ph"] == "M" && e["name"] == "process_name" && e["args"]["name"] == "master-1")
      pid = e["pid"];
  }
  for (const Json& e : doc["traceEvents"]) {
    if (e["ph"] == "M" && e["name"] == "thread_name" && e["pid"] == pid &&
        e["args"]["name"] == "dcos-marathon")
      tid = e["tid"];
  }
  REQUIRE(tid != 0);
  for (const Json& e : doc["traceEvents"]) {
    if (e["ph"] == "B" && e["pid"] == pid && e["tid"] == tid) marathon.push_back(e["name"]);
  }
  REQUIRE(marathon.size() >= 3);
  CHECK(marathon.front() == "gate wait");
  CHECK(marathon[1] == "restart delay");
  CHECK(marathon.back() == "running");
}

TEST_CASE("chrome: faults are instants on the node they hit", "[report][chrome]") {
  auto fault = bootsim::models::parse_fault_line(
      "kind=crash target=master-2 at=mesos-master.elected+5s restart_after=30s",
      bootsim::models::SourceLocation{});
  REQUIRE(std::holds_alternative<bootsim::models::FaultSpec>(fault));
  const RunResult r = run_default_spec({std::get<bootsim::models::FaultSpec>(fault)});
  const Json doc = Json::parse(report::format_chrome(r));
  int master2 = 0;
  for (const Json& e : doc["traceEvents"]) {
    if (e["ph"] == "M" && e["name"] == "process_name" && e["args"]["name"] == "master-2")
      master2 = e["pid"];
  }
  std::vector<std::string> faults;
  for (const Json& e : doc["traceEvents"]) {
    if (e["ph"] == "i" && e["cat"] == "fault" && e["pid"] == master2) faults.push_back(e["name"]);
  }
  CHECK(faults == std::vector<std::string>{"host_crash", "host_restart"});
}

namespace {

// The pid of node `node` and the tid of its track `name` in `doc`, 0 if none.
std::pair<int, int> track_of(const Json& doc, const std::string& node, const std::string& name) {
  int pid = 0, tid = 0;
  for (const Json& e : doc["traceEvents"]) {
    if (e["ph"] == "M" && e["name"] == "process_name" && e["args"]["name"] == node) pid = e["pid"];
  }
  for (const Json& e : doc["traceEvents"]) {
    if (e["ph"] == "M" && e["name"] == "thread_name" && e["pid"] == pid &&
        e["args"]["name"] == name)
      tid = e["tid"];
  }
  return {pid, tid};
}

// The B events of one track, in file order.
std::vector<Json> spans_of(const Json& doc, std::pair<int, int> track) {
  std::vector<Json> out;
  for (const Json& e : doc["traceEvents"]) {
    if (e["ph"] == "B" && e["pid"] == track.first && e["tid"] == track.second) out.push_back(e);
  }
  return out;
}

}  // namespace

TEST_CASE("chrome: agents' registration phases are spans on their mesos-agent track",
          "[report][chrome]") {
  const RunResult r = run_default_spec();
  const Json doc = Json::parse(report::format_chrome(r));
  std::size_t retried = 0;
  for (const std::string& node : r.nodes) {
    if (node.find("agent") == std::string::npos) continue;
    INFO(node);
    const auto track = track_of(doc, node, "mesos-agent");
    REQUIRE(track.second != 0);
    const std::vector<Json> spans = spans_of(doc, track);
    REQUIRE(spans.size() >= 4);
    // It detects the leader, waits its first U(0, b) draw, attempts, and is admitted.
    CHECK(spans[0]["name"] == "connecting");
    CHECK(spans[1]["name"] == "backoff");
    CHECK(spans[2]["name"] == "registering");
    CHECK(spans.back()["name"] == "registered");
    // One span per attempt, numbered, each ending where the next begins.
    int attempt = 0;
    for (std::size_t i = 2; i + 1 < spans.size(); ++i) {
      CHECK(spans[i]["name"] == "registering");
      const sim::TraceRecord& rec = r.trace.at(spans[i]["args"]["record"].get<sim::RecordId>());
      CHECK(r.trace.int_arg(rec, "attempt") == ++attempt);
      REQUIRE(r.trace.duration_arg(rec, "retry_after"));
    }
    if (attempt > 1) ++retried;
  }
  // The default boot's agents detect master-3 before it leads: some of them retry.
  CHECK(retried > 0);
}

TEST_CASE("chrome: a master's election is a span of its mesos-master track", "[report][chrome]") {
  // Every master contends (its election); the elected one recovers the registry, then leads;
  // the others stay contending.
  const RunResult r = run_default_spec();
  const Json doc = Json::parse(report::format_chrome(r));
  int leaders = 0, standbys = 0;
  for (const std::string master : {"master-1", "master-2", "master-3"}) {
    std::vector<std::string> names;
    for (const Json& e : spans_of(doc, track_of(doc, master, "mesos-master")))
      names.push_back(e["name"]);
    INFO(master);
    if (names == std::vector<std::string>{"contending", "recovering", "leading"}) {
      ++leaders;
    } else {
      CHECK(names == std::vector<std::string>{"contending"});
      ++standbys;
    }
  }
  CHECK(leaders == 1);
  CHECK(standbys == 2);
}

TEST_CASE("chrome: a flow at the end of a track's last phase is still inside it",
          "[report][chrome]") {
  // A hand-made run: unit u on n1 runs from 1 s to the end of the run (2 s), when a milestone
  // that its start caused is reached. The milestone lies on u's track at 2 s, the moment u's
  // last phase ends: the E must come after the flow's finish, or a viewer finds no slice to
  // bind it to.
  RunResult r;
  r.nodes = {"n1"};
  r.units.push_back({"n1", "u", bootsim::models::Role::kMaster});
  r.ended_at = sim::seconds(2);
  const auto start = r.trace.state_change(sim::seconds(0), "n1", "u", "inactive", "start-pre");
  const auto active = r.trace.state_change(sim::seconds(1), "n1", "u", "start-pre", "active");
  (void)start;
  r.trace.milestone(sim::seconds(2), "n1", "u.done", {}, active);
  const Json doc = Json::parse(report::format_chrome(r));
  std::vector<std::string> order;  // the events of u's track and the flow, in file order
  for (const Json& e : doc["traceEvents"]) {
    if (e["ph"] == "M" || e["ph"] == "i") continue;
    order.push_back(e["ph"].get<std::string>() + "@" + e["ts"].dump());
  }
  CHECK(order == std::vector<std::string>{"B@0", "E@1000000", "B@1000000", "s@1000000", "f@2000000",
                                          "E@2000000"});
}

TEST_CASE("chrome: an agent restarted with a running task recovers, then registers again",
          "[report][chrome]") {
  // The agent that runs kafka-scheduler (its launch record names it) has its Mesos agent
  // process crash a second after that task runs. systemd restarts it; it recovers the task's
  // executor and waits executor_reregistration_timeout (10 s) before it detects the master again.
  std::string agent;
  {
    const RunResult plain = run_default_spec();
    for (const sim::TraceRecord& rec : plain.trace.records()) {
      if (rec.name() == "launch" && plain.trace.text_arg(rec, "task") == "kafka-scheduler")
        agent = std::string(plain.trace.text_arg(rec, "agent").value_or(""));
    }
  }
  REQUIRE_FALSE(agent.empty());
  auto fault = bootsim::models::parse_fault_line(
      "kind=crash target=" + agent + "/mesos-slave at=scheduler.first_task_running@marathon+1s",
      bootsim::models::SourceLocation{});
  REQUIRE(std::holds_alternative<bootsim::models::FaultSpec>(fault));
  const RunResult r = run_default_spec({std::get<bootsim::models::FaultSpec>(fault)});
  const Json doc = Json::parse(report::format_chrome(r));
  const std::vector<Json> spans = spans_of(doc, track_of(doc, agent, "mesos-agent"));
  std::vector<std::string> after;  // the spans from the recovery on
  for (const Json& e : spans) {
    if (e["name"] == "recovering" || !after.empty()) after.push_back(e["name"]);
  }
  REQUIRE(after.size() >= 5);
  CHECK(after[0] == "recovering");
  CHECK(after[1] == "connecting");
  CHECK(after[2] == "backoff");
  CHECK(after[3] == "registering");
  CHECK(after.back() == "registered");
  // The recovery lasts executor_reregistration_timeout: its E is the connecting span's B.
  double recovering = 0, connecting = 0;
  for (const Json& e : spans) {
    if (e["name"] == "recovering") recovering = e["ts"];
    if (e["name"] == "connecting") connecting = e["ts"];
  }
  CHECK(connecting - recovering == Approx(10e6).margin(1e-3));
}
