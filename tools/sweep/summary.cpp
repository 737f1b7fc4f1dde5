#include "tools/sweep/summary.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <map>

#include "models/core/milestones.hpp"

namespace bootsim::sweep {

namespace {

using Times = std::vector<std::optional<std::int64_t>>;

// Ascending, never-reached last.
Times sorted_times(std::span<const RunRecord> runs, std::size_t milestone) {
  Times t;
  for (const RunRecord& r : runs) t.push_back(r.times_ns[milestone]);
  std::sort(t.begin(), t.end(), [](const auto& a, const auto& b) {
    if (!a || !b) return a.has_value() && !b.has_value();
    return *a < *b;
  });
  return t;
}

std::size_t milestone_index(std::string_view name) {
  const auto names = models::milestone_names();
  return static_cast<std::size_t>(std::find(names.begin(), names.end(), name) - names.begin());
}

BudgetOutcome budget_outcome(const models::BudgetSpec& b, std::span<const RunRecord> runs) {
  BudgetOutcome o{b, {}, 0, {}, {}, false};
  const std::size_t m = milestone_index(b.milestone);
  o.measured_ns = nearest_rank(sorted_times(runs, m), b.quantile_bp.value_or(10'000));
  for (const RunRecord& r : runs) {
    const auto& t = r.times_ns[m];
    if (t && *t <= b.within.ns()) {
      ++o.passed;
    } else {
      o.missed_seeds.push_back(r.seed);
    }
  }
  if (b.runs && static_cast<std::int64_t>(runs.size()) < *b.runs) {
    o.problem = fmt::format("the budget asks for {} runs; the sweep did {}", *b.runs, runs.size());
  }
  o.ok = o.problem.empty() && o.measured_ns && *o.measured_ns <= b.within.ns();
  return o;
}

std::vector<RuleOutcome> rule_outcomes(const std::vector<std::string>& rules,
                                       std::span<const RunRecord> runs) {
  std::map<std::string, RuleOutcome> by_name;
  for (const std::string& r : rules) by_name[r].rule = r;
  for (const RunRecord& run : runs) {
    for (const auto& [rule, count] : run.violations) {
      RuleOutcome& o = by_name[rule];
      o.rule = rule;
      ++o.runs_violated;
      o.violations += count;
      o.seeds.push_back(run.seed);
    }
  }
  std::vector<RuleOutcome> out;
  for (auto& [name, o] : by_name) out.push_back(std::move(o));
  return out;
}

PointSummary point_summary(const GridPoint& point, std::span<const RunRecord> runs,
                           const std::vector<std::size_t>& shown,
                           const std::vector<models::BudgetSpec>& budgets,
                           const std::vector<std::string>& rules) {
  PointSummary p{point, runs.size(), {}, {}, {}, {}, {}};
  const auto names = models::milestone_names();
  for (const std::size_t m : shown) {
    const Times t = sorted_times(runs, m);
    MilestoneStats s{std::string(names[m]), 0, {}};
    s.reached = static_cast<std::size_t>(
        std::count_if(t.begin(), t.end(), [](const auto& v) { return v.has_value(); }));
    for (const int bp : kReportedQuantiles) s.quantiles.push_back(nearest_rank(t, bp));
    p.milestones.push_back(std::move(s));
  }
  for (const models::BudgetSpec& b : budgets) p.budgets.push_back(budget_outcome(b, runs));
  p.rules = rule_outcomes(rules, runs);
  const std::size_t ready = milestone_index("cluster.ready");
  std::map<std::string, std::size_t> ended;
  for (const RunRecord& r : runs) {
    if (!r.times_ns[ready]) p.not_ready_seeds.push_back(r.seed);
    ++ended[r.ended_by];
  }
  p.ended_by.assign(ended.begin(), ended.end());
  return p;
}

}  // namespace

std::optional<std::int64_t> nearest_rank(const Times& sorted, int bp) {
  if (sorted.empty()) return std::nullopt;
  // rank = ceil(bp * n / 10000), at least 1: integer arithmetic, no rounding question.
  const std::size_t n = sorted.size();
  const std::size_t rank =
      std::max<std::size_t>(1, (static_cast<std::size_t>(bp) * n + 9'999) / 10'000);
  return sorted[rank - 1];
}

bool SweepSummary::budgets_ok() const {
  for (const PointSummary& p : points) {
    for (const BudgetOutcome& b : p.budgets) {
      if (!b.ok) return false;
    }
  }
  return true;
}

bool SweepSummary::ok() const {
  for (const PointSummary& p : points) {
    if (!p.not_ready_seeds.empty()) return false;
    for (const RuleOutcome& r : p.rules) {
      if (r.runs_violated > 0) return false;
    }
  }
  return budgets_ok();
}

SweepSummary summarize(SweepInfo info, const std::vector<GridPoint>& points,
                       const std::vector<models::BudgetSpec>& budgets,
                       const std::vector<std::string>& rules,
                       const std::vector<RunRecord>& records) {
  // Milestones shown: those any run reached, and cluster.ready always.
  std::vector<std::size_t> shown;
  const std::size_t ready = milestone_index("cluster.ready");
  for (std::size_t m = 0; m < models::milestone_names().size(); ++m) {
    const bool any = std::any_of(records.begin(), records.end(),
                                 [&](const RunRecord& r) { return r.times_ns[m].has_value(); });
    if (any || m == ready) shown.push_back(m);
  }
  SweepSummary s{std::move(info), {}};
  const std::span<const RunRecord> all(records);
  for (std::size_t i = 0; i < points.size(); ++i) {
    s.points.push_back(
        point_summary(points[i], all.subspan(i * s.info.runs, s.info.runs), shown, budgets, rules));
  }
  return s;
}

}  // namespace bootsim::sweep
