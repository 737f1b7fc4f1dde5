#include "models/dns/resolv_conf.hpp"

#include <algorithm>
#include <charconv>
#include <sstream>

#include <fmt/format.h>

#include "models/dns/dns_wire.hpp"

namespace bootsim::models {

namespace {

constexpr std::size_t kMaxNameservers = 3;  // glibc MAXNS
// glibc caps timeout at RES_MAXRETRANS (30) and attempts at RES_MAXRETRY (5).
constexpr int kMaxTimeout = 30;
constexpr int kMaxAttempts = 5;

int option_value(std::string_view word, std::string_view prefix, int fallback, int cap) {
  int v = 0;
  const std::string_view digits = word.substr(prefix.size());
  const auto [end, ec] = std::from_chars(digits.data(), digits.data() + digits.size(), v);
  if (ec != std::errc{} || end != digits.data() + digits.size()) return fallback;
  return std::clamp(v, 0, cap);
}

}  // namespace

ResolvConf ResolvConf::parse(std::string_view text) {
  ResolvConf conf;
  std::istringstream lines{std::string(text)};
  std::string line;
  while (std::getline(lines, line)) {
    std::istringstream words(line);
    std::string key;
    words >> key;
    if (key == "nameserver") {
      std::string address;
      if (words >> address && conf.nameservers.size() < kMaxNameservers) {
        conf.nameservers.push_back(address);
      }
    } else if (key == "options") {
      for (std::string w; words >> w;) {
        if (w.starts_with("timeout:")) {
          conf.timeout_s = std::max(1, option_value(w, "timeout:", conf.timeout_s, kMaxTimeout));
        } else if (w.starts_with("attempts:")) {
          conf.attempts = std::max(1, option_value(w, "attempts:", conf.attempts, kMaxAttempts));
        } else if (w == "rotate") {
          conf.rotate = true;
        }
      }
    }
  }
  return conf;
}

std::string ResolvConf::text() const {
  std::string t = fmt::format("options timeout:{}\noptions attempts:{}\n", timeout_s, attempts);
  if (rotate) t += "options rotate\n";
  for (const std::string& ns : nameservers) t += "nameserver " + ns + "\n";
  return t;
}

ResolvConf spartan_resolv_conf(const std::vector<std::string>& answered) {
  ResolvConf c;
  c.nameservers = answered;
  c.timeout_s = 1;  // gen_resolvconf.py: "options timeout:1", "options attempts:3"
  c.attempts = 3;
  return c;
}

ResolvConf upstream_resolv_conf() {
  return spartan_resolv_conf({std::string(kUpstreamResolver)});
}

ResolvConf read_resolv_conf(const HostStore& host) {
  const HostEntry* e = host.find(host_path::kResolvConf);
  if (e == nullptr) {
    ResolvConf image;  // glibc defaults: timeout 5 s, 2 attempts
    image.nameservers = {std::string(kUpstreamResolver)};
    return image;
  }
  return ResolvConf::parse(e->content);
}

bool is_spartan_address(std::string_view address) {
  return std::ranges::find(dns::kSpartanAddresses, address) != std::end(dns::kSpartanAddresses);
}

}  // namespace bootsim::models
