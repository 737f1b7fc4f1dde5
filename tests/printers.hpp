// Catch2 printers for kernel value types, so failed checks show "15.502s" instead of "{?}".
#pragma once

#include <catch2/catch.hpp>
#include <optional>

#include "sim/time.hpp"

namespace Catch {
template <>
struct StringMaker<bootsim::sim::SimTime> {
  static std::string convert(bootsim::sim::SimTime t) { return bootsim::sim::format_duration(t); }
};
template <>
struct StringMaker<std::optional<bootsim::sim::SimTime>> {
  static std::string convert(const std::optional<bootsim::sim::SimTime>& t) {
    return t ? bootsim::sim::format_duration(*t) : "nullopt";
  }
};
}  // namespace Catch
