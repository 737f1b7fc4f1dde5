// Calibration of the ZooKeeper model against measurements of a real ensemble (measurements.hpp):
// each measured set-up (ensemble size, tickTime, scenario) is re-created and simulated over
// many seeds, and the measured trials are compared with the simulated ones.
//
//   auto rows = read_measurements("zookeeper-3.8.csv");                 // or an InputError
//   const CalibrationReport r = calibrate_zookeeper(std::get<0>(rows), CalibrationSetUp{});
//   if (!r.ok()) return 1;
//
// The measuring host. Every server is a JVM on one host of `cores` cores (the reference: 2),
// talking over loopback. A JVM's start-up is CPU work: to the client port bound, what one JVM
// alone takes (measured, 0.28-0.36 s), then the set-up before LOOKING (0.2 s of CPU alone: the
// 0.3 s the logs show with 3 JVMs on 2 cores, divided by the share each got). N servers
// launched together share the cores (sim::SharedCpu, one core at most each), so start-up
// stretches with N/cores; the election and Zab then run the protocol model, whose messages
// grow with N as in ZooKeeper (every server notifies every other). Nothing is fitted per row
// or per ensemble size: the same host model serves every size.
//
// The comparison. A group is the trials of one (ensemble size, tickTime, scenario). Per group:
// the simulated mean against the measured mean, off by |sim - meas| / meas; a group off by more
// than the tolerance fails the calibration. Means, not medians: fail-over elections are
// bimodal (one finalize wait or two) and the median of 8 trials lands on either mode. Per row,
// shown, not decisive (one trial is one draw): whether the model could have given it, as the
// nearest value of the simulated range [min, max] and how far the trial lies outside it. Rows
// of set-up inputs (the launch spread) and of what the model does not simulate (a bare JVM)
// are listed but not compared.
//
// Contract: a pure function of its arguments; each group runs `runs` seeds from `seed`.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "models/zookeeper/measurements.hpp"

namespace bootsim::models {

struct CalibrationSetUp {
  int runs = 50;           // simulated runs per group
  std::uint64_t seed = 1;  // the first seed
  double tolerance = 0.15;
  std::int64_t cores_milli = 2000;  // the measuring host's cores (the reference: 2)
};

struct CalibrationRow {
  Measurement measured;
  bool compared = false;
  double simulated_s = 0;  // the simulated value nearest to the measured one
  double off = 0;          // |simulated - measured| / measured
  bool outside = false;    // off by more than the tolerance: outside the simulated range
};

struct CalibrationGroup {
  int ensemble_size = 0;
  int tick_ms = 0;
  std::string scenario;
  bool compared = false;
  int trials = 0;
  double measured_mean_s = 0;
  int runs = 0;  // simulated runs that reached the measured point
  double simulated_mean_s = 0;
  double simulated_min_s = 0;
  double simulated_max_s = 0;
  double off = 0;
  bool ok = true;
  std::string note;  // why it is not compared, or why a run did not reach it
};

struct CalibrationReport {
  std::vector<CalibrationRow> rows;      // in file order
  std::vector<CalibrationGroup> groups;  // by (size, tick, scenario)
  bool ok() const;
};

CalibrationReport calibrate_zookeeper(const std::vector<Measurement>& measured,
                                      const CalibrationSetUp& setup);

}  // namespace bootsim::models
