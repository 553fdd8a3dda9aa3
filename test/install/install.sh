#!/usr/bin/env bash
# SPDX-License-Identifier: BSD-2-Clause
# install.sh MODE BUILD_DIR VERSION - tests of the installed axip (test/install.cmake):
#   pkgconfig  cmake --install into a temporary prefix, move the tree (it must
#              be relocatable), build test/install/sim/sim_echo.c with
#              pkg-config against it and run it (two instances, UDP echo)
#   programs   every installed program: --help exits 0, --version exits 0 and
#              prints "PROGRAM axip VERSION", a bad option exits 2 with one line
#   cmake-xdp  build test/install/xdp/ with find_package(axip) (axip::xdp) and
#              run it attached over AF_XDP to a veth in a namespace (root; label net)
#   deb        cpack -G DEB, check each package's Depends resolve on this
#              machine (apt-get --simulate), install them with dpkg --root into
#              an empty root, run axip-httpd --version from there and build
#              sim_echo against the packaged development files
set -euo pipefail
mode=$1 build=$2 version=$3
here=$(cd "$(dirname "$0")" && pwd)
T=$(mktemp -d /tmp/axip-install.XXXXXX)
trap 'rm -rf "$T"' EXIT
cc=${CC:-cc}

fail() { echo "FAIL: $*" >&2; exit 1; }

install_to() { # install_to DIR: cmake --install the build tree into DIR
	cmake --install "$build" --prefix "$1" >"$T/install.log" 2>&1 || { cat "$T/install.log"; fail "cmake --install"; }
}

pc_dir() { # pc_dir PREFIX: the directory that holds axip.pc
	local pc
	pc=$(find "$1" -name axip.pc -path '*/pkgconfig/*' | head -n1)
	[ -n "$pc" ] || fail "no axip.pc under $1"
	dirname "$pc"
}

build_sim_echo() { # build_sim_echo PKG_CONFIG_DIR OUT
	local flags
	[ "$(PKG_CONFIG_PATH=$1 pkg-config --modversion axip)" = "$version" ] ||
		fail "axip.pc has version $(PKG_CONFIG_PATH=$1 pkg-config --modversion axip), expected $version"
	flags=$(PKG_CONFIG_PATH=$1 pkg-config --cflags --libs axip) || fail "pkg-config axip"
	# shellcheck disable=SC2086 # word splitting of the flags intended
	"$cc" -std=c99 -Wall -Wextra -Werror -o "$2" "$here/sim/sim_echo.c" $flags ||
		fail "building sim_echo with: $flags"
}

case $mode in
pkgconfig)
	install_to "$T/first"
	mv "$T/first" "$T/moved"
	pcd=$(pc_dir "$T/moved")
	build_sim_echo "$pcd" "$T/sim_echo"
	libdir=$(PKG_CONFIG_PATH=$pcd pkg-config --variable=libdir axip)
	readelf -d "$T/sim_echo" | grep -q 'NEEDED.*libaxip\.so' || fail "sim_echo is not linked to libaxip.so"
	LD_LIBRARY_PATH=$libdir "$T/sim_echo" || fail "sim_echo"
	# the AF_XDP module resolves too (its Requires.private need libxdp, libbpf, libmnl .pc files)
	if [ -e "$pcd/axip-xdp.pc" ]; then
		PKG_CONFIG_PATH=$pcd pkg-config --exists --print-errors "axip-xdp = $version" || fail "pkg-config axip-xdp"
	fi
	echo "PASS install_pkgconfig"
	;;
programs)
	install_to "$T/p"
	n=0
	for prog in "$T"/p/bin/*; do
		name=$(basename "$prog")
		n=$((n + 1))
		"$prog" --help >"$T/out" 2>"$T/err" || fail "$name --help exited $?"
		grep -q . "$T/out" || fail "$name --help printed nothing on stdout"
		"$prog" --version >"$T/out" 2>"$T/err" || fail "$name --version exited $?"
		[ "$(cat "$T/out")" = "$name axip $version" ] ||
			fail "$name --version printed '$(cat "$T/out")', expected '$name axip $version'"
		rc=0
		"$prog" --no-such-option >"$T/out" 2>"$T/err" || rc=$?
		[ $rc = 2 ] || fail "$name --no-such-option exited $rc, expected 2"
		[ "$(wc -l <"$T/err")" = 1 ] && [ ! -s "$T/out" ] ||
			fail "$name --no-such-option: expected one line on stderr, got: $(cat "$T/out" "$T/err")"
		grep -q -- "--no-such-option" "$T/err" || fail "$name: the message does not name the option"
		echo "ok: $name: $(cat "$T/err")"
	done
	[ $n -gt 0 ] || fail "no programs installed"
	echo "PASS install_programs ($n programs)"
	;;
cmake-xdp)
	export AXIP_BUILD_DIR=$build
	rm -rf "$T"
	set +e
	# shellcheck source=test/net/lib.sh
	. "$here/../net/lib.sh"   # its EXIT trap removes $WORK, namespaces and programs
	T=$WORK/install
	mkdir -p "$T"
	need_root
	install_to "$T/x"
	cmake -S "$here/xdp" -B "$T/xb" -DCMAKE_PREFIX_PATH="$T/x" -DAXIP_EXPECT_VERSION="$version" \
		>"$T/xb.log" 2>&1 && cmake --build "$T/xb" >>"$T/xb.log" 2>&1 ||
		{ cat "$T/xb.log"; fail "building test/install/xdp with find_package(axip)"; }
	net_setup 1
	start_axip echo "$T/xb/xdp_echo" "$IFA" 7 5
	wait_attached echo
	in_b timeout 20 /usr/bin/python3 - "$ADDR_A" <<'PY' || fail "UDP echo through the out-of-tree program"
import socket, sys
s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
s.settimeout(1)
for i in range(5):
    msg = b"datagram %d" % i
    for attempt in range(5):
        s.sendto(msg, (sys.argv[1], 7))
        try:
            if s.recv(2048) == msg:
                break
        except socket.timeout:
            pass
    else:
        sys.exit("no echo of datagram %d" % i)
print("5 datagrams echoed")
PY
	wait_exit echo 20
	grep -q 'echoed [5-9]' "$WORK/echo.log" || fail "xdp_echo did not report its echoes"
	echo "PASS install_cmake_xdp"
	;;
deb)
	command -v dpkg-deb >/dev/null || { echo "SKIP: no dpkg-deb"; exit 77; }
	command -v dpkg-shlibdeps >/dev/null || { echo "SKIP: no dpkg-shlibdeps (dpkg-dev)"; exit 77; }
	(cd "$build" && cpack -G DEB -B "$T/pkg" >"$T/cpack.log" 2>&1) || { cat "$T/cpack.log"; fail "cpack -G DEB"; }
	debs=("$T"/pkg/*.deb)
	[ ${#debs[@]} = 3 ] || fail "expected 3 packages, got: ${debs[*]}"
	for d in "${debs[@]}"; do
		[ "$(dpkg-deb -f "$d" Version)" = "$version" ] || fail "$d: version $(dpkg-deb -f "$d" Version)"
		echo "$(dpkg-deb -f "$d" Package): Depends: $(dpkg-deb -f "$d" Depends)"
	done
	dpkg-deb -f "$T"/pkg/axip-tools_*.deb Depends | grep -q libxdp1 || fail "axip-tools does not depend on libxdp1"
	# every dependency resolves against this machine's packages (no download, nothing installed)
	apt-get install --simulate -o Debug::NoLocking=1 "${debs[@]}" >"$T/apt.log" 2>&1 ||
		{ cat "$T/apt.log"; fail "the packages' dependencies do not resolve"; }
	# an empty root with its own dpkg database: dpkg unpacks the packages there
	# (--unpack: configuring would run the ldconfig trigger chrooted into a root
	# without a shell); the libraries they depend on are this machine's
	R=$T/root
	mkdir -p "$R/var/lib/dpkg/info" "$R/var/lib/dpkg/updates"
	: >"$R/var/lib/dpkg/status"
	: >"$R/var/lib/dpkg/available"
	dpkg --root="$R" --force-depends --log=/dev/null --unpack "${debs[@]}" >"$T/dpkg.log" 2>&1 ||
		{ cat "$T/dpkg.log"; fail "dpkg --root --unpack"; }
	[ "$(grep -c '^Status: install ok unpacked' "$R/var/lib/dpkg/status")" = 3 ] ||
		fail "dpkg did not record the three packages"
	out=$(LD_LIBRARY_PATH=$R/usr/lib "$R/usr/bin/axip-httpd" --version) || fail "axip-httpd --version from $R"
	[ "$out" = "axip-httpd axip $version" ] || fail "axip-httpd --version printed '$out'"
	echo "ok: $out (from $R/usr/bin)"
	build_sim_echo "$(pc_dir "$R/usr")" "$T/sim_echo"
	LD_LIBRARY_PATH=$(PKG_CONFIG_PATH=$(pc_dir "$R/usr") pkg-config --variable=libdir axip) "$T/sim_echo" ||
		fail "sim_echo against the packaged libraries"
	echo "PASS install_deb"
	;;
*) echo "unknown mode $mode" >&2; exit 2 ;;
esac
