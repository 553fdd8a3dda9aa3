#!/usr/bin/env bash
# SPDX-License-Identifier: BSD-2-Clause
# test/fuzz/build_and_run.sh - build the libFuzzer targets with clang, and run one.
#
#   build_and_run.sh build OUT                  compile every target into OUT/bin/
#   build_and_run.sh run OUT TARGET SECONDS     build, then fuzz TARGET for SECONDS on
#                                               OUT/corpus/TARGET (seeded from the repo)
#   build_and_run.sh targets                    list the targets
#
# The core (core/src/*.c), the simulated link (test/sim/*.c) and the HTTP parser
# (examples/http) are compiled together with each target by clang with
# -fsanitize=fuzzer,address,undefined; objects are rebuilt only when a source
# or header changed. A run exits non-zero when libFuzzer finds a crash, a leak
# or a timeout; the input is then OUT/artifacts/TARGET-*. Environment:
#   FUZZ_CC       compiler (default clang, else clang-14)
#   FUZZ_FRESH=1  start from the repo corpus instead of OUT/corpus/TARGET
#   FUZZ_ARGS     extra libFuzzer arguments
set -euo pipefail

src=$(cd "$(dirname "$0")/../.." && pwd)
targets="fuzz_stack_input fuzz_tcp_states fuzz_http_request fuzz_sock_calls"

pick_cc() {
	if [ -n "${FUZZ_CC:-}" ]; then
		echo "$FUZZ_CC"
	elif command -v clang >/dev/null 2>&1; then
		echo clang
	elif command -v clang-14 >/dev/null 2>&1; then
		echo clang-14
	else
		echo "no clang found (install clang and libfuzzer-14-dev)" >&2
		return 1
	fi
}

# Extra sources of a target besides its own file and the core/sim objects.
target_extra() {
	case $1 in
	fuzz_http_request) echo "$src/examples/http/http_request.c $src/examples/http/http_uri.c" ;;
	*) ;;
	esac
}

build() {
	local out=$1 cc obj o newest t
	cc=$(pick_cc)
	mkdir -p "$out/obj" "$out/bin"
	local cflags=(-std=c99 -g -O1 -fno-omit-frame-pointer -fsanitize=address,undefined
		-fno-sanitize-recover=all -Wall -Wextra
		-I"$src/core/include" -I"$src/core/src" -I"$src/test" -I"$src/test/sim"
		-I"$src/test/fuzz" -I"$src/examples/http")
	# warnings are errors in the project build of the same sources, not here
	# serialise concurrent builds (ctest -j runs several fuzz tests at once)
	exec 9>"$out/.lock"
	flock 9
	# the newest header: any change rebuilds every object
	newest=$(ls -t "$src"/core/include/axip/*.h "$src"/core/src/*.h "$src"/test/sim/*.h \
		"$src"/test/fuzz/*.h "$src"/examples/http/*.h "$0" | head -n1)
	obj=()
	for c in "$src"/core/src/*.c "$src"/test/sim/*.c; do
		o=$out/obj/$(basename "$(dirname "$c")")_$(basename "${c%.c}").o
		if [ ! -e "$o" ] || [ "$c" -nt "$o" ] || [ "$newest" -nt "$o" ]; then
			"$cc" "${cflags[@]}" -fsanitize=fuzzer-no-link -c "$c" -o "$o"
		fi
		obj+=("$o")
	done
	for t in $targets; do
		[ -e "$src/test/fuzz/$t.c" ] || continue
		local srcs=("$src/test/fuzz/$t.c")
		# shellcheck disable=SC2207
		srcs+=($(target_extra "$t"))
		local up=0
		[ -e "$out/bin/$t" ] || up=1
		for c in "${srcs[@]}" "${obj[@]}"; do
			[ "$c" -nt "$out/bin/$t" ] && up=1
		done
		[ "$newest" -nt "$out/bin/$t" ] && up=1
		if [ $up = 1 ]; then
			"$cc" "${cflags[@]}" -fsanitize=fuzzer "${srcs[@]}" "${obj[@]}" -o "$out/bin/$t.tmp"
			mv "$out/bin/$t.tmp" "$out/bin/$t"
		fi
	done
	flock -u 9
}

run() {
	local out=$1 t=$2 secs=$3 corpus
	case " $targets " in *" $t "*) ;; *) echo "unknown target $t (targets: $targets)" >&2; return 2 ;; esac
	build "$out"
	corpus=$out/corpus/$t
	if [ "${FUZZ_FRESH:-0}" = 1 ]; then
		rm -rf "$corpus"
	fi
	mkdir -p "$corpus" "$out/artifacts"
	# the repo's seeds and regression inputs are always part of the run
	cp -n "$src/test/fuzz/corpus/$t"/* "$corpus/" 2>/dev/null || true
	# shellcheck disable=SC2086
	"$out/bin/$t" -max_total_time="$secs" -timeout=20 -rss_limit_mb=2048 -max_len=8192 \
		-print_final_stats=1 -artifact_prefix="$out/artifacts/$t-" ${FUZZ_ARGS:-} "$corpus"
}

case ${1:-} in
build) build "${2:?OUT directory}" ;;
run) run "${2:?OUT directory}" "${3:?target}" "${4:?seconds}" ;;
targets) echo "$targets" ;;
*) sed -n '2,16p' "$0" | sed 's/^# \{0,1\}//'; exit 2 ;;
esac
