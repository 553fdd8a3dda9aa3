#!/usr/bin/env bash
# SPDX-License-Identifier: BSD-2-Clause
# check_seeds.sh GEN CORPUS OUT [GEN...] - the committed seed-* files under
# CORPUS are exactly what the generators GEN... write (run into OUT): a change
# of a target's input format must come with regenerated seeds
# (scripts/fuzz.sh --seeds).
set -euo pipefail
gen=$1 corpus=$2 out=$3
shift 3
rm -rf "$out"
"$gen" "$out"
for g in "$@"; do
	"$g" "$out"
done
rc=0
for f in "$out"/*/seed-*; do
	rel=${f#"$out"/}
	if ! cmp -s "$f" "$corpus/$rel"; then
		echo "differs from the generator: $corpus/$rel" >&2
		rc=1
	fi
done
for f in "$corpus"/*/seed-*; do
	rel=${f#"$corpus"/}
	if [ ! -e "$out/$rel" ]; then
		echo "not written by the generator: $corpus/$rel" >&2
		rc=1
	fi
done
[ $rc = 0 ] && echo "seeds current: $(ls "$out"/*/seed-* | wc -l) files"
exit $rc
