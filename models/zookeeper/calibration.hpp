// Calibration of the ZooKeeper model against real ZooKeeper 3.8 on loopback (the project's
// reference measurements): each row re-creates one measured set-up and compares medians.
//
//   for (const CalibrationRow& r : calibrate_zookeeper(50, 1)) print(r.name, r.simulated_median_s);
//
// Contract: every row runs the real protocol model (3 servers, ZooKeeper 3.8's constants,
// loopback latency) over `runs` seeds derived from `base_seed`; nothing is fitted per row.
// The only inputs are the measured start-up times: launch to client port bound as a uniform
// over the measured range (3 JVMs together on 2 cores: 0.40-0.79 s; one alone: 0.28-0.36 s),
// and the ~0.3 s of set-up before LOOKING seen in the logs of the contended start, scaled for
// a lone JVM by the same factor as its start time. Pure function of its arguments.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

namespace bootsim::models {

struct CalibrationRow {
  std::string name;
  double measured_median_s = 0;
  double simulated_median_s = 0;
  int runs = 0;
  double ratio() const { return simulated_median_s / measured_median_s; }
};

std::vector<CalibrationRow> calibrate_zookeeper(int runs, std::uint64_t base_seed);

}  // namespace bootsim::models
