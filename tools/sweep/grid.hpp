// Grid: the parameter points a sweep visits, from `--vary key=v1,v2,…` and ranges `a..b:step`.
//
//   auto v = parse_vary("cluster.agents.private=100..1000:100");  // std::string: the error
//   std::vector<GridPoint> points = grid_points({std::get<Vary>(v)});
//
// Contract: pure functions. A range is integers or durations (`1s..3s:500ms`), from a to b
// inclusive by step > 0, at most kMaxValues values. The grid is the Cartesian product of the
// --vary options in command-line order, the last one varying fastest; no --vary gives one point
// with no settings. Values are checked by the caller (they are --set values).
#pragma once

#include <string>
#include <string_view>
#include <variant>
#include <vector>

#include "models/scenario/scenario.hpp"

namespace bootsim::sweep {

inline constexpr std::size_t kMaxValues = 10'000;  // per --vary, and points in all

struct Vary {
  std::string key;
  std::vector<std::string> values;  // as --set takes them
};

struct GridPoint {
  std::vector<models::Setting> settings;  // one per --vary key, in order
  // "cluster.masters=3 cluster.agents.private=100", or "" for the one point of no --vary.
  std::string label() const;
};

std::variant<Vary, std::string> parse_vary(std::string_view spec);
// The points, or an error when there are more than kMaxValues.
std::variant<std::vector<GridPoint>, std::string> grid_points(const std::vector<Vary>& vary);

}  // namespace bootsim::sweep
