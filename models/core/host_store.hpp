// HostStore: state that is local to one host and that other processes there look at — a file on
// its disk, a socket a process serves — each entry with the trace record that made it (the
// cause a critical chain walks back to).
//
//   HostStore& host = ctx.host(site.node);
//   host.write_file(host_path::kClusterId, "", cause);          // bootstrap
//   host.hold(host_path::listening("dcos-oauth"), process, id);  // the service is up
//   if (const HostEntry* e = host.find(host_path::kClusterId)) { ... e->cause ... }
//
// Contract: what a crash or pause does to an entry is what it does in reality, with nobody
// clearing anything. A file stays through crashes of any process and of the host. What a
// process holds (a listening socket, the unix socket it serves) is there while that incarnation
// of the process lives, paused or not, and gone the moment it ends (killed, exited, host down):
// find() checks the holder against the network's process table. One store per host, owned by
// the RunContext. Deterministic: ordered maps, lookups O(log n).
//
// The host's process table, as kill(2) and pkill(1) see it: each unit's main process, by unit
// name, with the unit machine that receives what is sent to it (SignalTarget). A process on the
// host reaches another only by signalling it here, never by calling its model:
//   host.signal_unit("dcos-adminrouter", Signal::kHup, sender);      // nginx -s reload
//   host.signal_matching("spartan", Signal::kKill, sender);          // pkill -9 -f spartan
#pragma once

#include <boost/container/flat_map.hpp>
#include <cstdint>
#include <functional>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <typeinfo>

#include "sim/network.hpp"
#include "sim/trace.hpp"

namespace bootsim::models {

// The signals one process on a host sends another. kKill: SIGKILL, the process dies at once
// (paused or not) as under a crash, and its unit's Restart= policy decides what follows.
// kHup: SIGHUP, which a process that handles it takes as "reload" (nginx); held while the
// process is stopped, delivered when it continues.
enum class Signal { kKill, kHup };
std::string_view to_string(Signal s);

// What receives a signal sent to a unit's main process: the unit machine (models/systemd).
class SignalTarget {
 public:
  virtual ~SignalTarget() = default;
  // `sender` names who sent it (a unit on the same host), for the trace.
  virtual void deliver(Signal s, std::string_view sender) = 0;
};

struct HostEntry {
  std::string content;  // a file's content; empty for what a process holds
  sim::RecordId cause;  // the record that made it so
};

class HostStore {
 public:
  explicit HostStore(const sim::Network& network) : network_(network) {}

  // A file on the host's disk, written (again) now.
  void write_file(std::string_view path, std::string content, sim::RecordId cause) {
    entries_.insert_or_assign(std::string(path),
                              Entry{{std::move(content), cause}, std::nullopt, 0, {}, nullptr});
  }
  // Something `holder` serves while this incarnation of it runs.
  void hold(std::string_view name, sim::ProcessId holder, sim::RecordId cause) {
    entries_.insert_or_assign(
        std::string(name), Entry{{{}, cause}, holder, network_.incarnation(holder), {}, nullptr});
  }
  // The entry if it is there now; nullptr otherwise (never made, or its holder has ended).
  const HostEntry* find(std::string_view name) const {
    const Entry* e = live(name);
    return e != nullptr ? &e->entry : nullptr;
  }
  std::optional<sim::RecordId> cause(std::string_view name) const {
    const HostEntry* e = find(name);
    return e ? std::optional<sim::RecordId>(e->cause) : std::nullopt;
  }
  // The entry `name` as `parse` (std::string_view -> T) reads its content, parsed once per
  // write: a file read far more often than it is written (resolv.conf, at every lookup) is not
  // parsed again each time. nullptr if the entry is not there (as find()).
  template <class T, class Parse>
  std::shared_ptr<const T> parsed(std::string_view name, Parse parse) const {
    const Entry* e = live(name);
    if (e == nullptr) return nullptr;
    if (e->parsed_type != &typeid(T)) {
      e->parsed = std::make_shared<const T>(parse(std::string_view(e->entry.content)));
      e->parsed_type = &typeid(T);
    }
    return std::static_pointer_cast<const T>(e->parsed);
  }

  // The process table. A unit whose main process is `main` enters it once, when it is made;
  // `unit` (the profile's name) and `target` outlive the store's use (all live as long as the
  // run).
  void add_unit_process(std::string_view unit, sim::ProcessId main, SignalTarget& target) {
    processes_.insert_or_assign(unit, Process{main, &target});
  }
  // kill -SIG of the unit's main process (as a pid file names it): false when it is not running.
  bool signal_unit(std::string_view unit, Signal s, std::string_view sender) const;
  // pkill -SIG -f PATTERN: every running main process whose command line contains `pattern`,
  // except the sender's own; returns how many. Simplification: a DC/OS unit's command line is
  // its package path, /opt/mesosphere/packages/<package>--<hash>/..., which the unit name holds
  // (dcos-spartan, dcos-spartan-agent: spartan), so the unit name stands for it. In unit-name
  // order (deterministic).
  int signal_matching(std::string_view pattern, Signal s, std::string_view sender) const;

 private:
  struct Process {
    sim::ProcessId main;
    SignalTarget* target;
  };
  // By unit, flat: filled once when the host is made, a dozen units or so on every host.
  boost::container::flat_map<std::string_view, Process> processes_;
  struct Entry {
    HostEntry entry;
    std::optional<sim::ProcessId> holder;  // none: a file
    std::uint64_t incarnation = 0;         // the holder's, when it made the entry
    // parsed()'s cache of the content, of type *parsed_type; a write makes a new Entry.
    mutable std::shared_ptr<const void> parsed;
    mutable const std::type_info* parsed_type = nullptr;
  };
  // The entry if it is there now: a file, or what a holder still alive serves.
  const Entry* live(std::string_view name) const {
    const auto it = entries_.find(name);
    if (it == entries_.end()) return nullptr;
    const Entry& e = it->second;
    if (e.holder &&
        (!network_.process_up(*e.holder) || network_.incarnation(*e.holder) != e.incarnation)) {
      return nullptr;
    }
    return &e;
  }
  const sim::Network& network_;
  std::map<std::string, Entry, std::less<>> entries_;
};

// Host-local names that one model writes and another reads.
namespace host_path {
inline constexpr std::string_view kClusterId = "/var/lib/dcos/cluster-id";
inline constexpr std::string_view kResolvConf = "/etc/resolv.conf";
// bootstrap's stash of zk.pid's mtime after an all-serving wait passed (exhibitor.py); the
// content is the ZooKeeper incarnation whose zk.pid it saw.
inline constexpr std::string_view kExhibitorPidStat = "/var/lib/dcos/bootstrap/exhibitor_pid_stat";
inline constexpr std::string_view kTelegrafSocket = "/run/dcos/telegraf/dcos_statsd.sock";
// The kernel's clock state as adjtimex(2) reports it: present while the clock is not
// synchronised (STA_UNSYNC; what a clock-skew fault leaves), absent when NTP keeps it in sync.
// `check-time` fails while it is there. Whatever skews a host's clock writes it, with the
// offset as its content (the clock-skew fault, still to come, brings the removal with it).
inline constexpr std::string_view kClockUnsynchronised = "adjtimex:unsynchronised";
// A unit's service accepts connections (what `curl --fail` to it checks).
inline std::string listening(std::string_view unit) {
  return "listening:" + std::string(unit);
}
}  // namespace host_path

}  // namespace bootsim::models
