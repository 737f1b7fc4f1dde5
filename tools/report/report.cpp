#include "tools/report/report.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <array>
#include <cstdlib>

namespace bootsim::report {

namespace {
constexpr std::array kFormats{
    ReportFormat{"text", "the timeline, critical chain, violations and budgets", format_text},
    ReportFormat{"json", "the machine-readable result", format_json},
    ReportFormat{"trace", "every trace record as JSON Lines", format_trace, true},
    ReportFormat{"csv", "one row per milestone occurrence: run, seed, node, milestone, time_s",
                 format_csv},
    ReportFormat{"svg", "a Gantt chart of the boot, like systemd-analyze plot", format_svg, true},
    ReportFormat{"html", "one self-contained page: timeline, critical chain, milestones, checks",
                 format_html, true},
    ReportFormat{"chrome", "Trace Event Format JSON for ui.perfetto.dev and chrome://tracing",
                 format_chrome, true},
};
}  // namespace

std::span<const ReportFormat> report_formats() {
  return kFormats;
}

const ReportFormat* find_report_format(std::string_view name) {
  const auto it = std::find_if(kFormats.begin(), kFormats.end(),
                               [&](const ReportFormat& f) { return f.name == name; });
  return it == kFormats.end() ? nullptr : &*it;
}

std::string report_format_names() {
  std::string out;
  for (std::size_t i = 0; i < kFormats.size(); ++i) {
    if (i > 0) out += i + 1 == kFormats.size() ? " or " : ", ";
    out += kFormats[i].name;
  }
  return out;
}

std::string printable(std::string_view s) {
  std::string out;
  out.reserve(s.size());
  for (const char c : s) {
    const auto u = static_cast<unsigned char>(c);
    if (c == '\\') {
      out += "\\\\";
    } else if (u < 0x20 || u == 0x7f) {
      out += fmt::format("\\x{:02x}", static_cast<unsigned>(u));
    } else {
      out += c;
    }
  }
  return out;
}

std::string xml_escape(std::string_view s) {
  std::string out;
  for (const char c : printable(s)) {
    switch (c) {
      case '&':
        out += "&amp;";
        break;
      case '<':
        out += "&lt;";
        break;
      case '>':
        out += "&gt;";
        break;
      case '"':
        out += "&quot;";
        break;
      default:
        out += c;
    }
  }
  return out;
}

std::string exact_seconds(sim::SimTime t) {
  if (t.is_infinite()) return "inf";
  const std::int64_t ns = t.ns();
  std::string s = fmt::format("{}{}.{:09d}", ns < 0 ? "-" : "", std::abs(ns / 1'000'000'000),
                              std::abs(ns % 1'000'000'000));
  while (s.back() == '0') s.pop_back();
  if (s.back() == '.') s.pop_back();
  return s;
}

std::string json_string(std::string_view s) {
  std::string out = "\"";
  for (const char c : s) {
    switch (c) {
      case '"':
        out += "\\\"";
        break;
      case '\\':
        out += "\\\\";
        break;
      case '\n':
        out += "\\n";
        break;
      case '\t':
        out += "\\t";
        break;
      default:
        if (static_cast<unsigned char>(c) < 0x20) {
          out += fmt::format("\\u{:04x}", static_cast<int>(c));
        } else {
          out += c;
        }
    }
  }
  return out + "\"";
}

}  // namespace bootsim::report
