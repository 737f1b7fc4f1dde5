// The `bootsim sweep` and `bootsim diff` commands (README.md, "Sweeps"), called by the
// front end with the arguments after the command's name.
//
//   return sweep::sweep_command({"scenarios/default.yaml", "--runs", "100"});
//
// Exit codes as every command's: 0 every budget met, no rule violated and cluster.ready in every
// run; 1 otherwise; 2 bad input or usage; a sweep interrupted by SIGINT or SIGTERM exits 130 or
// 143 after saying how to resume it.
#pragma once

#include <string>
#include <vector>

namespace bootsim::sweep {

int sweep_command(const std::vector<std::string>& args);
int diff_command(const std::vector<std::string>& args);
int params_command(const std::vector<std::string>& args);       // params.cpp
int sensitivity_command(const std::vector<std::string>& args);  // sensitivity.cpp

}  // namespace bootsim::sweep
