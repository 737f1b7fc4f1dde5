// OutputTarget: where `--out PATH` sends a result, checked before the run and written after it.
//
//   auto target = tools::OutputTarget::prepare(path);  // before simulating: "-" is stdout
//   if (auto* e = std::get_if<std::string>(&target)) return usage_error(*e);
//   ... simulate, render ...
//   if (auto e = std::get<tools::OutputTarget>(target).write(text)) return usage_error(*e);
//
// Contract (issue 7, item 1):
// - "-" (or an empty path) is standard output.
// - A symbolic link is followed: what is written or replaced is the file it names (a chain of
//   links is followed to its end; a dangling link creates the file it names).
// - A regular file (or a path that does not exist yet) is replaced atomically: the text goes to
//   a temporary file of a unique name (mkstemp) in the target's own directory, is fsync'ed,
//   takes the mode of the file it replaces (a new file: 0666 less the umask), and is renamed
//   over the target. A reader sees the old file or the new one, never a part; runs writing the
//   same path at once each leave a complete file, and the last rename wins. On an error the
//   temporary file is removed and the target is untouched.
// - /dev/stdout, /dev/stderr and /dev/fd/N (links to /proc/self/fd/N) are written to that
//   descriptor as it is, whatever it is open on (a file opened for appending is appended to).
// - Anything else that exists (a FIFO, a terminal or another device) is opened and written
//   directly, never replaced or truncated by a rename.
// - prepare() checks, without creating anything, that the target can be written: its
//   directory exists and is writable for a file to replace, the node is writable otherwise, and
//   the path is not a directory; so a run is refused before it simulates.
// Messages name the path as given, e.g. "--out 'x/r.json': no such directory 'x'".
// Not thread-safe per target (one owner); separate processes may share a path.
#pragma once

#include <optional>
#include <string>
#include <variant>

namespace bootsim::tools {

class OutputTarget {
 public:
  enum class Kind {
    kStdout,      // "-": standard output
    kReplace,     // a regular file (or none yet) replaced by rename
    kDirect,      // an existing non-regular file: FIFO, device, terminal
    kDescriptor,  // /dev/stdout, /dev/stderr, /dev/fd/N: the descriptor already open
  };

  // Resolves and checks `path`; the error (without "bootsim: error: ") when it cannot be
  // written.
  static std::variant<OutputTarget, std::string> prepare(const std::string& path);

  // Writes the whole `text`; nullopt on success, else the error.
  std::optional<std::string> write(const std::string& text) const;

  Kind kind() const { return kind_; }
  // The file that is written or replaced (symbolic links resolved); empty for stdout.
  const std::string& resolved() const { return resolved_; }

 private:
  OutputTarget(Kind kind, std::string given, std::string resolved)
      : kind_(kind), given_(std::move(given)), resolved_(std::move(resolved)) {}
  std::optional<std::string> write_stdout(const std::string& text) const;
  std::optional<std::string> write_direct(const std::string& text) const;
  std::optional<std::string> write_descriptor(const std::string& text) const;
  std::optional<std::string> write_replace(const std::string& text) const;

  Kind kind_;
  std::string given_;     // as on the command line, for messages
  std::string resolved_;  // symbolic links followed
  int fd_ = -1;           // kDescriptor
};

}  // namespace bootsim::tools
