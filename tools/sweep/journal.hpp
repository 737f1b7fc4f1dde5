// Journal: a sweep's results file, one line per finished run, appended as runs finish, so that
// a sweep that was killed resumes with no run lost or done twice.
//
//   std::vector<std::optional<RunRecord>> done(total);
//   auto j = Journal::open(path, sweep_id, total, resume, done);  // std::string: the error
//   std::get<Journal>(j).append(record);   // fsync'ed in batches
//
// Format: a header line "bootsim-sweep-results 1 <sweep id> <total runs>", then one line per
// run (record.hpp: tab-separated, with its checksum) in the order runs finished. Contract:
// - A fresh journal truncates the file; --resume reads it (an empty or missing file: a fresh
//   start) and refuses it when the header names
//   another sweep (scenario bytes, options or version differ). A last line cut short (the
//   process was killed while writing it) is dropped and the file truncated to the lines before
//   it; a bad line before the last is an error; a run recorded twice is kept once.
// - append() writes each line with one write(2) and fsyncs every kSyncEvery lines or
//   kSyncInterval, whichever comes first, and in sync(); a SIGKILL loses at most the lines the
//   kernel had not yet written (none, short of a machine crash) and a crash at most a batch.
// - The file is locked (flock) while open: a second sweep on the same file is refused.
// One owner (the sweep's main thread); not thread-safe.
#pragma once

#include <chrono>
#include <cstdint>
#include <optional>
#include <string>
#include <variant>
#include <vector>

#include "tools/sweep/record.hpp"

namespace bootsim::sweep {

class Journal {
 public:
  static constexpr std::size_t kSyncEvery = 256;
  static constexpr std::chrono::seconds kSyncInterval{1};

  static std::variant<Journal, std::string> open(const std::string& path, std::uint64_t sweep_id,
                                                 std::size_t total, bool resume,
                                                 std::vector<std::optional<RunRecord>>& done);
  Journal(Journal&& other) noexcept;
  Journal& operator=(Journal&&) = delete;
  Journal(const Journal&) = delete;
  ~Journal();

  std::optional<std::string> append(const RunRecord& record);
  std::optional<std::string> sync();
  const std::string& path() const { return path_; }

 private:
  Journal(std::string path, int fd) : path_(std::move(path)), fd_(fd) {}
  std::optional<std::string> load(std::uint64_t sweep_id, std::size_t total,
                                  std::vector<std::optional<RunRecord>>& done);

  std::string path_;
  int fd_ = -1;
  std::size_t unsynced_ = 0;
  std::chrono::steady_clock::time_point last_sync_ = std::chrono::steady_clock::now();
};

std::string journal_header(std::uint64_t sweep_id, std::size_t total);

}  // namespace bootsim::sweep
