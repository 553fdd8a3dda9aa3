#!/usr/bin/env bash
# SPDX-License-Identifier: BSD-2-Clause
# freestanding.sh SRCDIR OUTDIR CC [FLAG...]
# Compile every core/src/*.c, and every public header on its own, with the
# given compiler and flags, without any system header or library. Fails on the
# first file that does not compile (warnings are errors).
set -euo pipefail
src=$1 out=$2 cc=$3
shift 3
command -v "$cc" >/dev/null || { echo "compiler '$cc' not found (scripts/test.sh installs it)"; exit 1; }
rm -rf "$out" && mkdir -p "$out"
fail=0 n=0
for f in "$src"/core/src/*.c; do
	n=$((n + 1))
	"$cc" "$@" -c "$f" -o "$out/$(basename "$f" .c).o" || { echo "FAILED: $f"; fail=1; }
done
# Public headers must be self-contained and freestanding too.
for h in "$src"/core/include/axip/*.h; do
	n=$((n + 1))
	tu="$out/hdr_$(basename "$h" .h).c"
	printf '#include "%s"\ntypedef int axip_hdr_check_nonempty;\n' "$h" >"$tu"
	"$cc" "$@" -c "$tu" -o "${tu%.c}.o" || { echo "FAILED: $h"; fail=1; }
done
[ $fail = 0 ] && echo "$n translation units compiled with $cc $*"
exit $fail
