#!/usr/bin/env bash
# The HTML report as a browser shows it (issue: reports people would rather look at): the
# default boot's page rendered by headless Chromium (Debian package chromium) must lay out its
# timeline (the page's own script sets data-timeline="visible" once the SVG has a size) and
# log nothing to the console (no error, no exception). So must a sweep's page (two grid points,
# a histogram and a CDF per milestone per point: its script sets data-charts="visible" once
# every chart has a size) and a sensitivity study's (the tornado chart). The screenshots stay in
# the build tree as artifacts: OUTDIR/html-report.png, html-sweep.png, html-sensitivity.png.
#
# usage: html_report_test.sh BOOTSIM OUTDIR
# Without chromium the test is skipped (exit 77) with a message, unless BOOTSIM_REQUIRE_BROWSER
# is set (tools/setup.sh test, what CI runs, sets it and installs chromium): then it fails.
set -euo pipefail
bootsim="$1"
outdir="$2"
mkdir -p "$outdir"
browser="$(command -v chromium || command -v chromium-browser || true)"
if [[ -z "$browser" ]]; then
  if [[ -n "${BOOTSIM_REQUIRE_BROWSER:-}" ]]; then
    echo "html_report_test: chromium not found, and BOOTSIM_REQUIRE_BROWSER is set" >&2
    exit 1
  fi
  echo "html_report_test: SKIPPED: chromium not installed (apt-get install chromium)" >&2
  exit 77
fi
flags=(--headless --no-sandbox --disable-gpu --no-first-run --hide-scrollbars
       --virtual-time-budget=3000 --enable-logging=stderr --v=0)

# check_page PAGE MARKER: the page, once loaded, has <body MARKER> and logged nothing; its
# screenshot (PAGE with .png) is well over a blank one.
check_page() {
  local page="$1" marker="$2" shot="${1%.html}.png" log="${1%.html}.console.log" dom size
  dom="$("$browser" "${flags[@]}" --dump-dom "file://$(realpath "$page")" 2>"$log")"
  if ! grep -q "<body $marker" <<<"$dom"; then
    echo "html_report_test: $page was not laid out (no $marker)" >&2
    exit 1
  fi
  # Every console message of the page (Chromium logs them as CONSOLE lines, errors and
  # uncaught exceptions included); the page itself logs nothing when all is well.
  if grep -E ':CONSOLE[:(]' "$log" | grep -F "$(basename "$page")"; then
    echo "html_report_test: $page wrote to the console (above)" >&2
    exit 1
  fi
  rm -f "$shot"
  "$browser" "${flags[@]}" --window-size=1400,1000 --screenshot="$shot" \
    "file://$(realpath "$page")" >/dev/null 2>&1
  size="$(stat -c %s "$shot" 2>/dev/null || echo 0)"
  # A blank 1400x1000 PNG is a few KB; a rendered report is well over 50 KB.
  if [[ "$size" -lt 50000 ]]; then
    echo "html_report_test: screenshot $shot is $size bytes: nothing rendered?" >&2
    exit 1
  fi
  echo "html_report_test: $(basename "$page"): laid out, console clean, screenshot $shot ($size bytes)"
}

# run PAGE ARGS...: bootsim ARGS must exit 0 and write PAGE.
run() {
  local page="$1" status=0
  shift
  rm -f "$page"
  "$bootsim" "$@" || status=$?
  [[ $status -eq 0 ]] || { echo "bootsim $* exited $status" >&2; exit 1; }
}

page="$outdir/html-report.html"
run "$page" run scenarios/default.yaml --format html --out "$page"
check_page "$page" 'data-timeline="visible"'

page="$outdir/html-sweep.html"
run "$page" sweep scenarios/default.yaml --runs 20 --jobs 2 --vary cluster.agents.private=3,10 \
  --format html --out "$page"
# Per point, a histogram and a CDF for each milestone of its table (34 milestones, some never
# reached by a run: at least 25 of each per point).
histograms="$(grep -c 'aria-label="histogram"' "$page")"
cdfs="$(grep -c 'aria-label="CDF"' "$page")"
if [[ "$histograms" -lt 50 || "$histograms" -ne "$cdfs" ]]; then
  echo "html_report_test: the sweep page has $histograms histograms and $cdfs CDFs" >&2
  exit 1
fi
grep -q '<h2>Point 2 of 2: cluster.agents.private=10</h2>' "$page" ||
  { echo "html_report_test: the sweep page has no second point" >&2; exit 1; }
# The page is a function of the runs, not of how they were done: --jobs 1 gives the same bytes.
run "$outdir/html-sweep-j1.html" sweep scenarios/default.yaml --runs 20 --jobs 1 \
  --vary cluster.agents.private=3,10 --format html --out "$outdir/html-sweep-j1.html"
cmp "$page" "$outdir/html-sweep-j1.html" ||
  { echo "html_report_test: the sweep page differs between --jobs 2 and --jobs 1" >&2; exit 1; }
check_page "$page" 'data-charts="visible"'

page="$outdir/html-sensitivity.html"
run "$page" sensitivity scenarios/default.yaml --runs 1 --jobs 2 --top 8 \
  --set cluster.agents.private=1 --format html --out "$page" >/dev/null
check_page "$page" 'data-charts="visible"'
