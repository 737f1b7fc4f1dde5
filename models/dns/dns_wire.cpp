#include "models/dns/dns_wire.hpp"

namespace bootsim::models::dns {

std::string_view to_string(Rcode r) {
  switch (r) {
    case Rcode::kNoError:
      return "NOERROR";
    case Rcode::kNxDomain:
      return "NXDOMAIN";
    case Rcode::kServFail:
      return "SERVFAIL";
  }
  return "?";
}

}  // namespace bootsim::models::dns
