// Resources: the scalar resources of a Mesos agent or task (cpus, mem, disk) and its port count,
// with the arithmetic the allocator and the master need.
//
//   const Resources agent{.cpus = 4, .mem = 14'000, .disk = 100'000, .ports = 30'000};
//   const Resources task{.cpus = 1, .mem = 1'024};
//   if (task.fits_in(agent)) { Resources left = agent - task; }
//
// Simplification: ports are a count, not ranges (which ports a task takes never matters to
// the boot); disk and mem are in MB, as Mesos writes them. Plain value type, no allocation.
#pragma once

#include <algorithm>
#include <string>

#include <fmt/format.h>

namespace bootsim::models::mesos {

struct Resources {
  double cpus = 0;
  double mem = 0;   // MB
  double disk = 0;  // MB
  double ports = 0;

  Resources& operator+=(const Resources& o) {
    cpus += o.cpus;
    mem += o.mem;
    disk += o.disk;
    ports += o.ports;
    return *this;
  }
  // Never below zero: what is taken away is what was there (the caller checks fits_in).
  Resources& operator-=(const Resources& o) {
    cpus = std::max(0.0, cpus - o.cpus);
    mem = std::max(0.0, mem - o.mem);
    disk = std::max(0.0, disk - o.disk);
    ports = std::max(0.0, ports - o.ports);
    return *this;
  }
  friend Resources operator+(Resources a, const Resources& b) { return a += b; }
  friend Resources operator-(Resources a, const Resources& b) { return a -= b; }
  friend bool operator==(const Resources&, const Resources&) = default;

  // Resources::contains: every quantity of `this` is within `o`.
  bool fits_in(const Resources& o) const {
    return cpus <= o.cpus + 1e-9 && mem <= o.mem + 1e-9 && disk <= o.disk + 1e-9 &&
           ports <= o.ports + 1e-9;
  }
  bool empty() const { return cpus <= 0 && mem <= 0 && disk <= 0 && ports <= 0; }
  std::string text() const {
    return fmt::format("cpus:{:g};mem:{:g};disk:{:g};ports:{:g}", cpus, mem, disk, ports);
  }
};

// The unreserved role, and the role DC/OS reserves public agents' resources for
// (mesos-slave-public: --default_role=slave_public).
inline constexpr std::string_view kAnyRole = "*";
inline constexpr std::string_view kPublicRole = "slave_public";

}  // namespace bootsim::models::mesos
