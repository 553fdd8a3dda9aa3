#!/usr/bin/env bash
# SPDX-License-Identifier: BSD-2-Clause
# scripts/fuzz.sh - longer libFuzzer runs of the fuzz targets (opt-in; CI runs
# each for 60 s through ctest). Needs clang and libfuzzer-14-dev.
set -euo pipefail

usage() {
	cat <<'USAGE'
usage: scripts/fuzz.sh [--seconds N] [--build-dir DIR] [--fresh] [TARGET...]
       scripts/fuzz.sh --minimize TARGET CRASH_FILE [--build-dir DIR]
       scripts/fuzz.sh --seeds
       scripts/fuzz.sh --help
  --seconds N      run each target for N seconds (default 600), one after the other
  --build-dir DIR  fuzzers, their growing corpus and crash artifacts (default build-fuzz)
  --fresh          start from the repo corpus, not the corpus grown by earlier runs
  --minimize       shrink a crashing input (writes CRASH_FILE.min)
  --seeds          regenerate the seed files in test/fuzz/corpus/ (test/fuzz/gen_corpus*.c)
  TARGET           fuzz_stack_input, fuzz_tcp_states, fuzz_http_request, fuzz_sock_calls
                   (default: all)
A crash, leak or timeout stops that target's run; its input is in
DIR/artifacts/TARGET-*. Turn it into a regression input by copying the
minimised file to test/fuzz/corpus/TARGET/crash-<what> (replayed by ctest).
USAGE
}

cd "$(dirname "$0")/.."
runner=test/fuzz/build_and_run.sh
secs=600
dir=build-fuzz
fresh=0
mode=run
targets=()
while [ $# -gt 0 ]; do
	case $1 in
	--seconds) secs=${2:?--seconds needs a number}; shift ;;
	--build-dir) dir=${2:?--build-dir needs a directory}; shift ;;
	--fresh) fresh=1 ;;
	--minimize) mode=minimize ;;
	--seeds) mode=seeds ;;
	--help | -h) usage; exit 0 ;;
	-*) echo "unknown option: $1" >&2; usage >&2; exit 2 ;;
	*) targets+=("$1") ;;
	esac
	shift
done
case $secs in '' | *[!0-9]*) echo "--seconds needs a number" >&2; exit 2 ;; esac

if [ $mode = seeds ]; then
	mkdir -p "$dir"
	${CC:-cc} -std=c99 -O1 -Icore/include -Icore/src -Itest -Itest/sim -Itest/fuzz \
		test/fuzz/gen_corpus.c test/sim/*.c core/src/*.c -o "$dir/gen_corpus"
	"$dir/gen_corpus" test/fuzz/corpus
	${CC:-cc} -std=c99 -O1 test/fuzz/gen_corpus_sock.c -o "$dir/gen_corpus_sock"
	"$dir/gen_corpus_sock" test/fuzz/corpus
	echo "seeds written to test/fuzz/corpus/"
	exit 0
fi

if [ $mode = minimize ]; then
	[ ${#targets[@]} = 2 ] || { usage >&2; exit 2; }
	t=${targets[0]} crash=${targets[1]}
	"$runner" build "$dir"
	"$dir/bin/$t" -minimize_crash=1 -max_total_time=120 -runs=100000 \
		-exact_artifact_path="$crash.min" "$crash" || true
	[ -e "$crash.min" ] && echo "minimised: $crash.min ($(wc -c <"$crash.min") bytes)"
	exit 0
fi

[ ${#targets[@]} -gt 0 ] || read -r -a targets <<<"$("$runner" targets)"
failed=()
for t in "${targets[@]}"; do
	echo "=== $t: $secs s"
	if ! FUZZ_FRESH=$fresh "$runner" run "$dir" "$t" "$secs"; then
		failed+=("$t")
	fi
done
echo
if [ ${#failed[@]} = 0 ]; then
	echo "no crash in ${targets[*]}"
else
	echo "FAILED: ${failed[*]}; inputs:"
	ls -1 "$dir"/artifacts/ 2>/dev/null | sed "s|^|  $dir/artifacts/|"
	exit 1
fi
