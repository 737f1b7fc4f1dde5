// Charts: small inline-SVG pictures of a milestone's times over many runs (a histogram and a
// CDF), and the page that holds them, for the HTML reports of sweeps and sensitivity studies.
//
//   const TimeAxis axis = time_axis(lo_ns, hi_ns);     // shared by every chart of a milestone
//   page += histogram_svg(sorted_ns, never, axis) + cdf_svg(sorted_ns, never, axis);
//
// Contract: pure functions; the bins are integer nanoseconds (so a run falls in the same bin on
// every platform) and the pixel coordinates are printed with one decimal, so equal inputs give
// byte-identical SVG. No script, font or style from elsewhere: the page opens offline.
#pragma once

#include <cstddef>
#include <cstdint>
#include <span>
#include <string>
#include <string_view>
#include <vector>

namespace bootsim::report {

// The x axis of a milestone's charts: `bins` bins of `width_ns` from `start_ns`. The width is
// 1, 2 or 5 x 10^k ns (at least 1 ms) and the start a multiple of it, so the edges read well.
struct TimeAxis {
  std::int64_t start_ns = 0;
  std::int64_t width_ns = 1'000'000;
  std::size_t bins = 1;
  std::int64_t end_ns() const { return start_ns + width_ns * static_cast<std::int64_t>(bins); }
};
// The axis covering [lo_ns, hi_ns] in at most `max_bins` bins of the narrowest such width.
TimeAxis time_axis(std::int64_t lo_ns, std::int64_t hi_ns, std::size_t max_bins = 24);

// How many of `times_ns` fall in each bin of `axis` (a time outside the axis counts in the
// nearest end bin).
std::vector<std::size_t> bin_counts(std::span<const std::int64_t> times_ns, const TimeAxis& axis);

// The histogram of the runs that reached a milestone (`sorted_ns`, ascending), and a red bar
// "never" for the `never` runs that did not; each bar's tooltip says its range and count.
std::string histogram_svg(std::span<const std::int64_t> sorted_ns, std::size_t never,
                          const TimeAxis& axis);
// The empirical CDF: the share of all runs (never-reached included, so it stops below 100%
// when some never reached) that reached the milestone by each time, with 50% and 90% lines.
std::string cdf_svg(std::span<const std::int64_t> sorted_ns, std::size_t never,
                    const TimeAxis& axis);

// Several CDFs on one axis (a sweep's grid points), each in its own colour with a legend.
struct CdfSeries {
  std::string label;                        // e.g. "cluster.agents.private=10"
  std::span<const std::int64_t> sorted_ns;  // ascending; the caller keeps them alive
  std::size_t never = 0;
};
std::string cdf_overlay_svg(std::span<const CdfSeries> series, const TimeAxis& axis);

// A whole self-contained HTML page around `body` (already escaped HTML): the reports' style and
// a few lines of script that, once laid out, mark the page data-charts="visible" when every
// svg.chart has a size (and say so on the console otherwise), which the browser test reads.
std::string chart_page(std::string_view title, std::string_view body);

}  // namespace bootsim::report
