#include "tools/report/why.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <map>
#include <string>
#include <utility>
#include <vector>

#include "tools/report/phases.hpp"

namespace bootsim::report {

namespace {

using Key = std::pair<std::string_view, std::string_view>;  // (node, component)
using Ids = std::vector<sim::RecordId>;

// The run's value of a duration parameter (RunResult::parameters is sorted by key), if set.
std::optional<sim::SimTime> duration_param(const models::RunResult& r, std::string_view key) {
  const auto it = std::lower_bound(
      r.parameters.begin(), r.parameters.end(), key,
      [](const std::pair<std::string, std::string>& p, std::string_view k) { return p.first < k; });
  if (it == r.parameters.end() || it->first != key) return std::nullopt;
  return sim::parse_duration(it->second);
}

std::string param_text(const models::RunResult& r, std::string_view key) {
  const auto d = duration_param(r, key);
  return fmt::format("{}={}", key, d ? sim::format_duration(*d) : "?");
}

// A gate that failed this long into its attempt or later waited on its probe's own timeouts
// (glibc's resolver waits at least 1 s per nameserver: resolv/res_send.c).
constexpr sim::SimTime kProbeTimeout = sim::seconds(1);

std::string secs(sim::SimTime t) {
  return sim::format_seconds(t) + "s";
}

class Explainer {
 public:
  explicit Explainer(const models::RunResult& r) : r_(r), tracks_(state_tracks(r)) {
    for (const Track& t : tracks_) {
      if (t.unit) units_[{t.node, t.component}] = &t;
    }
    const auto& recs = r.trace.records();
    for (std::size_t i = 0; i < recs.size(); ++i) {
      const sim::TraceRecord& rec = recs[i];
      const auto id = static_cast<sim::RecordId>(i);
      if (rec.type == sim::RecordType::kGateFailed)
        failures_[{rec.node(), rec.component()}].push_back(id);
      if (rec.type == sim::RecordType::kProcessExit)
        exits_[{rec.node(), rec.component()}].push_back(id);
      // The protocol events that explain a wait: Mesos-DNS's reloads (models/dns/mesos_dns), an
      // agent's registration attempts (models/mesos/agent) and a master's log recovery retries
      // (models/mesos/master), by (node, name).
      if (rec.component() == "mesos-dns" || rec.component() == "mesos-agent" ||
          rec.component() == "mesos-master")
        events_[{rec.node(), rec.name()}].push_back(id);
      if (rec.kind == sim::RecordKind::kMilestone) events_[{rec.node(), rec.name()}].push_back(id);
      // Spartan's upstreams that did not answer (models/dns/spartan), by node.
      if (rec.component() == "spartan" && rec.name() == "upstream_timeout")
        upstream_timeouts_[rec.node()].push_back(id);
      // Cosmos's installs and Marathon's deployments (models/dcos/cosmos, marathon), by name.
      if (rec.component() == "cosmos" || rec.component() == "marathon")
        events_[{rec.node(), rec.name()}].push_back(id);
      if (rec.component() == "cosmos" && rec.name() == "package_installed") installs_.push_back(id);
    }
  }

  ChainStep step(sim::RecordId id, sim::RecordId below) const {
    const sim::TraceRecord& rec = r_.trace.at(id);
    const sim::TraceRecord& low = r_.trace.at(below);
    ChainStep s{id, rec.time - low.time, {}, {}};
    if (const Track* u = unit_of(rec)) {
      if (rec.kind == sim::RecordKind::kMilestone && rec.cause() == below) {
        s.cause = "start";
        s.detail = fmt::format("{} on {} took {} from exec to ready (its start time)", u->component,
                               u->node, sim::format_seconds(*s.gap) + "s");
        return s;
      }
      return unit_wait(*u, rec, low, s);
    }
    if (auto refresh = mesos_dns_refresh(rec, low, s)) return *refresh;
    if (auto backoff = registration_backoff(rec, low, s)) return *backoff;
    if (auto start = service_start(rec, low, s)) return *start;
    if (auto retry = log_recovery_retry(rec, low, s)) return *retry;
    if (auto install = install_wait(rec, low, s)) return *install;
    s.cause = "protocol";
    s.detail = fmt::format(
        "{}{}{} on {} ({}{})", rec.component(), rec.component().empty() ? "" : " ", rec.name(),
        rec.node(), rec.detail().empty() ? "" : std::string(rec.detail()) + "; ",
        low.node() == rec.node() ? "same node" : "from " + std::string(low.node()));
    return s;
  }

  std::vector<Blocked> blocked() const {
    std::vector<Blocked> out;
    for (const Track& t : tracks_) {
      if (!t.unit || t.phases.empty() || t.phases.back().kind == PhaseKind::kRunning) continue;
      if (t.phases.back().end < r_.ended_at) continue;  // it ended inactive: a timer's service
      Blocked b{std::string(t.node),
                std::string(t.component),
                std::string(t.phases.back().state),
                std::nullopt,
                {},
                {},
                0};
      // The failures since the unit last ran (or since boot).
      sim::SimTime last_run;
      for (const Phase& p : t.phases) {
        if (p.kind == PhaseKind::kRunning) last_run = p.end;
      }
      const auto it = failures_.find({t.node, t.component});
      if (it != failures_.end()) {
        for (const sim::RecordId f : it->second) {
          const sim::TraceRecord& rec = r_.trace.at(f);
          if (rec.time < last_run) continue;
          if (b.failures++ == 0) b.since = rec.time;
          b.gate = std::string(r_.trace.text_arg(rec, "gate").value_or(""));
          b.reason = std::string(r_.trace.text_arg(rec, "reason").value_or(""));
        }
      }
      out.push_back(std::move(b));
    }
    return out;
  }

 private:
  // The unit a record belongs to: its own track, or, for a milestone, the unit whose record
  // caused it on the same node.
  const Track* unit_of(const sim::TraceRecord& rec) const {
    if (const auto it = units_.find({rec.node(), rec.component()}); it != units_.end()) {
      return it->second;
    }
    if (rec.kind != sim::RecordKind::kMilestone || !rec.cause()) return nullptr;
    const sim::TraceRecord& c = r_.trace.at(*rec.cause());
    if (c.node() != rec.node()) return nullptr;
    const auto it = units_.find({c.node(), c.component()});
    return it == units_.end() ? nullptr : it->second;
  }

  // A unit's record that waited for `low`: a restart delay, a timer period, or its gates.
  ChainStep unit_wait(const Track& u, const sim::TraceRecord& rec, const sim::TraceRecord& low,
                      ChainStep s) const {
    const bool timer = u.phases.front().kind == PhaseKind::kStarting;
    if (timer) {
      s.cause = "timer";
      s.detail = fmt::format(
          "{} is started by its timer (OnBootSec, then every OnUnitActiveSec): it ran at {}s, {} "
          "after the step below",
          u.component, sim::format_seconds(rec.time), sim::format_seconds(*s.gap) + "s");
      return s;
    }
    const Phase* restart = nullptr;
    for (const Phase& p : u.phases) {
      if (p.kind == PhaseKind::kRestartDelay && p.end > low.time && p.begin < rec.time) {
        restart = &p;
      }
    }
    if (restart == nullptr) {
      s.cause = "gate";
      s.detail = fmt::format("{} on {}: its gates passed {} after the step below", u.component,
                             u.node, sim::format_seconds(*s.gap) + "s");
      const auto spartan =
          *s.gap >= kProbeTimeout ? upstream_wait(u.node, low.time, rec.time) : std::nullopt;
      if (spartan) {
        s.cause = "upstream timeout";
        s.detail += "; meanwhile " + *spartan;
      }
      return s;
    }
    s.cause = "RestartSec";
    const auto restart_sec = r_.trace.duration_arg(r_.trace.at(restart->record), "restart_sec");
    s.detail = fmt::format("{} on {} waited RestartSec={} (until {}s)", u.component, u.node,
                           restart_sec ? sim::format_duration(*restart_sec) : "?",
                           sim::format_seconds(restart->end));
    s.detail += restart_reason(u, restart->begin);
    if (const auto spartan = failed_attempt_upstreams(u, restart->begin)) {
      s.cause = "upstream timeout";
      s.detail += "; " + *spartan;
    }
    return s;
  }

  // The upstream timeouts behind the gate failure that a restart at `t` followed, if the
  // failure (not a process exit) was the reason and its probe waited on timeouts (a second or
  // more, as a resolver's does): those of the node's lookups made during that attempt. By node
  // and time: a gate's record does not name what it looked up.
  std::optional<std::string> failed_attempt_upstreams(const Track& u, sim::SimTime t) const {
    const auto f = last_before(failures_, u, t);
    const auto x = last_before(exits_, u, t);
    if (!f || (x && r_.trace.at(*x).time >= r_.trace.at(*f).time)) return std::nullopt;
    const sim::SimTime failed = r_.trace.at(*f).time;
    const auto took = gate_time(u, failed);
    if (!took || *took < kProbeTimeout) return std::nullopt;
    return upstream_wait(u.node, failed - *took, failed);
  }

  // Spartan on `node` forwarded lookups in [from, to] to upstreams that did not answer within
  // dns-proxy.upstream_timeout (its records name the upstream and the timeout; the query went
  // out that long before): who, and how often. Spartan serves its own node's clients only.
  std::optional<std::string> upstream_wait(std::string_view node, sim::SimTime from,
                                           sim::SimTime to) const {
    const auto it = upstream_timeouts_.find(node);
    if (it == upstream_timeouts_.end()) return std::nullopt;
    std::vector<std::string_view> upstreams, names;
    std::size_t n = 0;
    for (const sim::RecordId id : it->second) {
      const sim::TraceRecord& rec = r_.trace.at(id);
      const sim::SimTime asked =
          rec.time - r_.trace.duration_arg(rec, "timeout").value_or(sim::SimTime::zero());
      if (asked < from || asked > to) continue;
      ++n;
      for (auto [key, list] : {std::pair{"upstream", &upstreams}, std::pair{"name", &names}}) {
        const std::string_view v = r_.trace.text_arg(rec, key).value_or("?");
        if (std::find(list->begin(), list->end(), v) == list->end()) list->push_back(v);
      }
    }
    if (n == 0) return std::nullopt;
    std::sort(upstreams.begin(), upstreams.end());
    return fmt::format(
        "Spartan on {0} forwarded {0}'s lookups ({1}) to Mesos-DNS on {2}, and {3} of those "
        "forwards got no answer within {4}",
        node, fmt::join(names, ", "), fmt::join(upstreams, ", "),
        n == 1 ? std::string("one") : std::to_string(n),
        param_text(r_, "dns-proxy.upstream_timeout"));
  }

  // The records named `name` on `node` in (from, to], in time order.
  Ids between(std::string_view node, std::string_view name, sim::SimTime from,
              sim::SimTime to) const {
    Ids out;
    const auto it = events_.find({node, name});
    if (it == events_.end()) return out;
    for (const sim::RecordId id : it->second) {
      const sim::SimTime t = r_.trace.at(id).time;
      if (t > from && t <= to) out.push_back(id);
    }
    return out;
  }

  // A record of Mesos-DNS (its leader record, or a record event) whose gap ended at a periodic
  // reload: one refreshSeconds, or a multiple, after Mesos-DNS started on that node (it arms
  // the timer when it starts; a reload on a leader change comes from its ZooKeeper watch).
  std::optional<ChainStep> mesos_dns_refresh(const sim::TraceRecord& rec,
                                             const sim::TraceRecord& low, ChainStep s) const {
    if (rec.component() != "mesos-dns" && rec.name() != "mesos-dns.leader_record")
      return std::nullopt;
    const Ids reloads = between(rec.node(), "reload", low.time, rec.time);
    const auto refresh = duration_param(r_, "mesos-dns.refreshSeconds");
    if (reloads.empty() || !refresh || *refresh <= sim::SimTime::zero()) return std::nullopt;
    const sim::SimTime at = r_.trace.at(reloads.back()).time;
    const Ids started = between(rec.node(), "mesos-dns.started", sim::SimTime::min_finite(), at);
    if (started.empty()) return std::nullopt;
    const sim::SimTime since = at - r_.trace.at(started.back()).time;
    if (since <= sim::SimTime::zero() || since.ns() % refresh->ns() != 0) return std::nullopt;
    s.cause = "refresh";
    s.detail = fmt::format(
        "Mesos-DNS on {} reloads on a leader change it sees in ZooKeeper and every {}: {} was "
        "the periodic one at {} (it started at {})",
        rec.node(), param_text(r_, "mesos-dns.refreshSeconds"),
        reloads.size() == 1 ? "its first reload after the step below"
                            : "the reload that rebuilt the records",
        secs(at), secs(r_.trace.at(started.back()).time));
    // A reload in the gap that failed (the master not leading yet, or no answer) is why the
    // records waited for the timer.
    const Ids failed = between(rec.node(), "reload failed", low.time, at);
    if (!failed.empty()) {
      s.detail +=
          fmt::format("; its reload at {} had failed", secs(r_.trace.at(failed.back()).time));
    }
    return s;
  }

  // A service's scheduler (kafka) that started after the task running it: its own start time,
  // the scenario's `services[].start` (models/dcos/service_scheduler).
  std::optional<ChainStep> service_start(const sim::TraceRecord& rec, const sim::TraceRecord& low,
                                         ChainStep s) const {
    if (rec.name() != "scheduler.started" || low.name() != "scheduler.first_task_running")
      return std::nullopt;
    s.cause = "start";
    s.detail = fmt::format(
        "{0}'s scheduler started {1} after the task that runs it (launched by {2}) was running: "
        "its own start time (the scenario's services entry for {0}, start)",
        rec.node(), secs(*s.gap), low.node());
    return s;
  }

  // A master that led only after its replicated log's recover protocol was retried: a round
  // that gets too few answers (the other masters' replicas not up yet) is abandoned after
  // mesos-master.log_recover_retry and run again (models/mesos/master, src/log/recover.cpp).
  std::optional<ChainStep> log_recovery_retry(const sim::TraceRecord& rec,
                                              const sim::TraceRecord& low, ChainStep s) const {
    if (rec.name() != "mesos-master.leading") return std::nullopt;
    const Ids retries = between(rec.node(), "recover_retry", low.time, rec.time);
    if (retries.empty()) return std::nullopt;
    const sim::SimTime last = r_.trace.at(retries.back()).time;
    s.cause = "retry";
    s.detail = fmt::format(
        "{}'s replicated log got too few answers to its recover protocol within {} and retried "
        "{} (last at {}); the registry was recovered {} after that",
        rec.node(), param_text(r_, "mesos-master.log_recover_retry"),
        retries.size() == 1 ? std::string("once") : fmt::format("{} times", retries.size()),
        secs(last), secs(rec.time - last));
    return s;
  }

  // A registration whose gap was a registration retry's random backoff: an agent's attempts
  // (the first waits U(0, b) too), or a scheduler's whose attempts went before its master led.
  std::optional<ChainStep> registration_backoff(const sim::TraceRecord& rec,
                                                const sim::TraceRecord& low, ChainStep s) const {
    if (rec.name() == "agent.registered") return agent_backoff(rec, low, s);
    if (rec.name() != "scheduler.registered" || low.name() != "mesos-master.leading")
      return std::nullopt;
    const Ids detected =
        between(rec.node(), "scheduler.detected_leader", sim::SimTime::min_finite(), low.time);
    if (detected.empty()) return std::nullopt;
    s.cause = "backoff";
    s.detail = fmt::format(
        "{}'s driver had detected {} at {}, before it led; a master drops registrations until it "
        "leads, and the driver retries after random draws from U(0, b), b from {} doubling up to "
        "{}: the first retry after {} led registered it {} later",
        rec.node(), low.node(), secs(r_.trace.at(detected.back()).time),
        param_text(r_, "scheduler.registration_backoff_factor"),
        param_text(r_, "scheduler.max_registration_backoff"), low.node(),
        sim::format_seconds(*s.gap) + "s");
    return s;
  }

  std::optional<ChainStep> agent_backoff(const sim::TraceRecord& rec, const sim::TraceRecord& low,
                                         ChainStep s) const {
    const Ids attempts = between(rec.node(), "register", low.time, rec.time);
    if (attempts.empty()) return std::nullopt;
    const sim::SimTime first = r_.trace.at(attempts.front()).time;
    const std::string draws = fmt::format("random draws from U(0, b), b from {} doubling up to {}",
                                          param_text(r_, "mesos-agent.registration_backoff_factor"),
                                          param_text(r_, "mesos-agent.max_registration_backoff"));
    const Ids detected =
        between(rec.node(), "agent.detected_leader", sim::SimTime::min_finite(), low.time);
    if (low.name() == "mesos-master.leading" && !detected.empty()) {
      s.detail = fmt::format(
          "{} had detected {} at {}, before it led; a master drops registrations until it leads, "
          "and the agent retries after {}: its first attempt after {} led went at {} (+{})",
          rec.node(), low.node(), secs(r_.trace.at(detected.back()).time), draws, low.node(),
          secs(first), sim::format_seconds(first - low.time) + "s");
    } else {
      s.detail = fmt::format(
          "{}'s registration attempts wait {} (the first one too, so that agents do not all "
          "register at once): its first attempt after the step below went at {} (+{})",
          rec.node(), draws, secs(first), sim::format_seconds(first - low.time) + "s");
    }
    s.cause = "backoff";
    s.detail += fmt::format(", admitted {} later", sim::format_duration(rec.time - first));
    return s;
  }

  // A Marathon launch that waited for its app: the package's install by Cosmos (through Admin
  // Router on the same master, retried by the operator while it or a leading Marathon was
  // missing), then Marathon's deployment (queue, revive, the next offer).
  std::optional<ChainStep> install_wait(const sim::TraceRecord& rec, const sim::TraceRecord& low,
                                        ChainStep s) const {
    if (rec.component() != "scheduler" || rec.name() != "launch") return std::nullopt;
    const auto task = r_.trace.text_arg(rec, "task");
    if (!task) return std::nullopt;
    const sim::TraceRecord* installed = nullptr;
    for (const sim::RecordId id : installs_) {
      const sim::TraceRecord& i = r_.trace.at(id);
      if (i.time > low.time && i.time <= rec.time && r_.trace.text_arg(i, "task") == task)
        installed = &i;
    }
    if (installed == nullptr) return std::nullopt;
    s.cause = "install";
    s.detail = fmt::format(
        "{}'s app reached Marathon only at {}: Cosmos on {} installed its package then, through "
        "Admin Router there",
        *task, secs(installed->time), installed->node());
    s.detail += install_history(*installed);
    s.detail += fmt::format(
        "; Marathon queued it, revived its offers and launched it on the next offer, {} later",
        sim::format_duration(rec.time - installed->time));
    return s;
  }

  // What an install had waited for: the operator's retries and the last thing missing.
  std::string install_history(const sim::TraceRecord& installed) const {
    const auto serving = r_.trace.record_arg(installed, "serving");
    const auto router = r_.trace.record_arg(installed, "adminrouter");
    const sim::SimTime since = serving ? r_.trace.at(*serving).time : installed.time;
    const Ids retries =
        between(installed.node(), "install_retry", since - sim::nanoseconds(1), installed.time);
    if (retries.empty()) return fmt::format(", as soon as Cosmos served (at {})", secs(since));
    const sim::TraceRecord& last = r_.trace.at(retries.back());
    const std::string_view missing = r_.trace.text_arg(last, "waiting_for").value_or("?");
    std::string what = missing == "marathon" ? "no Marathon led yet"
                       : missing == "both" ? "neither Admin Router served there nor a Marathon led"
                                           : "Admin Router did not serve there yet";
    if (missing != "marathon" && router) {
      what += fmt::format(" (adminrouter.started at {})", secs(r_.trace.at(*router).time));
    }
    const auto retry = r_.trace.duration_arg(last, "retry");
    return fmt::format(
        "; Cosmos served from {}, but {}: the operator's install is retried every {} "
        "(operator.install_retry: the scenario's operator, not a DC/OS default), {} tries before "
        "this one",
        secs(since), what, retry ? sim::format_duration(*retry) : "?", retries.size());
  }

  // What a restart at `t` followed: the unit's last failed gate or process exit before it. A
  // gate that failed a second or more into its attempt says how long: that time went on the
  // probe's own timeouts (a DNS lookup retrying its nameservers, a connection attempt).
  std::string restart_reason(const Track& u, sim::SimTime t) const {
    const auto f = last_before(failures_, u, t);
    const auto x = last_before(exits_, u, t);
    if (x && (!f || r_.trace.at(*x).time >= r_.trace.at(*f).time)) {
      const sim::TraceRecord& xr = r_.trace.at(*x);
      return fmt::format(" after its process exited at {}s: {}", sim::format_seconds(xr.time),
                         r_.trace.text_arg(xr, "reason").value_or("?"));
    }
    if (!f) return "";
    const sim::TraceRecord& fr = r_.trace.at(*f);
    std::string probe;
    if (const auto took = gate_time(u, fr.time); took && *took >= kProbeTimeout)
      probe = fmt::format(", {}s into its gates", sim::format_seconds(*took));
    return fmt::format(" after its gate '{}' failed at {}s{}: {}",
                       r_.trace.text_arg(fr, "gate").value_or("?"), sim::format_seconds(fr.time),
                       probe, r_.trace.text_arg(fr, "reason").value_or("?"));
  }

  // How long the unit had been running its gates at `t` (in a gate-wait phase), if it was.
  std::optional<sim::SimTime> gate_time(const Track& u, sim::SimTime t) const {
    std::optional<sim::SimTime> out;
    for (const Phase& p : u.phases) {
      if (p.kind == PhaseKind::kGateWait && p.begin <= t && t <= p.end) out = t - p.begin;
    }
    return out;
  }

  // The unit's last record of `by_unit` (gate failures, process exits) at or before `t`.
  std::optional<sim::RecordId> last_before(const std::map<Key, Ids>& by_unit, const Track& u,
                                           sim::SimTime t) const {
    const auto it = by_unit.find({u.node, u.component});
    if (it == by_unit.end()) return std::nullopt;
    std::optional<sim::RecordId> out;
    for (const sim::RecordId f : it->second) {
      if (r_.trace.at(f).time <= t) out = f;
    }
    return out;
  }

  const models::RunResult& r_;
  std::vector<Track> tracks_;
  std::map<Key, const Track*> units_;
  std::map<Key, std::vector<sim::RecordId>> failures_;
  std::map<Key, Ids> exits_;   // (node, unit): its process exits
  std::map<Key, Ids> events_;  // (node, name): milestones and the protocol events above
  std::map<std::string_view, Ids> upstream_timeouts_;  // Spartan's, by node
  Ids installs_;                                       // Cosmos's package_installed records
};

}  // namespace

std::vector<ChainStep> explain_chain(const models::RunResult& r) {
  std::vector<ChainStep> out;
  if (!r.trace.holds_every_record()) {
    // The records that explain a wait (failed gates, restarts, protocol events) were not kept.
    for (std::size_t i = 0; i < r.critical_chain.size(); ++i) {
      const sim::TraceRecord& rec = r.trace.at(r.critical_chain[i]);
      std::optional<sim::SimTime> gap;
      if (i + 1 < r.critical_chain.size())
        gap = rec.time - r.trace.at(r.critical_chain[i + 1]).time;
      out.push_back(ChainStep{r.critical_chain[i], gap, {}, {}});
    }
    return out;
  }
  const Explainer e(r);
  for (std::size_t i = 0; i < r.critical_chain.size(); ++i) {
    if (i + 1 < r.critical_chain.size()) {
      out.push_back(e.step(r.critical_chain[i], r.critical_chain[i + 1]));
    } else {
      out.push_back(ChainStep{r.critical_chain[i], std::nullopt, {}, {}});
    }
  }
  return out;
}

std::vector<Blocked> blocked_units(const models::RunResult& r) {
  if (!r.trace.holds_every_record()) return {};  // the units' state changes were not kept
  return Explainer(r).blocked();
}

}  // namespace bootsim::report
