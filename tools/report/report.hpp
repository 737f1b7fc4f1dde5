// Reports of one run: a timeline a person reads at a glance, and JSON for programs.
//
//   std::cout << format_text(result);
//   write(format_json(result));   // {"schema": 1, "scenario": …, "milestones": […], …}
//
// Contract: pure functions of the RunResult; byte-identical for identical results (times are
// printed from integer nanoseconds, never through a double).
#pragma once

#include <string>

#include "models/run/cluster.hpp"

namespace bootsim::models {

inline constexpr int kJsonSchemaVersion = 1;

std::string format_text(const RunResult& result);
std::string format_json(const RunResult& result);
// Every trace record, one per line in time order: for replaying what happened in detail.
std::string format_trace(const RunResult& result);

// Exact decimal seconds from integer nanoseconds, trailing zeros trimmed: "97.3", "0.00025".
std::string exact_seconds(sim::SimTime t);

}  // namespace bootsim::models
