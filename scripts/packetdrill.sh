#!/usr/bin/env bash
# SPDX-License-Identifier: BSD-2-Clause
# scripts/packetdrill.sh - run packetdrill scripts against axip (docs/conformance.md).
set -uo pipefail

usage() {
	cat <<'USAGE'
usage: scripts/packetdrill.sh [options] SCRIPT.pkt|DIR...
Runs each packetdrill script against axip (packetdrill's shared-object mode,
test/packetdrill/axip_packetdrill.c) from the script's own directory, prints
"PASS path" or "FAIL path: reason" per script and ends with "N passed, M failed".
A DIR is searched for *.pkt, skipping directories named pending/. packetdrill
runs as it would on Linux, with the addresses below (also given to the
adapter as --so_flags); options a script needs it sets itself (axip's own
scripts start with --strict_segments).
Exit status: 0 if all passed, 1 if any failed, 77 if nothing could run
(packetdrill's source absent, or not root with a memlock limit too small for
packetdrill's mlockall()), 2 on bad usage.

  --packetdrill PATH  packetdrill binary to use (default: build it from
                      $PACKETDRILL_SRC into BUILD/packetdrill if missing)
  --adapter PATH      adapter shared object (default: BUILD/test/axip_packetdrill.so,
                      built with cmake if missing)
  --build-dir DIR     build tree for the defaults above (default: build)
  --preload LIBS      LD_PRELOAD for packetdrill, colon-separated: for an adapter
                      built with sanitizers, BUILD/test/axip_pd_nodeepbind.so
                      then libasan.so and libubsan.so (the sanitizer build's
                      ctest tests pass this)
  --local-ip A        local address (default 192.168.0.2)
  --remote-ip B       remote address (default 192.0.2.1, packetdrill's)
  --timeout SEC       per script (default 120)
  -v, --verbose       show packetdrill's output of failed scripts
  --help              this text

Environment: PACKETDRILL_SRC (default: ../shared/third_party/packetdrill beside
the repository), PACKETDRILL_ARGS (extra packetdrill options).
USAGE
}

repo=$(cd "$(dirname "$0")/.." && pwd)
pd=""
adapter=""
build="build"
preload=""
local_ip=192.168.0.2
remote_ip=192.0.2.1
timeout_s=120
verbose=0
targets=()
while [ $# -gt 0 ]; do
	case $1 in
	--packetdrill) pd=${2:?--packetdrill needs a path}; shift ;;
	--adapter) adapter=${2:?--adapter needs a path}; shift ;;
	--build-dir) build=${2:?--build-dir needs a directory}; shift ;;
	--preload) preload=${2:?--preload needs a list}; shift ;;
	--local-ip) local_ip=${2:?--local-ip needs an address}; shift ;;
	--remote-ip) remote_ip=${2:?--remote-ip needs an address}; shift ;;
	--timeout) timeout_s=${2:?--timeout needs seconds}; shift ;;
	-v | --verbose) verbose=1 ;;
	--help | -h) usage; exit 0 ;;
	-*) echo "unknown option: $1" >&2; usage >&2; exit 2 ;;
	*) targets+=("$1") ;;
	esac
	shift
done
[ ${#targets[@]} -gt 0 ] || { usage >&2; exit 2; }
case $build in /*) ;; *) build="$repo/$build" ;; esac

src=${PACKETDRILL_SRC:-$repo/../shared/third_party/packetdrill}
absent() {
	echo "packetdrill: $1" >&2
	echo "packetdrill's source is needed: put it at $repo/../shared/third_party/packetdrill" >&2
	echo "(github.com/google/packetdrill, directory gtests/net/packetdrill) or set PACKETDRILL_SRC;" >&2
	echo "building it needs bison and flex (Debian: apt-get install bison flex)." >&2
	exit 77
}

# packetdrill: given, or built from the source (once; concurrent runs wait on a lock)
if [ -z "$pd" ] || [ ! -x "$pd" ]; then
	[ -f "$src/gtests/net/packetdrill/packetdrill.h" ] || absent "no source at $src"
	command -v bison >/dev/null && command -v flex >/dev/null || absent "bison or flex not installed"
	[ -n "$pd" ] || pd="$build/packetdrill/packetdrill"
	if [ ! -x "$pd" ]; then
		out=$(dirname "$pd")
		mkdir -p "$out"
		(
			flock 9
			[ -x "$pd" ] || "$repo/test/packetdrill/build_packetdrill.sh" "$src" "$out"
		) 9>"$out/.lock" || { echo "packetdrill: build failed" >&2; exit 1; }
	fi
fi

# the adapter: given, or the CMake target in the build tree
if [ -z "$adapter" ]; then
	adapter="$build/test/axip_packetdrill.so"
	if [ ! -f "$build/CMakeCache.txt" ]; then
		cmake -S "$repo" -B "$build" -DCMAKE_BUILD_TYPE=RelWithDebInfo >"$build.configure.log" 2>&1 ||
			{ cat "$build.configure.log" >&2; exit 1; }
	fi
	cmake --build "$build" --target axip_packetdrill -j2 >"$build/packetdrill-adapter.log" 2>&1 ||
		{ tail -n 30 "$build/packetdrill-adapter.log" >&2; echo "packetdrill: building the adapter failed" >&2; exit 1; }
fi
[ -f "$adapter" ] || { echo "packetdrill: no adapter at $adapter" >&2; exit 1; }
case $adapter in /*) ;; *) adapter="$(pwd)/$adapter" ;; esac
case $pd in /*) ;; *) pd="$(pwd)/$pd" ;; esac

scripts=()
for t in "${targets[@]}"; do
	if [ -d "$t" ]; then
		while IFS= read -r f; do scripts+=("$f"); done < <(find "$t" -mindepth 1 -name pending -prune -o -name '*.pkt' -print | LC_ALL=C sort)
	elif [ -f "$t" ]; then
		scripts+=("$t")
	else
		echo "packetdrill: no such script or directory: $t" >&2
		exit 2
	fi
done

# The first line that says what went wrong, else the last line.
reason() {
	local line
	line=$(grep -m1 -E 'error|Error|FAIL|Assertion|adapter:|timed out|not found' "$1")
	[ -n "$line" ] || line=$(grep -v '^[[:space:]]*$' "$1" | tail -n 1)
	[ -n "$line" ] || line="exit status $2, no output"
	printf '%s' "${line:0:300}"
}

# packetdrill locks all its memory (mlockall), thread stacks included: more
# than the usual 8 MiB memlock limit of a user that is not root (root's
# CAP_IPC_LOCK ignores the limit)
if [ "$(id -u)" != 0 ] && [ "$(ulimit -l)" != unlimited ] && ! ulimit -l unlimited 2>/dev/null; then
	echo "packetdrill: the memlock limit is $(ulimit -l) KiB and cannot be raised; packetdrill's" \
		"mlockall() needs more: run as root or raise the limit (ulimit -l). Nothing run." >&2
	exit 77
fi

passed=0
failed=0
log=$(mktemp)
trap 'rm -f "$log"' EXIT
for f in "${scripts[@]}"; do
	dir=$(dirname "$f")
	base=$(basename "$f")
	(
		cd "$dir" || exit 1
		envs=()
		if [ -n "$preload" ]; then
			# for packetdrill only: the sanitizer runtimes after the shim, and
			# packetdrill's own leaks at exit suppressed (test/packetdrill/lsan.supp).
			# Full stacks (fast_unwind_on_malloc=0): the frame-pointer unwinder
			# stops in libc, whose frames are only named where its debug symbols
			# are installed, and the suppressions name packetdrill's callers.
			envs=(LD_PRELOAD="$preload"
				ASAN_OPTIONS="${ASAN_OPTIONS:-verify_asan_link_order=0:fast_unwind_on_malloc=0}"
				LSAN_OPTIONS="${LSAN_OPTIONS:-suppressions=$repo/test/packetdrill/lsan.supp:print_suppressions=0}")
		fi
		# shellcheck disable=SC2086 # PACKETDRILL_ARGS is a list of options
		timeout "$timeout_s" env "${envs[@]}" "$pd" --so_filename="$adapter" \
			--so_flags="local_ip=$local_ip remote_ip=$remote_ip" \
			--local_ip="$local_ip" --remote_ip="$remote_ip" \
			${PACKETDRILL_ARGS:-} "$base"
	) >"$log" 2>&1
	rc=$?
	if [ $rc = 0 ]; then
		echo "PASS $f"
		passed=$((passed + 1))
	else
		[ $rc = 124 ] && echo "timed out after ${timeout_s}s" >>"$log"
		echo "FAIL $f: $(reason "$log" $rc)"
		[ $verbose = 1 ] && sed 's/^/    /' "$log"
		failed=$((failed + 1))
	fi
done
echo "$passed passed, $failed failed"
[ $failed = 0 ]
