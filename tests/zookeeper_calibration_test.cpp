// Calibration: the ZooKeeper model against real ZooKeeper 3.8 measured on loopback. Prints the
// table (row | simulated median | measured median | ratio); every median within 30 %.
#include <catch2/catch.hpp>

#include <cstdio>
#include <string>

#include "models/zookeeper/calibration.hpp"

TEST_CASE("zookeeper calibration: simulated medians within 30% of the measured ones",
          "[zookeeper][calibration]") {
  const auto rows = bootsim::models::calibrate_zookeeper(50, 1);
  std::string table = "row | simulated median | measured median | ratio\n";
  for (const auto& r : rows) {
    char line[200];
    std::snprintf(line, sizeof line, "%-58s | %6.3f s | %6.3f s | %5.2f\n", r.name.c_str(),
                  r.simulated_median_s, r.measured_median_s, r.ratio());
    table += line;
  }
  WARN(table);
  for (const auto& r : rows) {
    INFO(r.name);
    CHECK(r.runs == 50);
    CHECK(r.ratio() >= 0.7);
    CHECK(r.ratio() <= 1.3);
  }
}
