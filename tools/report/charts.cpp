#include "tools/report/charts.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <limits>

#include "tools/report/report.hpp"

namespace bootsim::report {

namespace {

// A chart's size and the margins around its plot (room for the axis labels and a legend).
struct Frame {
  double width, height, left, right, top, bottom;
  double plot_w() const { return width - left - right; }
  double plot_h() const { return height - top - bottom; }
  double base() const { return height - bottom; }  // the y of the x axis
};
// The small charts of a table row, and the wide one that overlays every grid point.
constexpr Frame kSmall{300, 112, 34, 8, 8, 22};
constexpr Frame kWide{700, 220, 34, 90, 8, 22};
constexpr double kNeverGap = 6, kNeverWidth = 16;  // the histogram's "never" bar, at the right
// Tableau's ten colours, the overlay's series in turn.
constexpr const char* kPalette[] = {"#4e79a7", "#f28e2b", "#e15759", "#76b7b2", "#59a14f",
                                    "#edc948", "#b07aa1", "#ff9da7", "#9c755f", "#bab0ac"};

std::string seconds_label(std::int64_t ns) {
  return exact_seconds(sim::SimTime::from_ns(ns)) + "s";
}

// The x pixel of a time on the axis, the plot being `plot_width` wide.
double x_of(std::int64_t ns, const TimeAxis& axis, const Frame& f, double plot_width) {
  const double span = static_cast<double>(axis.end_ns() - axis.start_ns);
  return f.left + static_cast<double>(ns - axis.start_ns) / span * plot_width;
}

std::string svg_open(std::string_view what, const Frame& f) {
  return fmt::format(
      "<svg class=chart xmlns=\"http://www.w3.org/2000/svg\" width=\"{0:.0f}\" "
      "height=\"{1:.0f}\" viewBox=\"0 0 {0:.0f} {1:.0f}\" font-family=\"sans-serif\" "
      "font-size=\"10\" role=img aria-label=\"{2}\">\n",
      f.width, f.height, what);
}

// The x axis: a line under the plot and the start, middle and end edges labelled.
std::string x_axis(const TimeAxis& axis, const Frame& f, double plot_width) {
  const double y = f.base();
  std::string s = fmt::format(
      "<line x1=\"{:.1f}\" y1=\"{:.1f}\" x2=\"{:.1f}\" y2=\"{:.1f}\" stroke=\"#888\"/>\n", f.left,
      y, f.left + plot_width, y);
  // The start, the middle edge (when there is one between) and the end.
  std::vector<std::size_t> edges{0, axis.bins};
  if (axis.bins >= 2) edges.insert(edges.begin() + 1, axis.bins / 2);
  for (const std::size_t k : edges) {
    const std::int64_t ns = axis.start_ns + axis.width_ns * static_cast<std::int64_t>(k);
    // The ends are anchored inwards so that their labels stay inside the chart.
    const char* anchor = k == 0 ? "start" : k == axis.bins ? "end" : "middle";
    s += fmt::format("<text x=\"{:.1f}\" y=\"{:.1f}\" text-anchor=\"{}\">{}</text>\n",
                     x_of(ns, axis, f, plot_width), y + 13, anchor, seconds_label(ns));
  }
  return s;
}

// The width to draw `n` as a share of `total` at full height `h`.
double share(std::size_t n, std::size_t total, double h) {
  return total == 0 ? 0 : static_cast<double>(n) / static_cast<double>(total) * h;
}

// The CDF's frame: the x axis and dashed lines at 50%, 90% and 100% of the runs.
std::string cdf_grid(const TimeAxis& axis, const Frame& f) {
  std::string s = x_axis(axis, f, f.plot_w());
  for (const int pct : {50, 90, 100}) {
    const double y = f.base() - f.plot_h() * pct / 100.0;
    s += fmt::format(
        "<line x1=\"{:.1f}\" y1=\"{:.1f}\" x2=\"{:.1f}\" y2=\"{:.1f}\" stroke=\"#ccc\" "
        "stroke-dasharray=\"3,3\"/>\n",
        f.left, y, f.left + f.plot_w(), y);
    // 90% sits too close to 100% for both on the left: it is labelled inside, at the right.
    s += pct == 90 ? fmt::format(
                         "<text x=\"{:.1f}\" y=\"{:.1f}\" text-anchor=\"end\" "
                         "fill=\"#888\">90%</text>\n",
                         f.left + f.plot_w() - 2, y + 10)
                   : fmt::format("<text x=\"{:.1f}\" y=\"{:.1f}\" text-anchor=\"end\">{}%</text>\n",
                                 f.left - 3, y + 3, pct);
  }
  return s;
}

// The CDF's step path: one step up per run; runs at the same tenth of a pixel share a vertex.
std::string cdf_path(std::span<const std::int64_t> sorted_ns, std::size_t never,
                     const TimeAxis& axis, const Frame& f) {
  const std::size_t total = sorted_ns.size() + never;
  std::string path = fmt::format("M{:.1f},{:.1f}", f.left, f.base());
  for (std::size_t i = 0; i < sorted_ns.size(); ++i) {
    const std::string x = fmt::format("{:.1f}", x_of(sorted_ns[i], axis, f, f.plot_w()));
    if (i + 1 < sorted_ns.size() &&
        fmt::format("{:.1f}", x_of(sorted_ns[i + 1], axis, f, f.plot_w())) == x) {
      continue;
    }
    path += fmt::format("H{}V{:.1f}", x, f.base() - share(i + 1, total, f.plot_h()));
  }
  return path + fmt::format("H{:.1f}", f.left + f.plot_w());
}

}  // namespace

TimeAxis time_axis(std::int64_t lo_ns, std::int64_t hi_ns, std::size_t max_bins) {
  if (hi_ns < lo_ns) std::swap(lo_ns, hi_ns);
  max_bins = std::max<std::size_t>(1, max_bins);
  TimeAxis axis;
  for (std::int64_t decade = 1'000'000;; decade *= 10) {
    for (const std::int64_t m : {1, 2, 5}) {
      axis.width_ns = decade * m;
      // floor(lo / width), for negative times too (a chart never sees them, but be exact)
      axis.start_ns = lo_ns / axis.width_ns * axis.width_ns;
      if (axis.start_ns > lo_ns) axis.start_ns -= axis.width_ns;
      axis.bins = static_cast<std::size_t>((hi_ns - axis.start_ns) / axis.width_ns + 1);
      if (axis.bins <= max_bins) return axis;
    }
    // 5e17 ns (16 years) wide bins fit any run (at most 10000 h): stop before overflowing.
    if (decade > std::numeric_limits<std::int64_t>::max() / 100) return axis;
  }
}

std::vector<std::size_t> bin_counts(std::span<const std::int64_t> times_ns, const TimeAxis& axis) {
  std::vector<std::size_t> counts(axis.bins, 0);
  for (const std::int64_t t : times_ns) {
    const std::int64_t k = t < axis.start_ns ? 0 : (t - axis.start_ns) / axis.width_ns;
    ++counts[std::min(static_cast<std::size_t>(k), axis.bins - 1)];
  }
  return counts;
}

std::string histogram_svg(std::span<const std::int64_t> sorted_ns, std::size_t never,
                          const TimeAxis& axis) {
  const Frame& f = kSmall;
  const double plot_w = f.plot_w() - kNeverGap - kNeverWidth;
  const double plot_h = f.plot_h(), base = f.base();
  const std::vector<std::size_t> counts = bin_counts(sorted_ns, axis);
  const std::size_t top = std::max(never, *std::max_element(counts.begin(), counts.end()));
  std::string s = svg_open("histogram", f) + x_axis(axis, f, plot_w);
  s += fmt::format("<text x=\"{:.1f}\" y=\"{:.1f}\" text-anchor=\"end\">{}</text>\n", f.left - 3,
                   f.top + 8, top);
  s += fmt::format("<text x=\"{:.1f}\" y=\"{:.1f}\" text-anchor=\"end\">0</text>\n", f.left - 3,
                   base);
  const double bar_w = plot_w / static_cast<double>(axis.bins);
  for (std::size_t k = 0; k < counts.size(); ++k) {
    if (counts[k] == 0) continue;
    const std::int64_t from = axis.start_ns + axis.width_ns * static_cast<std::int64_t>(k);
    const double h = std::max(1.0, share(counts[k], top, plot_h));
    s += fmt::format(
        "<rect x=\"{:.1f}\" y=\"{:.1f}\" width=\"{:.1f}\" height=\"{:.1f}\" fill=\"#4878d0\">"
        "<title>{} to {}: {} run{}</title></rect>\n",
        f.left + bar_w * static_cast<double>(k), base - h, std::max(0.5, bar_w - 1), h,
        seconds_label(from), seconds_label(from + axis.width_ns), counts[k],
        counts[k] == 1 ? "" : "s");
  }
  const double nx = f.left + plot_w + kNeverGap;
  if (never > 0) {
    const double h = std::max(1.0, share(never, top, plot_h));
    s += fmt::format(
        "<rect x=\"{:.1f}\" y=\"{:.1f}\" width=\"{:.1f}\" height=\"{:.1f}\" fill=\"#d62728\">"
        "<title>never reached: {} run{}</title></rect>\n",
        nx, base - h, kNeverWidth, h, never, never == 1 ? "" : "s");
  }
  s += fmt::format(
      "<text x=\"{:.1f}\" y=\"{:.1f}\" text-anchor=\"middle\" fill=\"#d62728\">never</text>\n",
      nx + kNeverWidth / 2, base + 13);
  return s + "</svg>\n";
}

std::string cdf_svg(std::span<const std::int64_t> sorted_ns, std::size_t never,
                    const TimeAxis& axis) {
  return svg_open("CDF", kSmall) + cdf_grid(axis, kSmall) +
         fmt::format(
             "<path d=\"{}\" fill=\"none\" stroke=\"#ee854a\" stroke-width=\"1.5\"><title>{} of {} "
             "runs reached it</title></path>\n</svg>\n",
             cdf_path(sorted_ns, never, axis, kSmall), sorted_ns.size(), sorted_ns.size() + never);
}

std::string cdf_overlay_svg(std::span<const CdfSeries> series, const TimeAxis& axis) {
  const Frame& f = kWide;
  std::string s = svg_open("CDF of every point", f) + cdf_grid(axis, f);
  for (std::size_t i = 0; i < series.size(); ++i) {
    const CdfSeries& c = series[i];
    const char* colour = kPalette[i % std::size(kPalette)];
    const std::string title = fmt::format("{}: {} of {} runs reached it", xml_escape(c.label),
                                          c.sorted_ns.size(), c.sorted_ns.size() + c.never);
    s += fmt::format(
        "<path d=\"{}\" fill=\"none\" stroke=\"{}\" "
        "stroke-width=\"1.5\"><title>{}</title></path>\n",
        cdf_path(c.sorted_ns, c.never, axis, f), colour, title);
    const double y = f.top + 6 + 14 * static_cast<double>(i);
    s += fmt::format(
        "<line x1=\"{0:.1f}\" y1=\"{1:.1f}\" x2=\"{2:.1f}\" y2=\"{1:.1f}\" stroke=\"{3}\" "
        "stroke-width=\"3\"/><text x=\"{4:.1f}\" y=\"{5:.1f}\">{6}</text>\n",
        f.width - f.right + 12, y, f.width - f.right + 28, colour, f.width - f.right + 32, y + 3.5,
        xml_escape(c.label));
  }
  return s + "</svg>\n";
}

namespace {

constexpr const char* kPageStyle =
    "body{font-family:sans-serif;margin:1em 2em;color:#222}table{border-collapse:collapse;"
    "font-size:13px}td,th{border:1px solid #ddd;padding:2px 6px;text-align:left;"
    "vertical-align:middle}td.n{text-align:right;font-variant-numeric:tabular-nums}"
    ".bad{color:#b00}.ok{color:#070}svg.chart{display:block}pre{font-size:12px}"
    ".rate{display:inline-block;height:9px;background:#2ca02c;margin-right:4px}"
    ".miss{display:inline-block;height:9px;background:#d62728}";

// Marks the page once every chart (if any) has a laid-out size; says so on the console
// otherwise.
constexpr const char* kPageScript =
    "window.addEventListener('load',function(){var c=document.querySelectorAll('svg.chart');"
    "var ok=true;for(var i=0;i<c.length;i++){var b=c[i].getBoundingClientRect();"
    "if(!(b.width>0&&b.height>0))ok=false;}if(ok){document.body.dataset.charts='visible';}"
    "else{console.error('bootsim: a chart has no size');}});";

}  // namespace

std::string chart_page(std::string_view title, std::string_view body) {
  return fmt::format(
      "<!DOCTYPE html>\n<html lang=en><head><meta charset=utf-8>\n<title>{}</title>\n"
      "<style>{}</style>\n<script>{}</script>\n</head><body>\n{}</body></html>\n",
      xml_escape(title), kPageStyle, kPageScript, body);
}

}  // namespace bootsim::report
