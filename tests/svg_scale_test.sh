#!/usr/bin/env bash
# --format svg at scale: with 1,000 private agents the timeline summarises the agents (first,
# median and last agent in full, a band per unit for the rest), so the file stays under 2 MB.
# usage: svg_scale_test.sh BOOTSIM OUTDIR
set -euo pipefail
bootsim="$1"
out="$2/svg-1000-agents.svg"
mkdir -p "$2"
"$bootsim" run scenarios/default.yaml --set cluster.agents.private=1000 --format svg --out "$out"
size="$(stat -c %s "$out")"
echo "svg_scale_test: $out is $size bytes"
[[ "$size" -lt 2000000 ]] || { echo "svg_scale_test: not under 2 MB" >&2; exit 1; }
grep -q '(first agent ready)' "$out" || { echo "no first agent row" >&2; exit 1; }
grep -q '(median agent)' "$out" || { echo "no median agent row" >&2; exit 1; }
grep -q '(last agent ready)' "$out" || { echo "no last agent row" >&2; exit 1; }
grep -q '998 other agents' "$out" || { echo "no band for the 998 other agents" >&2; exit 1; }
# 1,001 agents (1,000 private, 1 public): three in full, 998 in the band; few node rows.
rows="$(grep -c 'class="head"' "$out")"
[[ "$rows" -lt 20 ]] || { echo "svg_scale_test: $rows node rows: agents not summarised" >&2; exit 1; }

# The shipped 1,000-agent scenario (scenarios/large.yaml: 5 masters, 1,000 private and 20 public
# agents, 20 services): under 2 MB too, with its 1,017 other agents in the band.
large="$2/svg-large.svg"
"$bootsim" run scenarios/large.yaml --format svg --out "$large"
size="$(stat -c %s "$large")"
echo "svg_scale_test: $large is $size bytes"
[[ "$size" -lt 2000000 ]] || { echo "svg_scale_test: large.yaml not under 2 MB" >&2; exit 1; }
grep -q '1017 other agents' "$large" || { echo "no band for large.yaml's 1017 other agents" >&2; exit 1; }
