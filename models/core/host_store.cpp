#include "models/core/host_store.hpp"

namespace bootsim::models {

std::string_view to_string(Signal s) {
  switch (s) {
    case Signal::kKill:
      return "SIGKILL";
    case Signal::kHup:
      return "SIGHUP";
  }
  return "?";
}

bool HostStore::signal_unit(std::string_view unit, Signal s, std::string_view sender) const {
  const auto it = processes_.find(unit);
  if (it == processes_.end() || !network_.process_up(it->second.main)) return false;
  it->second.target->deliver(s, sender);
  return true;
}

int HostStore::signal_matching(std::string_view pattern, Signal s, std::string_view sender) const {
  int signalled = 0;
  for (const auto& [unit, process] : processes_) {
    if (unit == sender || unit.find(pattern) == std::string::npos) continue;
    if (!network_.process_up(process.main)) continue;
    process.target->deliver(s, sender);
    ++signalled;
  }
  return signalled;
}

}  // namespace bootsim::models
