#!/bin/sh
# The sources follow .clang-format (ctest label: format). Checks every *.cpp and *.hpp that git
# tracks in sim/ models/ tools/ tests/ (every one found there when the tree is not a git
# checkout) with `clang-format --dry-run --Werror`, and lists the files to reformat.
#
#   tests/format_test.sh CLANG_FORMAT [ROOT]
#
# CLANG_FORMAT is the program CMake found (clang-format-14 or clang-format); an empty or
# *-NOTFOUND value fails with what to install, since tools/setup.sh installs it.
set -eu

clang_format="${1:-}"
root="${2:-$(cd "$(dirname "$0")/.." && pwd)}"
case "$clang_format" in
  "" | *-NOTFOUND)
    echo "format: clang-format not found: install the Debian package clang-format" >&2
    echo "format: (tools/setup.sh does), then configure again: cmake -S . -B build" >&2
    exit 1
    ;;
esac
cd "$root"

list="$(mktemp "${TMPDIR:-/tmp}/bootsim-format.XXXXXX")"
trap 'rm -f "$list"' EXIT HUP INT TERM
if command -v git >/dev/null 2>&1 && git rev-parse --is-inside-work-tree >/dev/null 2>&1; then
  git ls-files -- 'sim/*.cpp' 'sim/*.hpp' 'models/*.cpp' 'models/*.hpp' 'tools/*.cpp' \
    'tools/*.hpp' 'tests/*.cpp' 'tests/*.hpp' >"$list"
else
  find sim models tools tests -type f \( -name '*.cpp' -o -name '*.hpp' \) | sort >"$list"
fi
if [ ! -s "$list" ]; then
  echo "format: no *.cpp or *.hpp found under sim/ models/ tools/ tests/ in $root" >&2
  exit 1
fi

bad=""
first=""
count=0
while IFS= read -r file; do
  [ -f "$file" ] || continue  # tracked but deleted in the work tree
  count=$((count + 1))
  if ! "$clang_format" --dry-run --Werror "$file" >/dev/null 2>&1; then
    bad="$bad $file"
    [ -n "$first" ] || first="$file"
  fi
done <"$list"

version="$("$clang_format" --version)"
if [ -n "$bad" ]; then
  echo "format: these files differ from .clang-format ($version):"
  for file in $bad; do echo "  $file"; done
  echo "format: the first of them, as clang-format reports it:"
  "$clang_format" --dry-run --Werror "$first" 2>&1 | head -n 20 || true
  echo "format: to fix them, from the repository root:"
  echo "  $clang_format -i$bad"
  exit 1
fi
echo "format: ok ($count files, $version)"
