#include "tools/output.hpp"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstdio>
#include <cstring>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace bootsim::tools {

namespace {

// Symbolic links followed before giving up, as the kernel does (MAXSYMLINKS, Linux: 40).
constexpr int kMaxLinks = 40;
// A temporary name is "." + the target's name + ".XXXXXX"; a name longer than this is cut
// there so that the temporary name stays within NAME_MAX (255).
constexpr std::size_t kMaxTempStem = 200;

std::string quote(std::string_view s) {
  return "'" + std::string(s) + "'";
}

std::string errno_text(int err) {
  return std::strerror(err);
}

// "dir/name" -> "dir"; "name" -> "."; "/name" -> "/".
std::string dir_of(const std::string& path) {
  const auto slash = path.rfind('/');
  if (slash == std::string::npos) return ".";
  if (slash == 0) return "/";
  return path.substr(0, slash);
}

std::string base_of(const std::string& path) {
  const auto slash = path.rfind('/');
  return slash == std::string::npos ? path : path.substr(slash + 1);
}

struct Resolved {
  std::string path;
  bool through_proc = false;  // a link into /proc (/dev/stdout, /dev/fd/N): not a real path
  bool exists = false;
  struct stat st {};
};

// Follows symbolic links one at a time (so that a dangling link resolves to the file it would
// create), stopping at a link into /proc, whose targets ("pipe:[123]") are not paths.
std::variant<Resolved, std::string> resolve(const std::string& given) {
  Resolved r;
  r.path = given;
  for (int links = 0;; ++links) {
    if (r.path.starts_with("/proc/")) {
      r.through_proc = true;
      // stat() follows the magic link the way open() will.
      if (::stat(r.path.c_str(), &r.st) != 0) {
        return "--out " + quote(given) + ": " + errno_text(errno);
      }
      r.exists = true;
      return r;
    }
    struct stat lst {};
    if (::lstat(r.path.c_str(), &lst) != 0) {
      // Nothing there (yet); a component that is not a directory is reported by prepare().
      if (errno == ENOENT || errno == ENOTDIR) return r;
      return "--out " + quote(given) + ": " + errno_text(errno);
    }
    if (!S_ISLNK(lst.st_mode)) {
      r.exists = true;
      r.st = lst;
      return r;
    }
    if (links == kMaxLinks) {
      return "--out " + quote(given) + ": " + errno_text(ELOOP);
    }
    std::vector<char> buf(static_cast<std::size_t>(lst.st_size > 0 ? lst.st_size : 255) + 1);
    const ssize_t n = ::readlink(r.path.c_str(), buf.data(), buf.size());
    if (n < 0) return "--out " + quote(given) + ": " + errno_text(errno);
    std::string target(buf.data(), static_cast<std::size_t>(n));
    if (!target.starts_with("/")) target = dir_of(r.path) + "/" + target;
    r.path = std::move(target);
  }
}

// Writes all of `text` to `fd`, retrying short writes and interruptions; 0 or an errno.
int write_all(int fd, std::string_view text) {
  while (!text.empty()) {
    const ssize_t n = ::write(fd, text.data(), text.size());
    if (n < 0) {
      if (errno == EINTR) continue;
      return errno;
    }
    text.remove_prefix(static_cast<std::size_t>(n));
  }
  return 0;
}

mode_t current_umask() {
  const mode_t mask = ::umask(0);
  ::umask(mask);
  return mask;
}

// N when `path` is /proc/self/fd/N (where /dev/stdout, /dev/stderr and /dev/fd/N lead).
std::optional<int> own_descriptor(const std::string& path) {
  constexpr std::string_view kPrefix = "/proc/self/fd/";
  if (!path.starts_with(kPrefix) || path.size() == kPrefix.size() ||
      path.size() > kPrefix.size() + 6) {
    return std::nullopt;
  }
  int fd = 0;
  for (std::size_t i = kPrefix.size(); i < path.size(); ++i) {
    if (path[i] < '0' || path[i] > '9') return std::nullopt;
    fd = fd * 10 + (path[i] - '0');
  }
  return fd;
}

}  // namespace

std::variant<OutputTarget, std::string> OutputTarget::prepare(const std::string& path) {
  if (path.empty() || path == "-") return OutputTarget(Kind::kStdout, path, "");
  auto resolved = resolve(path);
  if (auto* e = std::get_if<std::string>(&resolved)) return std::move(*e);
  const Resolved& r = std::get<Resolved>(resolved);
  // /dev/stdout and the like: the descriptor this process already has, written as it is (a
  // file the shell opened for appending is appended to; reopening it would start at 0).
  if (const auto fd = own_descriptor(r.path); fd && r.exists && ::fcntl(*fd, F_GETFD) != -1) {
    if (S_ISDIR(r.st.st_mode)) return "--out " + quote(path) + ": is a directory";
    OutputTarget t(Kind::kDescriptor, path, r.path);
    t.fd_ = *fd;
    return t;
  }
  if (r.exists && S_ISDIR(r.st.st_mode)) return "--out " + quote(path) + ": is a directory";
  if (r.exists && (r.through_proc || !S_ISREG(r.st.st_mode))) {
    if (::access(r.path.c_str(), W_OK) != 0) {
      return "--out " + quote(path) + ": cannot write: " + errno_text(errno);
    }
    return OutputTarget(Kind::kDirect, path, r.path);
  }
  // A regular file or nothing yet: the temporary file and the rename need its directory.
  const std::string dir = dir_of(r.path);
  struct stat dst {};
  if (::stat(dir.c_str(), &dst) != 0) {
    if (errno == ENOENT) return "--out " + quote(path) + ": no such directory " + quote(dir);
    return "--out " + quote(path) + ": directory " + quote(dir) + ": " + errno_text(errno);
  }
  if (!S_ISDIR(dst.st_mode)) {
    return "--out " + quote(path) + ": " + quote(dir) + " is not a directory";
  }
  if (::access(dir.c_str(), W_OK | X_OK) != 0) {
    return "--out " + quote(path) + ": cannot create files in " + quote(dir) + ": " +
           errno_text(errno);
  }
  return OutputTarget(Kind::kReplace, path, r.path);
}

std::optional<std::string> OutputTarget::write(const std::string& text) const {
  switch (kind_) {
    case Kind::kStdout:
      return write_stdout(text);
    case Kind::kDescriptor:
      return write_descriptor(text);
    case Kind::kDirect:
      return write_direct(text);
    case Kind::kReplace:
      return write_replace(text);
  }
  return std::nullopt;
}

std::optional<std::string> OutputTarget::write_stdout(const std::string& text) const {
  std::fflush(stdout);  // anything buffered before goes first
  if (const int err = write_all(STDOUT_FILENO, text)) {
    return "cannot write to standard output: " + errno_text(err);
  }
  return std::nullopt;
}

std::optional<std::string> OutputTarget::write_descriptor(const std::string& text) const {
  std::fflush(nullptr);  // what stdio buffered for this descriptor goes first
  if (const int err = write_all(fd_, text)) {
    return "--out " + quote(given_) + ": cannot write: " + errno_text(err);
  }
  return std::nullopt;
}

std::optional<std::string> OutputTarget::write_direct(const std::string& text) const {
  // No O_TRUNC and no rename: a FIFO, a terminal or a device stays what it is. For a FIFO,
  // open() waits for a reader, as a shell redirection does.
  int fd = -1;
  do {
    fd = ::open(given_.c_str(), O_WRONLY | O_CLOEXEC | O_NOCTTY);
  } while (fd < 0 && errno == EINTR);
  if (fd < 0) return "--out " + quote(given_) + ": cannot open: " + errno_text(errno);
  int err = write_all(fd, text);
  if (::close(fd) != 0 && err == 0 && errno != EINTR) err = errno;
  if (err != 0) return "--out " + quote(given_) + ": cannot write: " + errno_text(err);
  return std::nullopt;
}

std::optional<std::string> OutputTarget::write_replace(const std::string& text) const {
  const std::string dir = dir_of(resolved_);
  std::string name = std::string(".") + base_of(resolved_);
  if (name.size() > kMaxTempStem) name.resize(kMaxTempStem);
  std::string tmp = dir + "/" + name + ".XXXXXX";
  const int fd = ::mkostemp(tmp.data(), O_CLOEXEC);
  if (fd < 0) {
    return "--out " + quote(given_) + ": cannot create a temporary file in " + quote(dir) + ": " +
           errno_text(errno);
  }
  // The mode of the file replaced, or what a plain creat() would give; mkstemp gives 0600.
  struct stat st {};
  const mode_t mode = ::stat(resolved_.c_str(), &st) == 0 && S_ISREG(st.st_mode)
                          ? (st.st_mode & 07777)
                          : (0666 & ~current_umask());
  int err = write_all(fd, text);
  if (err == 0 && ::fchmod(fd, mode) != 0) err = errno;
  if (err == 0 && ::fsync(fd) != 0) err = errno;
  if (::close(fd) != 0 && err == 0 && errno != EINTR) err = errno;
  if (err == 0 && ::rename(tmp.c_str(), resolved_.c_str()) != 0) err = errno;
  if (err != 0) {
    ::unlink(tmp.c_str());
    return "--out " + quote(given_) + ": cannot write: " + errno_text(err);
  }
  // Make the rename itself durable; a failure here loses nothing already visible.
  const int dfd = ::open(dir.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC);
  if (dfd >= 0) {
    ::fsync(dfd);
    ::close(dfd);
  }
  return std::nullopt;
}

}  // namespace bootsim::tools
