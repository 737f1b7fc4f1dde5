// The bootsim binary run as a user runs it, for the tests of its command line: from the source
// directory, both streams captured through files in the temporary directory.
//
//   const bootsim::test_support::Outcome o = bootsim::test_support::run_bootsim("run x.yaml");
//   CHECK(o.status == 2);
#pragma once

#include <sys/wait.h>
#include <unistd.h>

#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <string>

namespace bootsim::test_support {

struct Outcome {
  int status = -1;  // the exit status; -1 if killed by a signal
  std::string out;
  std::string err;
};

inline std::string slurp(const std::filesystem::path& p) {
  std::ifstream f(p, std::ios::binary);
  std::stringstream s;
  s << f.rdbuf();
  return s.str();
}

// `bootsim ARGS` (a shell word list) from BOOTSIM_SOURCE_DIR with the binary BOOTSIM_BINARY.
inline Outcome run_bootsim(const std::string& args) {
  static int counter = 0;
  const auto dir = std::filesystem::temp_directory_path() /
                   ("bootsim-test-" + std::to_string(::getpid()) + "-" + std::to_string(counter++));
  std::filesystem::create_directories(dir);
  const std::string cmd = std::string("cd '") + BOOTSIM_SOURCE_DIR + "' && '" + BOOTSIM_BINARY +
                          "' " + args + " >'" + (dir / "out").string() + "' 2>'" +
                          (dir / "err").string() + "'";
  const int raw = std::system(cmd.c_str());
  Outcome o;
  o.status = WIFEXITED(raw) ? WEXITSTATUS(raw) : -1;
  o.out = slurp(dir / "out");
  o.err = slurp(dir / "err");
  std::filesystem::remove_all(dir);
  return o;
}

}  // namespace bootsim::test_support
