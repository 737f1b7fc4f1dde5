#include "tools/sweep/journal.hpp"

#include <fcntl.h>
#include <sys/file.h>
#include <unistd.h>

#include <fmt/format.h>

#include <cerrno>
#include <cstring>

namespace bootsim::sweep {

namespace {

std::string error_text(const std::string& path, std::string_view what) {
  return fmt::format("results file '{}': {}: {}", path, what, std::strerror(errno));
}

// The whole file into `text`; the error, if any.
std::optional<std::string> read_all(int fd, const std::string& path, std::string& text) {
  char buf[1 << 16];
  for (;;) {
    const ssize_t n = ::read(fd, buf, sizeof buf);
    if (n < 0 && errno == EINTR) continue;
    if (n < 0) return error_text(path, "cannot read");
    if (n == 0) return std::nullopt;
    text.append(buf, static_cast<std::size_t>(n));
  }
}

bool write_all(int fd, std::string_view text) {
  while (!text.empty()) {
    const ssize_t n = ::write(fd, text.data(), text.size());
    if (n < 0 && errno == EINTR) continue;
    if (n <= 0) return false;
    text.remove_prefix(static_cast<std::size_t>(n));
  }
  return true;
}

}  // namespace

std::string journal_header(std::uint64_t sweep_id, std::size_t total) {
  return fmt::format("bootsim-sweep-results 1 {:016x} {}\n", sweep_id, total);
}

std::variant<Journal, std::string> Journal::open(const std::string& path, std::uint64_t sweep_id,
                                                 std::size_t total, bool resume,
                                                 std::vector<std::optional<RunRecord>>& done) {
  const int fd = ::open(path.c_str(), O_RDWR | O_CREAT | O_CLOEXEC, 0666);
  if (fd < 0) return error_text(path, "cannot open");
  Journal j(path, fd);
  if (::flock(fd, LOCK_EX | LOCK_NB) != 0) {
    return fmt::format("results file '{}' is in use by another sweep", path);
  }
  // --resume with nothing recorded yet (the sweep was stopped before its first run, or never
  // started) starts from the beginning.
  const bool empty = ::lseek(fd, 0, SEEK_END) == 0;
  if (::lseek(fd, 0, SEEK_SET) != 0) return error_text(path, "cannot seek");
  if (resume && !empty) {
    if (auto e = j.load(sweep_id, total, done)) return *e;
  } else {
    if (::ftruncate(fd, 0) != 0) return error_text(path, "cannot truncate");
    if (!write_all(fd, journal_header(sweep_id, total)) || ::fsync(fd) != 0) {
      return error_text(path, "cannot write");
    }
  }
  if (::lseek(fd, 0, SEEK_END) < 0) return error_text(path, "cannot seek");
  return j;
}

std::optional<std::string> Journal::load(std::uint64_t sweep_id, std::size_t total,
                                         std::vector<std::optional<RunRecord>>& done) {
  std::string text;
  if (auto e = read_all(fd_, path_, text)) return e;
  const std::string header = journal_header(sweep_id, total);
  if (!text.starts_with(header)) {
    return fmt::format(
        "--resume: '{}' holds the results of another sweep (the scenario file, an option or "
        "bootsim's version differ); run without --resume to start over",
        path_);
  }
  std::size_t pos = header.size(), line_no = 1;
  while (pos < text.size()) {
    ++line_no;
    const auto nl = text.find('\n', pos);
    const std::string_view line =
        std::string_view(text).substr(pos, nl == std::string::npos ? nl : nl - pos + 1);
    const auto rec = nl == std::string::npos ? std::nullopt : from_line(line);
    const bool last = nl == std::string::npos || nl + 1 == text.size();
    if (!rec || rec->index >= total) {
      if (!last) return fmt::format("results file '{}': line {} is corrupt", path_, line_no);
      // Cut short by a kill while it was written: drop it.
      if (::ftruncate(fd_, static_cast<off_t>(pos)) != 0) {
        return error_text(path_, "cannot truncate");
      }
      break;
    }
    if (!done[rec->index]) done[rec->index] = *rec;
    pos = nl + 1;
  }
  return std::nullopt;
}

Journal::Journal(Journal&& other) noexcept
    : path_(std::move(other.path_)),
      fd_(std::exchange(other.fd_, -1)),
      unsynced_(other.unsynced_),
      last_sync_(other.last_sync_) {}

Journal::~Journal() {
  if (fd_ >= 0) ::close(fd_);
}

std::optional<std::string> Journal::append(const RunRecord& record) {
  if (!write_all(fd_, to_line(record))) return error_text(path_, "cannot write");
  ++unsynced_;
  if (unsynced_ >= kSyncEvery || std::chrono::steady_clock::now() - last_sync_ >= kSyncInterval) {
    return sync();
  }
  return std::nullopt;
}

std::optional<std::string> Journal::sync() {
  if (unsynced_ > 0 && ::fdatasync(fd_) != 0) return error_text(path_, "cannot sync");
  unsynced_ = 0;
  last_sync_ = std::chrono::steady_clock::now();
  return std::nullopt;
}

}  // namespace bootsim::sweep
