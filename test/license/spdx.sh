#!/usr/bin/env bash
# SPDX-License-Identifier: BSD-2-Clause
# spdx.sh SRCDIR - every tracked source file (C, headers, shell, Python, CMake,
# BPF) names its license on its first line, or its second after a #! line:
# "SPDX-License-Identifier: BSD-2-Clause" (the BPF programs: "(BSD-2-Clause OR
# GPL-2.0-only)"). See LICENSE. Skips (77) outside a git checkout.
set -euo pipefail
src=$1
cd "$src"
git rev-parse --is-inside-work-tree >/dev/null 2>&1 || { echo "SKIP: not a git checkout"; exit 77; }
bad=0 n=0
while IFS= read -r -d '' f; do
	[ -f "$f" ] || continue   # deleted in the work tree, not yet committed
	case $f in
	*.c | *.h | *.sh | *.bash | *.py | *.cmake | *.in | *.map | CMakeLists.txt | */CMakeLists.txt | .ci/run) ;;
	*) continue ;;
	esac
	n=$((n + 1))
	if head -c 2 "$f" | grep -q '^#!'; then
		line=$(sed -n 2p "$f")
	else
		line=$(sed -n 1p "$f")
	fi
	case $line in
	*"SPDX-License-Identifier: BSD-2-Clause"* | *"SPDX-License-Identifier: (BSD-2-Clause OR GPL-2.0-only)"*) ;;
	*) echo "no SPDX-License-Identifier line at the top of $f"; bad=1 ;;
	esac
done < <(git ls-files -z)
[ $bad = 0 ] && echo "all $n source files carry an SPDX-License-Identifier line"
exit $bad
