#!/bin/sh
# SPDX-License-Identifier: BSD-2-Clause
# test/packetdrill/build_packetdrill.sh SRC OUT - build packetdrill (GPLv2,
# unmodified upstream) out of tree: copy SRC/gtests/net/packetdrill to OUT/src,
# run its configure and make, and leave the binary at OUT/packetdrill. Needs
# bison and flex. Used by scripts/packetdrill.sh and test/packetdrill.cmake.
set -eu
src=${1:?usage: build_packetdrill.sh SRC OUT}
out=${2:?usage: build_packetdrill.sh SRC OUT}
tool="$src/gtests/net/packetdrill"
if [ ! -f "$tool/packetdrill.h" ]; then
	echo "build_packetdrill.sh: no packetdrill source at $src" >&2
	exit 2
fi
for prog in bison flex make cc; do
	command -v $prog >/dev/null || { echo "build_packetdrill.sh: $prog not found (Debian: apt-get install bison flex build-essential)" >&2; exit 2; }
done
mkdir -p "$out"
rm -rf "$out/src"
cp -r "$tool" "$out/src"
(cd "$out/src" && ./configure >/dev/null && make -j2 packetdrill >"$out/build.log" 2>&1) || {
	tail -n 30 "$out/build.log" >&2
	exit 1
}
cp "$out/src/packetdrill" "$out/packetdrill.tmp.$$"
mv "$out/packetdrill.tmp.$$" "$out/packetdrill"
