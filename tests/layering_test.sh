#!/usr/bin/env bash
# The layering, checked from the sources (ctest: layering). Each library folder's CMakeLists.txt
# names what it links; every `#include "models/X/…"` or `"tools/…"` in a folder must be its own
# folder or one it names. sim/ names none of models/ or tools/, and only tools/ has a main().
set -euo pipefail
root="${1:-$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)}"
cd "$root"

# CMake target → source folder.
declare -A folder_of=([sim]=sim [report]=tools/report [bench]=tools [output]=tools [sweep]=tools/sweep)
for d in models/*/; do
  d="${d%/}"
  folder_of["models_${d#models/}"]="$d"
done

status=0
check_folder() {  # folder, allowed folders...
  local folder="$1"
  shift
  local allowed=" $folder $* "
  while IFS= read -r hit; do
    local file="${hit%%:*}" inc
    inc="$(sed -E 's/.*#include "([^"]+)".*/\1/' <<<"$hit")"
    local target_folder
    case "$inc" in
      sim/*) target_folder=sim ;;
      tools/report/*) target_folder=tools/report ;;
      tools/sweep/*) target_folder=tools/sweep ;;
      tools/*) target_folder=tools ;;
      models/*) target_folder="$(cut -d/ -f1-2 <<<"$inc")" ;;
      *) continue ;;
    esac
    if [[ "$allowed" != *" $target_folder "* ]]; then
      echo "layering: $file includes $inc, but $folder/CMakeLists.txt does not link $target_folder"
      status=1
    fi
  done < <(grep -HE '^#include "(sim|models|tools)/' "$folder"/*.hpp "$folder"/*.cpp 2>/dev/null || true)
}

for cmake in sim/CMakeLists.txt models/*/CMakeLists.txt tools/report/CMakeLists.txt tools/sweep/CMakeLists.txt; do
  folder="$(dirname "$cmake")"
  # The targets named in target_link_libraries, mapped to folders (external packages drop out).
  deps=()
  for word in $(tr '\n' ' ' <"$cmake" | sed -E 's/.*target_link_libraries\(([^)]*)\).*/\1/'); do
    [[ -n "${folder_of[$word]:-}" && "${folder_of[$word]}" != "$folder" ]] && deps+=("${folder_of[$word]}")
  done
  check_folder "$folder" "${deps[@]}"
done

if grep -lE '^#include "(models|tools)/' sim/*.hpp sim/*.cpp sim/detail/* 2>/dev/null; then
  echo "layering: the files above in sim/ include models/ or tools/ (the kernel knows nothing of DC/OS)"
  status=1
fi
if grep -lE '^\s*int main\(' sim/*.cpp models/*/*.cpp 2>/dev/null; then
  echo "layering: only tools/ holds front ends (a main() above)"
  status=1
fi
[[ $status -eq 0 ]] && echo "layering: ok ($(ls -d models/*/ | wc -l) model folders, sim, tools)"
exit $status
