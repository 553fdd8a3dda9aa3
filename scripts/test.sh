#!/usr/bin/env bash
# SPDX-License-Identifier: BSD-2-Clause
# scripts/test.sh - build axip and run every test: a normal build (build/) and an
# AddressSanitizer + UBSan build (build-asan/). Installs missing Debian packages
# first (Debian 12, as root or with sudo). Safe to run again: builds are incremental.
set -euo pipefail

usage() {
	cat <<'USAGE'
usage: scripts/test.sh [--quick] [--build-dir DIR] [--help]
  --quick          skip the sanitizer build
  --build-dir DIR  normal build in DIR, sanitizer build in DIR-asan (default: build)
  --help           this text
Runs ctest (-j2, --output-on-failure) in each build; exits non-zero if any
configure, build or test step fails. Network tests need root.
USAGE
}

quick=0
build=build
while [ $# -gt 0 ]; do
	case $1 in
	--quick) quick=1 ;;
	--build-dir) build=${2:?--build-dir needs a directory}; shift ;;
	--help | -h) usage; exit 0 ;;
	*) echo "unknown option: $1" >&2; usage >&2; exit 2 ;;
	esac
	shift
done

cd "$(dirname "$0")/.."
# shellcheck source=scripts/lib/packages.sh
. scripts/lib/packages.sh

jobs=$(nproc 2>/dev/null || echo 2)
summary=()
failed=0

# run_build NAME DIR CMAKE_ARG... : configure, build and test one tree; record the outcome.
run_build() {
	local name=$1 dir=$2 start result
	shift 2
	start=$(date +%s)
	echo "=== $name build in $dir"
	mkdir -p "$dir"
	if ! cmake -S . -B "$dir" "$@" >"$dir/configure.log" 2>&1; then
		cat "$dir/configure.log"
		result="FAILED: configure ($dir/configure.log)"
	elif ! cmake --build "$dir" -j "$jobs" >"$dir/build.log" 2>&1; then
		grep -E -A6 'error:|Error [0-9]' "$dir/build.log" | head -n 80 || true
		result="FAILED: build ($dir/build.log)"
	elif ! (cd "$dir" && ctest -j2 --output-on-failure) 2>&1 | tee "$dir/ctest.log"; then
		result="FAILED: $(grep -E 'tests passed' "$dir/ctest.log" || echo "ctest did not finish") ($dir/ctest.log)"
	else
		result="ok: $(grep -E 'tests passed' "$dir/ctest.log")"
	fi
	case $result in FAILED*) failed=1 ;; esac
	summary+=("$(printf '%-7s %4ss  %s' "$name" $(($(date +%s) - start)) "$result")")
}

axip_ensure_packages build port net bench fuzz
[ "$(id -u)" = 0 ] || echo "note: not root; tests that need network namespaces will not run as intended" >&2

run_build normal "$build" -DCMAKE_BUILD_TYPE=RelWithDebInfo -DAXIP_SANITIZE=OFF
if [ $quick = 0 ]; then
	run_build asan "$build-asan" -DCMAKE_BUILD_TYPE=RelWithDebInfo -DAXIP_SANITIZE=ON
fi

echo
echo "=== summary"
printf '%s\n' "${summary[@]}"
if [ $failed = 0 ]; then
	echo "all passed"
else
	echo "FAILED"
fi
exit $failed
