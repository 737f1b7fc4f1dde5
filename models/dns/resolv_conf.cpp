#include "models/dns/resolv_conf.hpp"

#include <algorithm>
#include <charconv>

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

// The blank-separated words of one line, as `istream >> std::string` splits them. By hand, not
// with streams: every lookup reads the file, and streams made that a fifth of the instructions
// of a 1,000-agent boot.
class Words {
 public:
  explicit Words(std::string_view line) : rest_(line) {}
  // The next word, or "" at the end of the line.
  std::string_view next() {
    constexpr std::string_view kBlanks = " \t\r\v\f";
    const std::size_t begin = std::min(rest_.find_first_not_of(kBlanks), rest_.size());
    rest_.remove_prefix(begin);
    const std::size_t end = std::min(rest_.find_first_of(kBlanks), rest_.size());
    const std::string_view word = rest_.substr(0, end);
    rest_.remove_prefix(end);
    return word;
  }

 private:
  std::string_view rest_;
};

}  // namespace

ResolvConf ResolvConf::parse(std::string_view text) {
  ResolvConf conf;
  while (!text.empty()) {
    const std::size_t eol = std::min(text.find('\n'), text.size());
    Words words{text.substr(0, eol)};
    text.remove_prefix(std::min(eol + 1, text.size()));
    const std::string_view key = words.next();
    if (key == "nameserver") {
      const std::string_view address = words.next();
      if (!address.empty() && conf.nameservers.size() < kMaxNameservers) {
        conf.nameservers.emplace_back(address);
      }
    } else if (key == "options") {
      for (std::string_view w = words.next(); !w.empty(); w = words.next()) {
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

std::shared_ptr<const ResolvConf> read_resolv_conf(const HostStore& host) {
  if (auto written = host.parsed<ResolvConf>(host_path::kResolvConf, ResolvConf::parse)) {
    return written;
  }
  ResolvConf image;  // glibc defaults: timeout 5 s, 2 attempts
  image.nameservers = {std::string(kUpstreamResolver)};
  return std::make_shared<const ResolvConf>(std::move(image));
}

bool is_spartan_address(std::string_view address) {
  return std::ranges::find(dns::kSpartanAddresses, address) != std::end(dns::kSpartanAddresses);
}

}  // namespace bootsim::models
