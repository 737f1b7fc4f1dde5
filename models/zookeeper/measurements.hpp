// Measurements: real ZooKeeper timings in the CSV format the project's reference measurements
// were taken in, one trial per row:
//
//   ensemble_size,tick_ms,scenario,trial,seconds
//   3,500,cold_quorum,1,1.1680
//
//   auto m = read_measurements("zookeeper-3.8.csv");  // or an InputError (FILE:LINE:COL)
//
// Contract: the header line is required and exact; `#` lines and blank lines are skipped;
// every field is checked (sizes 1..kMaxEnsembleSize, tick_ms >= 1 or 0 for a one-server row,
// a scenario of measurement_scenarios(), trial >= 1, seconds a finite decimal >= 0, no trial
// given twice), and the first error is returned with its line and column (1-based). Pure.
#pragma once

#include <span>
#include <string>
#include <string_view>
#include <variant>
#include <vector>

#include "models/core/source_location.hpp"

namespace bootsim::models {

// The largest ensemble a calibration simulates (ZooKeeper itself has no limit; every server
// is a JVM on the measuring host).
inline constexpr int kMaxEnsembleSize = 15;

// What a measured scenario is, for the calibration.
enum class MeasurementUse {
  kCompared,     // the model simulates it; simulated against measured
  kSetUpInput,   // describes the set-up (the launch spread): used, not compared
  kNotModelled,  // measured outside ZooKeeper (a bare JVM): listed, not compared
};

struct MeasurementScenario {
  std::string_view name;
  MeasurementUse use;
  std::string_view description;  // what was measured, as the measuring script timed it
};

// Every scenario name a measurement file may use.
std::span<const MeasurementScenario> measurement_scenarios();
const MeasurementScenario* find_measurement_scenario(std::string_view name);

struct Measurement {
  int ensemble_size = 0;
  int tick_ms = 0;  // 0: not applicable (one server alone)
  std::string scenario;
  int trial = 0;
  double seconds = 0;
  SourceLocation where;  // the row, for messages
};

std::variant<std::vector<Measurement>, InputError> parse_measurements(std::string_view text,
                                                                      const std::string& file);
std::variant<std::vector<Measurement>, InputError> read_measurements(const std::string& path);

}  // namespace bootsim::models
