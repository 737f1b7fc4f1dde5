// RunRecord: what a sweep keeps of one run, and its one-line form in the results file.
//
//   RunRecord rec = make_record(index, seed, result);   // the trace is not kept
//   journal << to_line(rec);                             // "r\t…\t<checksum>\n"
//   std::optional<RunRecord> back = from_line(line);    // nullopt: torn or corrupt line
//
// Contract: from_line(to_line(r)) == r exactly (times in integer nanoseconds), so a sweep
// resumed from its results file gives the same output as one that never stopped. A line
// carries an FNV-1a checksum of its content: a line cut short by a kill, or altered, is refused.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "models/run/cluster.hpp"

namespace bootsim::sweep {

struct RunRecord {
  std::uint64_t index = 0;  // point * runs per point + run within the point
  std::uint64_t seed = 0;
  std::string ended_by;  // RunResult::ended_by
  std::uint64_t fingerprint = 0;
  // Parallel to models::milestone_names(): when the run reached it (RunResult::milestone_times).
  std::vector<std::optional<std::int64_t>> times_ns;
  std::vector<std::pair<std::string, std::uint64_t>> violations;  // rule, count; sorted by rule

  bool operator==(const RunRecord&) const = default;
};

RunRecord make_record(std::uint64_t index, const models::RunResult& result);

std::string to_line(const RunRecord& record);
std::optional<RunRecord> from_line(std::string_view line);

// FNV-1a, 64 bits: the results file's line checksum and the sweep's identity.
std::uint64_t fnv1a(std::string_view bytes, std::uint64_t hash = 0xcbf29ce484222325ULL);

}  // namespace bootsim::sweep
