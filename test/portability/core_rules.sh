#!/usr/bin/env bash
# SPDX-License-Identifier: BSD-2-Clause
# core_rules.sh SRCDIR OUTDIR CHECK
# Rules of the freestanding core (core/) that a compiler alone does not enforce.
#   source       no <system header>, no __builtin_*, no asm, no floating point, no
#                libc call by name (comments and string literals are ignored)
#   libcalls     the objects of core/src/*.c, linked together, reference nothing
#                outside the core: no libc (memcpy/memset emitted for struct copies),
#                no libgcc helper (__udivdi3, __divdi3, __umoddi3, __moddi3 for 64-bit
#                division on 32-bit targets; soft-float helpers). Built with gcc and
#                clang, 32 and 64-bit, at several optimisation levels.
#   globals      no mutable static or global data (.data/.bss): instances share no state
set -euo pipefail
src=$1 out=$2 check=$3
core="$src/core"
rm -rf "$out" && mkdir -p "$out"

# Print FILE with comments and the contents of string/char literals blanked,
# line numbers unchanged.
strip_c() {
	awk '
	BEGIN { inc = 0 }
	{
		line = $0; res = ""; i = 1; n = length(line)
		while (i <= n) {
			c = substr(line, i, 1); c2 = substr(line, i, 2)
			if (inc) {
				if (c2 == "*/") { inc = 0; i += 2; res = res "  " } else { res = res " "; i++ }
			} else if (c2 == "/*") { inc = 1; i += 2; res = res "  "
			} else if (c2 == "//") { break
			} else if (c == "\"" || c == "'\''") {
				q = c; res = res q; i++
				while (i <= n && substr(line, i, 1) != q) { i += (substr(line, i, 1) == "\\") ? 2 : 1 }
				res = res q; i++
			} else { res = res c; i++ }
		}
		print res
	}' "$1"
}

check_source() {
	local fail=0 f rule pattern hits
	local -a rules=(
		'system header (#include <...>)|^[[:space:]]*#[[:space:]]*include[[:space:]]*<'
		'compiler builtin|__builtin'
		'inline assembly|(^|[^[:alnum:]_])(asm|__asm|__asm__)([^[:alnum:]_]|$)'
		'floating point|(^|[^[:alnum:]_])(float|double)([^[:alnum:]_]|$)'
		'libc call|(^|[^[:alnum:]_>.])(malloc|calloc|realloc|free|printf|fprintf|sprintf|snprintf|vsnprintf|puts|putchar|abort|exit|assert|memcpy|memmove|memset|memcmp|strlen|strcmp|strncmp|strcpy|strncpy|strcat|rand|srand|time|clock_gettime|gettimeofday)[[:space:]]*\('
	)
	while IFS= read -r f; do
		strip_c "$f" >"$out/stripped"
		for rule in "${rules[@]}"; do
			pattern=${rule#*|}
			hits=$(grep -nE "$pattern" "$out/stripped" || true)
			[ -z "$hits" ] && continue
			fail=1
			while IFS= read -r h; do
				echo "${f#"$src"/}:${h%%:*}: ${rule%%|*}: $(sed -n "${h%%:*}p" "$f" | sed 's/^[[:space:]]*//')"
			done <<<"$hits"
		done
	done < <(find "$core" -name '*.[ch]' | sort)
	[ $fail = 0 ] && echo "core source rules hold ($(find "$core" -name '*.[ch]' | wc -l) files)"
	return $fail
}

# compile DIR CC FLAG... : every core/src/*.c into DIR/obj, linked together into DIR/core.o
compile() {
	local dir=$1 cc=$2 emul f
	shift 2
	command -v "$cc" >/dev/null || { echo "compiler '$cc' not found (scripts/test.sh installs it)"; return 1; }
	mkdir -p "$dir/obj"
	for f in "$core"/src/*.c; do
		"$cc" -std=c99 -ffreestanding -nostdinc -fno-pic -g "$@" -c "$f" -o "$dir/obj/$(basename "$f" .c).o"
	done
	case " $* " in *" -m32 "*) emul=elf_i386 ;; *) emul=elf_x86_64 ;; esac
	ld -m "$emul" -r -o "$dir/core.o" "$dir"/obj/*.o
}

# Show where each object calls SYMBOL: file:line of the relocation.
locate() {
	local dir=$1 sym=$2 o
	for o in "$dir"/obj/*.o; do
		objdump -dlr --no-show-raw-insn "$o" |
			awk -v s="$sym" '/^\/.*:[0-9]+/ { loc = $1 }
				$0 ~ ("R_[A-Z0-9_]+[[:space:]]+" s "([-+].*)?$") { print "    " loc }' | sort -u
	done
}

check_libcalls() {
	local fail=0 cfg dir sym undef
	local -a configs=("gcc -m32 -O2 -mgeneral-regs-only" "clang -m32 -O2" "gcc -m64 -O3" "clang -m64 -Os")
	for cfg in "${configs[@]}"; do
		dir="$out/$(echo "$cfg" | tr -c '[:alnum:]\n' _)"
		# shellcheck disable=SC2086 # cfg is a word list
		compile "$dir" $cfg || { echo "FAILED to compile the core with: $cfg"; fail=1; continue; }
		# _GLOBAL_OFFSET_TABLE_ comes from the linker, not a library.
		undef=$(nm -u "$dir/core.o" | awk '{ print $2 }' | grep -vx '_GLOBAL_OFFSET_TABLE_' || true)
		if [ -n "$undef" ]; then
			fail=1
			echo "$cfg: the core references symbols it does not define:"
			for sym in $undef; do
				echo "  $sym, called from:"
				locate "$dir" "$sym"
			done
		else
			echo "$cfg: no external references"
		fi
	done
	return $fail
}

check_globals() {
	local dir="$out/gcc_m32" bad
	compile "$dir" gcc -m32 -O2 || return 1
	# B/b: .bss, D/d: .data, C: common, G/g/S/s: small data; read-only data is R/r.
	bad=$(nm "$dir/core.o" | awk '$2 ~ /^[BbCDdGgSs]$/ { print $3 }')
	if [ -n "$bad" ]; then
		echo "mutable static/global data in the core (state must live in the instance):"
		for sym in $bad; do
			echo "  $sym: $(grep -rlw "$sym" "$core"/src/*.c | sed "s|^$src/||" | tr '\n' ' ')"
		done
		return 1
	fi
	echo "no mutable static or global data in the core"
}

case $check in
source) check_source ;;
libcalls) check_libcalls ;;
globals) check_globals ;;
*) echo "unknown check: $check" >&2; exit 2 ;;
esac
