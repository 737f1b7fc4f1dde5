#!/usr/bin/env bash
# The HTML report as a browser shows it (issue: reports people would rather look at): the
# default boot's page rendered by headless Chromium (Debian package chromium) must lay out its
# timeline (the page's own script sets data-timeline="visible" once the SVG has a size) and
# log nothing to the console (no error, no exception). The screenshot stays in the build tree
# as an artifact: OUTDIR/html-report.png.
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
page="$outdir/html-report.html"
shot="$outdir/html-report.png"
rm -f "$page" "$shot"
status=0
"$bootsim" run scenarios/default.yaml --format html --out "$page" || status=$?
[[ $status -eq 0 ]] || { echo "bootsim exited $status" >&2; exit 1; }
flags=(--headless --no-sandbox --disable-gpu --no-first-run --hide-scrollbars
       --virtual-time-budget=3000 --enable-logging=stderr --v=0)
log="$outdir/html-report.console.log"
dom="$("$browser" "${flags[@]}" --dump-dom "file://$(realpath "$page")" 2>"$log")"
if ! grep -q '<body data-timeline="visible"' <<<"$dom"; then
  echo "html_report_test: the timeline was not laid out (no data-timeline=\"visible\")" >&2
  exit 1
fi
# Every console message of the page (Chromium logs them as CONSOLE lines, errors and uncaught
# exceptions included); the page itself logs nothing when all is well.
if grep -E ':CONSOLE[:(]' "$log" | grep -F "$(basename "$page")"; then
  echo "html_report_test: the page wrote to the console (above)" >&2
  exit 1
fi
"$browser" "${flags[@]}" --window-size=1400,1000 --screenshot="$shot" \
  "file://$(realpath "$page")" >/dev/null 2>&1
size="$(stat -c %s "$shot" 2>/dev/null || echo 0)"
# A blank 1400x1000 PNG is a few KB; the rendered report is well over 50 KB.
if [[ "$size" -lt 50000 ]]; then
  echo "html_report_test: screenshot $shot is $size bytes: nothing rendered?" >&2
  exit 1
fi
echo "html_report_test: timeline visible, console clean, screenshot $shot ($size bytes)"
