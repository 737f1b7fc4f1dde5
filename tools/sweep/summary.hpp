// Summary: a sweep's runs reduced, per grid point, to milestone quantiles, budget outcomes and
// rule violation counts; what every output format renders.
//
//   SweepSummary s = summarize(info, points, budgets, rules, records);   // records by index
//   bool pass = s.ok();
//
// Quantiles are nearest-rank over every run of the point: the p-quantile of n runs is the
// ceil(p * n)-th smallest time (p50 of 4 runs: the 2nd), min the smallest, max the largest; a
// run that never reached the milestone counts as later than every run that did, so a quantile
// that falls on such a run is "never" (nullopt): a p99 over 100 runs with 2 unready is never.
// Contract: a pure function of its inputs (records ordered by index), so the output does not
// depend on how or in which order the runs were done.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "models/scenario/scenario.hpp"
#include "tools/sweep/grid.hpp"
#include "tools/sweep/record.hpp"

namespace bootsim::sweep {

// The quantiles reports show, in basis points: min (the first), p50, p90, p99, max.
inline constexpr int kReportedQuantiles[] = {0, 5'000, 9'000, 9'900, 10'000};

// The nearest-rank quantile (basis points; 0: the smallest) of `times` sorted ascending with
// never-reached (nullopt) last; nullopt when it falls on a run that never reached.
std::optional<std::int64_t> nearest_rank(const std::vector<std::optional<std::int64_t>>& sorted,
                                         int bp);

struct MilestoneStats {
  std::string name;
  std::size_t reached = 0;
  std::vector<std::optional<std::int64_t>> quantiles;  // parallel to kReportedQuantiles
};

struct BudgetOutcome {
  models::BudgetSpec budget;                // quantile_bp absent: every run
  std::optional<std::int64_t> measured_ns;  // the quantile (max for a per-run budget)
  std::size_t passed = 0;                   // runs within the budget
  std::vector<std::uint64_t> missed_seeds;  // runs over it or never reaching it
  std::string problem;                      // e.g. fewer runs than the budget asks for
  bool ok = false;
};

struct RuleOutcome {
  std::string rule;
  std::size_t runs_violated = 0;
  std::uint64_t violations = 0;
  std::vector<std::uint64_t> seeds;  // of the runs that violated it
};

struct PointSummary {
  GridPoint point;
  std::size_t runs = 0;
  std::vector<MilestoneStats> milestones;  // those some run of the sweep reached, table order
  std::vector<BudgetOutcome> budgets;
  std::vector<RuleOutcome> rules;              // every rule, sorted by name
  std::vector<std::uint64_t> not_ready_seeds;  // runs that never reached cluster.ready
  std::vector<std::pair<std::string, std::size_t>> ended_by;  // sorted by reason
};

struct SweepInfo {
  std::string scenario, scenario_file, profile, version;
  std::uint64_t first_seed = 0;
  std::size_t runs = 0;                // per point
  std::vector<std::string> vary_keys;  // in --vary order
  std::vector<std::string> settings;   // --set key=value, in order
  std::vector<std::string> faults;     // --fault lines
};

struct SweepSummary {
  SweepInfo info;
  std::vector<PointSummary> points;
  bool budgets_ok() const;
  // Every budget met, no rule violated, and cluster.ready reached in every run.
  bool ok() const;
};

SweepSummary summarize(SweepInfo info, const std::vector<GridPoint>& points,
                       const std::vector<models::BudgetSpec>& budgets,
                       const std::vector<std::string>& rules,
                       const std::vector<RunRecord>& records);

}  // namespace bootsim::sweep
