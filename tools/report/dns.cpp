// leader.mesos as each host's clients resolved it (models/run/dns_windows.hpp), for the text
// and JSON reports.
#include <fmt/format.h>

#include "tools/report/report.hpp"

namespace bootsim::report {

namespace {

std::string optional_seconds(const std::optional<sim::SimTime>& t) {
  return t ? exact_seconds(*t) : "null";
}

}  // namespace

std::string dns_json_items(const models::RunResult& r) {
  std::string out;
  for (std::size_t i = 0; i < r.dns.size(); ++i) {
    const models::NodeDns& n = r.dns[i];
    out += fmt::format(
        "{}\n    {{\"node\": {}, \"first_resolved_s\": {}, \"failing_hop\": {}, "
        "\"leader_changes\": [",
        i == 0 ? "" : ",", json_string(n.node), optional_seconds(n.first_resolved),
        n.first_resolved ? "null" : json_string(n.last_failure));
    for (std::size_t c = 0; c < n.changes.size(); ++c) {
      const models::LeaderChangeWindow& w = n.changes[c];
      out += fmt::format(
          "{}{{\"at_s\": {}, \"leader\": {}, \"resolved_after_s\": {}, \"stale_window_s\": {}, "
          "\"failed_window_s\": {}, \"lookups\": {}}}",
          c == 0 ? "" : ", ", exact_seconds(w.at), json_string(w.leader),
          optional_seconds(w.resolved_after), exact_seconds(w.stale_window),
          exact_seconds(w.failed_window), w.lookups);
    }
    out += "]}";
  }
  return out;
}

// Only what needs saying: hosts where leader.mesos never resolved (and the hop that failed),
// and each host's windows after a change of leader.
std::string dns_text(const models::RunResult& r) {
  std::string out;
  for (const models::NodeDns& n : r.dns) {
    if (!n.first_resolved) {
      out +=
          fmt::format("  {}: never resolved{}\n", printable(n.node),
                      n.last_failure.empty() ? " (no lookup)" : ": " + printable(n.last_failure));
    }
    for (const models::LeaderChangeWindow& w : n.changes) {
      out += fmt::format("  {}: after {} at {}s: stale {}s, failing {}s, new leader {}\n",
                         printable(n.node), printable(w.leader), sim::format_seconds(w.at),
                         sim::format_seconds(w.stale_window), sim::format_seconds(w.failed_window),
                         w.resolved_after ? "after " + sim::format_seconds(*w.resolved_after) + "s"
                                          : std::string("never"));
    }
  }
  return out.empty() ? out : "\nleader.mesos as clients resolved it:\n" + out;
}

}  // namespace bootsim::report
