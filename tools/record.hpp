// Run records: `bootsim run … --record FILE` writes what a run needs to be re-run exactly,
// and `bootsim replay FILE` re-runs it and checks that the trace is the same, record by record.
//
//   const std::string text = tools::write_record(tools::make_record(scenario_text, file, options,
//                                                                    result, version));
//   auto rec = tools::read_record(text, version);   // a message if damaged, altered or foreign
//
// Contract: a record is a text file — a header of `key value` lines (format, bootsim version,
// seed, until, --set and --fault lines as given, the faults as they fired, the trace's
// fingerprint), the scenario file's text as it was run, and one line per trace record — closed
// by a checksum line over everything before it. read_record refuses, with a message that says
// why, a record that is not one, whose checksum does not match (edited or cut short), that was
// written by another bootsim version, or whose scenario text does not match its own hash.
// The scenario is replayed from the text in the record, not from the file it came from.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <variant>
#include <vector>

#include "models/run/cluster.hpp"

namespace bootsim::tools {

struct RunRecord {
  std::string version;
  std::string scenario_file;  // as given on the command line, for messages and profile paths
  std::string scenario_text;
  std::uint64_t seed = 0;
  sim::SimTime until;
  bool stop_at_ready = false;
  std::uint64_t max_events = 0;
  std::vector<std::string> settings;  // key=value, as --set gave them
  std::vector<std::string> faults;    // --fault lines, canonical
  std::vector<std::string> fired;     // "time node event detail", for a reader
  std::uint64_t fingerprint = 0;
  std::vector<std::string> records;  // one line per trace record (trace_line)
};

// One trace record as one line: time, kind, node, component, name, cause, detail; tabs and
// newlines escaped.
std::string trace_line(const sim::TraceRecord& r);

// The record of a finished run of `scenario_text` (the file `scenario_file`) with `options`.
RunRecord make_record(std::string scenario_text, std::string scenario_file,
                      const models::RunOptions& options, const models::RunResult& result,
                      std::string version);
std::string write_record(const RunRecord& record);
// The record in `text`, or why it cannot be replayed by bootsim `version`.
std::variant<RunRecord, std::string> read_record(std::string_view text, std::string_view version);

// The checksum a record's last line holds: FNV-1a 64 of every byte before that line.
std::uint64_t record_checksum(std::string_view body);

}  // namespace bootsim::tools
