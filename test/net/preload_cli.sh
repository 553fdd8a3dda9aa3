#!/usr/bin/env bash
# SPDX-License-Identifier: BSD-2-Clause
# net_preload_cli: axip-run's command line and its checks before the exec:
# --help 0, --version "axip-run axip VERSION", a bad option or a missing
# --ifname/PROGRAM 2 with one line, no privileges 3, no such interface 4,
# a program that does not exist 127; and the environment it gives PROGRAM.
. "$(dirname "$0")/lib.sh"
RUN=$BUILD/preload/axip-run
[ -x "$RUN" ] || { echo "SKIP: $RUN not built" >&2; exit 77; }
need_root
expect 0 'usage: axip-run' "$RUN" --help
expect 0 '^axip-run axip ' "$RUN" --version
expect 2 "unrecognized option" "$RUN" --no-such-option -- true
[ "$(wc -l <"$WORK/out.txt")" = 1 ] || fail "bad option: more than one line"
expect 2 "missing --ifname" "$RUN" -- true
expect 2 "missing PROGRAM" "$RUN" --ifname lo
expect 2 "invalid --addr" "$RUN" --ifname lo --addr 1.2.3 -- true
expect 4 "no interface 'axnope0'" "$RUN" --ifname axnope0 -- true
expect 127 "cannot run" "$RUN" --ifname lo -- /nonexistent/program
if command -v setpriv >/dev/null; then
	expect 3 "needs root or CAP_NET_ADMIN" setpriv --reuid=65534 --regid=65534 --clear-groups \
		--inh-caps=-all --bounding-set=-all "$RUN" --ifname lo -- true
fi
out=$("$RUN" --ifname lo --queues 2 --busy-poll --addr 10.9.9.9/16 --verbose -- \
	sh -c 'echo "$AXIP_IFNAME $AXIP_QUEUES $AXIP_BUSY_POLL $AXIP_ADDR $AXIP_VERBOSE"; echo "$LD_PRELOAD"')
[ "$(echo "$out" | head -n1)" = "lo 2 1 10.9.9.9/16 1" ] || fail "environment: $out"
echo "$out" | tail -n1 | grep -q 'libaxip-preload.so' || fail "LD_PRELOAD: $out"
echo "PASS net_preload_cli"
