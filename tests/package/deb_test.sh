#!/usr/bin/env bash
# The Debian package as a user gets it: builds the .deb with CPack from BUILD_DIR (as
# `make package` does, but into a scratch directory), checks its control fields and contents,
# checks that its Depends name the Debian package of every shared library the binary links and
# nothing else the system lacks, then unpacks it into a scratch root (dpkg -x) and runs the
# unpacked binary: --version, the manual page, and a 5 s demo whose reports must hold requests.
# Usage: deb_test.sh BUILD_DIR SOURCE_DIR
set -euo pipefail
build=$(cd "${1:?usage: deb_test.sh BUILD_DIR SOURCE_DIR}" && pwd)
source_dir=$(cd "${2:?usage: deb_test.sh BUILD_DIR SOURCE_DIR}" && pwd)
scratch=$(mktemp -d "${TMPDIR:-/tmp}/arrload_deb_XXXXXX")
trap 'rm -rf "$scratch"' EXIT
fail() {
  echo "package test: FAIL: $*" >&2
  exit 1
}
step() { echo "package test: $*"; }

step "cpack -G DEB"
if ! cpack --config "$build/CPackConfig.cmake" -G DEB -B "$scratch/out" >"$scratch/cpack.log" 2>&1; then
  cat "$scratch/cpack.log" >&2
  fail "cpack failed"
fi
shopt -s nullglob
debs=("$scratch"/out/*.deb)
((${#debs[@]} == 1)) || fail "expected one .deb from cpack, found ${#debs[@]}"
deb=${debs[0]}
dpkg-deb --info "$deb"

step "control fields"
field() { dpkg-deb --field "$deb" "$1"; }
version=$(sed -n 's/^CMAKE_PROJECT_VERSION:[A-Z]*=//p' "$build/CMakeCache.txt")
[[ -n $version ]] || fail "no project version in $build/CMakeCache.txt"
[[ $(field Package) == arrload ]] || fail "Package is '$(field Package)', not arrload"
[[ $(field Version) == "$version" ]] || fail "Version is '$(field Version)', not $version"
[[ $(field Architecture) == "$(dpkg --print-architecture)" ]] ||
  fail "Architecture is '$(field Architecture)', not $(dpkg --print-architecture)"
depends=$(field Depends)
[[ -n $depends ]] || fail "no Depends field"
# Package names in Depends, one a line, alternatives included, versions dropped.
depends_names=$(tr ',|' '\n\n' <<<"$depends" | sed 's/(.*)//; s/^ *//; s/ *$//; s/:.*//' | sed '/^$/d')
if grep -E -- '-dev$|^libasan|^libubsan' <<<"$depends_names"; then
  fail "Depends names a development or sanitizer package: $depends"
fi

step "contents"
dpkg-deb --contents "$deb" >"$scratch/contents"
for f in usr/bin/arrload usr/share/man/man1/arrload.1.gz usr/share/doc/arrload/README.md \
  usr/share/doc/arrload/docs/scenario-format.md usr/share/doc/arrload/scenarios/autoarr/suite.yaml; do
  grep -q " \./$f\$" "$scratch/contents" || fail "the package lacks /$f"
done
if grep -E ' \./usr/(include|lib)/' "$scratch/contents"; then
  fail "the package ships headers or libraries"
fi

step "dpkg -x into a scratch root"
root=$scratch/root
dpkg -x "$deb" "$root"
bin=$root/usr/bin/arrload
[[ -x $bin ]] || fail "no executable usr/bin/arrload after dpkg -x"
if readelf --debug-dump=info "$bin" 2>/dev/null | grep -q DW_TAG_compile_unit; then
  fail "the packaged binary keeps its debug information (not stripped)"
fi
if readelf --dynamic "$bin" | grep -E 'RPATH|RUNPATH'; then
  fail "the packaged binary has a run path"
fi

step "every linked library's Debian package is in Depends"
ldd "$bin" >"$scratch/ldd"
if grep -q 'not found' "$scratch/ldd"; then
  cat "$scratch/ldd" >&2
  fail "the unpacked binary misses shared libraries"
fi
for needed in $(readelf --dynamic "$bin" | sed -n 's/.*(NEEDED).*\[\(.*\)\]/\1/p'); do
  path=$(awk -v lib="$needed" '$1 == lib && $2 == "=>" {print $3}' "$scratch/ldd")
  [[ -n $path ]] || fail "ldd does not resolve $needed"
  # Merged /usr: dpkg may list the file under /lib or /usr/lib.
  owner=$( (dpkg-query --search "$path" || dpkg-query --search "/usr${path#/usr}" ||
    dpkg-query --search "${path#/usr}") 2>/dev/null | head -n1 | cut -d: -f1) || true
  [[ -n $owner ]] || fail "no Debian package owns $path ($needed)"
  grep -qx -- "$owner" <<<"$depends_names" || fail "$needed comes from $owner, which Depends lacks: $depends"
  echo "  $needed <- $owner"
done

step "every dependency is installable here"
IFS=',' read -ra clauses <<<"$depends"
for clause in "${clauses[@]}"; do
  ok=0
  IFS='|' read -ra alternatives <<<"$clause"
  for alt in "${alternatives[@]}"; do
    name=$(sed 's/(.*)//; s/ //g; s/:.*//' <<<"$alt")
    installed=$(dpkg-query -W -f='${Status} ${Version}' "$name" 2>/dev/null || true)
    [[ $installed == "install ok installed "* ]] || continue
    have=${installed##* }
    if [[ $alt =~ \(([<>=]+)\ *([^\)]+)\) ]]; then
      op=${BASH_REMATCH[1]}
      want=${BASH_REMATCH[2]}
      case $op in '>=') op=ge ;; '<=') op=le ;; '>>') op=gt ;; '<<') op=lt ;; '=') op=eq ;; esac
      dpkg --compare-versions "$have" "$op" "$want" || continue
    fi
    ok=1
  done
  ((ok)) || fail "dependency '$clause' is not satisfied on this system"
done
if [[ $(id -u) -eq 0 ]]; then
  dpkg --dry-run --install "$deb" || fail "dpkg --dry-run --install failed"
fi

step "arrload --version"
line=$("$bin" --version)
echo "  $line"
[[ $line =~ ^arrload\ ([^ ]+)\ \(commit\ ([0-9a-f]{12}(-dirty)?|unknown)\)$ ]] ||
  fail "--version printed '$line'"
[[ ${BASH_REMATCH[1]} == "$version" ]] || fail "--version names ${BASH_REMATCH[1]}, not $version"
commit=${BASH_REMATCH[2]%-dirty}
if head=$(git -C "$source_dir" rev-parse --short=12 HEAD 2>/dev/null); then
  [[ $commit == "$head" ]] || fail "--version names commit $commit, the checkout is at $head"
fi

step "manual page"
man_page=$root/usr/share/man/man1/arrload.1.gz
gzip -t "$man_page" || fail "arrload.1.gz is not gzip"
zcat "$man_page" >"$scratch/arrload.1"
grep -q '^\.TH ARRLOAD 1 ' "$scratch/arrload.1" || fail "the manual page has no .TH ARRLOAD 1 line"
# The options come from the binary's own --help: one of each subcommand's must be there.
for option in '\-\-spawn\-rate' '\-\-latency\-scale' '\-\-only\-summary' '\-\-locustfile'; do
  grep -qF -- "$option" "$scratch/arrload.1" || fail "the manual page lacks $option"
done
if command -v groff >/dev/null; then
  warnings=$(groff -man -Tutf8 -ww -z "$scratch/arrload.1" 2>&1)
  [[ -z $warnings ]] || fail "groff warns about the manual page: $warnings"
fi

step "arrload demo -t 5s from the unpacked package"
mkdir "$scratch/run"
status=0
(cd "$scratch/run" && timeout 120 "$bin" demo -t 5s --only-summary >"$scratch/demo.out" 2>&1) ||
  status=$?
cat "$scratch/demo.out"
((status == 0)) || fail "arrload demo exited with status $status"
stats=$scratch/run/results/demo/autoarr_stats.csv
[[ -f $stats ]] || fail "the demo wrote no $stats"
requests=$(awk -F, '$2 == "\"Aggregated\"" || $2 == "Aggregated" {print $3}' "$stats" | tr -d '"')
[[ $requests =~ ^[0-9]+$ ]] && ((requests > 0)) || fail "the demo's Aggregated row holds no requests"
echo "package test: PASS ($(basename "$deb"), $requests requests in the demo)"
