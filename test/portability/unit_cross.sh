#!/usr/bin/env bash
# SPDX-License-Identifier: BSD-2-Clause
# unit_cross.sh build ARCH SRCDIR OUTDIR TEST...  build the core, the sim and the named unit tests
# unit_cross.sh run   ARCH SRCDIR OUTDIR TEST     run one of them
# ARCH: ppc  - 32-bit big-endian PowerPC, static, run under qemu-ppc (user mode)
#       i386 - 32-bit little-endian x86 (gcc -m32), run natively
# The flags mirror the CMake build of the unit tests (RelWithDebInfo, C99, warnings as errors).
set -euo pipefail
mode=$1 arch=$2 src=$3 out=$4
shift 4
case $arch in
ppc) cc=(powerpc-linux-gnu-gcc -static) ar=powerpc-linux-gnu-ar run=(qemu-ppc) ;;
i386) cc=(gcc -m32) ar=ar run=() ;;
*) echo "unknown arch: $arch" >&2; exit 2 ;;
esac
cflags=(-std=c99 -O2 -g -DNDEBUG -Wall -Wextra -Werror -I"$src/core/include")

need() {
	command -v "$1" >/dev/null || { echo "'$1' not found (scripts/test.sh installs it)"; exit 1; }
}

build() {
	local f t
	need "${cc[0]}"
	need "$ar"
	rm -rf "$out" && mkdir -p "$out/obj"
	for f in "$src"/core/src/*.c; do
		"${cc[@]}" "${cflags[@]}" -pedantic -ffreestanding -c "$f" -o "$out/obj/core_$(basename "$f" .c).o"
	done
	for f in "$src"/test/sim/*.c; do
		"${cc[@]}" "${cflags[@]}" -I"$src/test" -I"$src/test/sim" -I"$src/core/src" \
			-c "$f" -o "$out/obj/sim_$(basename "$f" .c).o"
	done
	"$ar" rcs "$out/libaxip_test.a" "$out"/obj/*.o
	for t in "$@"; do
		"${cc[@]}" "${cflags[@]}" -I"$src/test" -I"$src/test/sim" -I"$src/core/src" \
			"$src/test/unit/$t.c" "$out/libaxip_test.a" -o "$out/$t"
	done
	echo "built core, sim and $# unit tests for $arch: $*"
}

case $mode in
build) build "$@" ;;
run)
	[ ${#run[@]} = 0 ] || need "${run[0]}"
	[ -x "$out/$1" ] || { echo "$out/$1 was not built"; exit 1; }
	exec "${run[@]}" "$out/$1"
	;;
*) echo "unknown mode: $mode" >&2; exit 2 ;;
esac
