# SPDX-License-Identifier: BSD-2-Clause
# scripts/lib/packages.sh - the Debian packages axip needs, installed when missing.
# Sourced by scripts/test.sh and scripts/demo.sh (bash). Debian 12 (bookworm).
#
#   axip_ensure_packages GROUP...   install what the named groups need and is not installed
#
# Groups:
#   build  compilers, CMake, the libraries of the AF_XDP backend and XDP program,
#          bison/flex for packetdrill (built out of tree for the conformance suite),
#          and dpkg-dev/file for the Debian packages (cpack -G DEB runs dpkg-shlibdeps)
#   port   portability checks: tcc, 32-bit x86, big-endian PowerPC cross compiler + qemu-user
#   net    tests and demos over veth pairs in network namespaces, and the peers they talk to
#   bench  plotting of benchmark results
#   fuzz   libFuzzer and the sanitizer runtimes of clang

# gcc-12-multilib, not its metapackage gcc-multilib: in Debian 12 gcc-multilib
# conflicts with gcc-powerpc-linux-gnu (apt would remove the cross compiler),
# while gcc-12-multilib and gcc-12-powerpc-linux-gnu install side by side.
AXIP_PKGS_build="build-essential cmake pkg-config clang llvm libxdp-dev libbpf-dev bpftool
                 xdp-tools libelf-dev zlib1g-dev libmnl-dev libpcap-dev bison flex
                 dpkg-dev file"
AXIP_PKGS_port="gcc-12-multilib tcc gcc-powerpc-linux-gnu libc6-dev-powerpc-cross qemu-user"
AXIP_PKGS_net="iproute2 iputils-ping procps ethtool python3-scapy tcpdump curl wget wrk nginx-light iperf3 socat
               netcat-openbsd hping3 redis-server redis-tools sockperf"
AXIP_PKGS_bench="gnuplot-nox"
AXIP_PKGS_fuzz="libfuzzer-14-dev libclang-rt-14-dev"

# Print the packages of the given groups that are not installed.
axip_missing_packages() {
	local group var pkg
	for group in "$@"; do
		var="AXIP_PKGS_$group"
		if [ -z "${!var+x}" ]; then
			echo "axip_missing_packages: unknown group '$group'" >&2
			return 2
		fi
		for pkg in ${!var}; do
			dpkg-query -W -f='${Status}\n' "$pkg" 2>/dev/null | grep -q ' ok installed$' ||
				echo "$pkg"
		done
	done
}

# Install the missing packages of the given groups (apt-get update first, only
# when something is missing). Services of installed packages (nginx) are not
# started: policy-rc.d refuses them for the length of the install.
axip_ensure_packages() {
	local missing sudo=() policy=/usr/sbin/policy-rc.d made_policy=0 rc=0
	missing=$(axip_missing_packages "$@") || return
	[ -z "$missing" ] && return 0
	missing=$(echo $missing)
	if ! command -v apt-get >/dev/null; then
		echo "missing packages and no apt-get (Debian 12 expected): $missing" >&2
		return 1
	fi
	if [ "$(id -u)" != 0 ]; then
		command -v sudo >/dev/null || { echo "missing packages (run as root to install): $missing" >&2; return 1; }
		sudo=(sudo)
	fi
	echo "installing Debian packages: $missing"
	if [ ! -e "$policy" ]; then
		printf '#!/bin/sh\nexit 101\n' | "${sudo[@]}" tee "$policy" >/dev/null &&
			"${sudo[@]}" chmod 755 "$policy" && made_policy=1
	fi
	export DEBIAN_FRONTEND=noninteractive
	"${sudo[@]}" apt-get update -qq || rc=$?
	if [ $rc = 0 ]; then
		# shellcheck disable=SC2086 # word splitting intended
		"${sudo[@]}" apt-get install -y -qq --no-install-recommends $missing >/tmp/axip-apt.log 2>&1 ||
			{ rc=$?; tail -n 30 /tmp/axip-apt.log >&2; }
	fi
	[ $made_policy = 1 ] && "${sudo[@]}" rm -f "$policy"
	if [ $rc != 0 ]; then
		echo "package installation failed (rc $rc)" >&2
		return $rc
	fi
	missing=$(axip_missing_packages "$@")
	if [ -n "$missing" ]; then
		echo "still missing after install: $(echo $missing)" >&2
		return 1
	fi
}
