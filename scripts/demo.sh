#!/usr/bin/env bash
# scripts/demo.sh - build axip and show it working.
# Today: two axip instances on the simulated Ethernet link (axip-sim-demo):
# gratuitous ARP, ARP resolution, ping, UDP echo (small and fragmented).
# Installs missing Debian packages first (Debian 12, root or sudo). Safe to run again.
set -euo pipefail

usage() {
	cat <<'USAGE'
usage: scripts/demo.sh [--build-dir DIR] [--help] [-- DEMO-ARG...]
  --build-dir DIR  build in DIR (default: build, shared with scripts/test.sh)
  --help           this text
Arguments after -- go to axip-sim-demo (for example: -- --loss 20 --seed 7).
USAGE
}

build=build
demo_args=()
while [ $# -gt 0 ]; do
	case $1 in
	--build-dir) build=${2:?--build-dir needs a directory}; shift ;;
	--help | -h) usage; exit 0 ;;
	--) shift; demo_args=("$@"); break ;;
	*) echo "unknown option: $1" >&2; usage >&2; exit 2 ;;
	esac
	shift
done

cd "$(dirname "$0")/.."
# shellcheck source=scripts/lib/packages.sh
. scripts/lib/packages.sh

step_packages() {
	axip_ensure_packages build net
}

# step_build TARGET... : configure (once) and build the named targets, quietly.
step_build() {
	mkdir -p "$build"
	if ! cmake -S . -B "$build" -DCMAKE_BUILD_TYPE=RelWithDebInfo -DAXIP_SANITIZE=OFF \
		>"$build/configure.log" 2>&1; then
		cat "$build/configure.log" >&2
		echo "demo: configuring the build failed" >&2
		exit 1
	fi
	local t targets
	targets=$(cmake --build "$build" --target help)
	for t in "$@"; do
		if ! grep -qE "^\.\.\. $t( |$)" <<<"$targets"; then
			echo "demo: the build has no target '$t' (is its source in the tree?)" >&2
			exit 1
		fi
	done
	if ! cmake --build "$build" -j "$(nproc 2>/dev/null || echo 2)" --target "$@" >"$build/build.log" 2>&1; then
		grep -E -A6 'error:|Error [0-9]' "$build/build.log" | head -n 60 >&2 || true
		echo "demo: building $* failed (log: $build/build.log)" >&2
		exit 1
	fi
}

# The simulated link: everything in one process, virtual time, no privileges.
step_sim_demo() {
	local bin
	bin=$(find "$build" -type f -name axip-sim-demo -perm -u+x | head -n 1)
	[ -n "$bin" ] || { echo "demo: axip-sim-demo was not built" >&2; exit 1; }
	echo "=== axip-sim-demo ${demo_args[*]}"
	"$bin" "${demo_args[@]}"
}

main() {
	step_packages
	step_build axip-sim-demo
	step_sim_demo
}

main
