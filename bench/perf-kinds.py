#!/usr/bin/env python3
# SPDX-License-Identifier: BSD-2-Clause
"""bench/perf-kinds.py PERF_DATA COMM - a server's samples by kind, from call chains.

Used by bench/profile.sh for the unmodified programs (nginx-*, redis-*).
Each sample of COMM (recorded with -g) goes to one kind: user-space samples by
their library (the shim, axip's core, axip's AF_XDP backend, the program and
libc), kernel samples by the first anchor found in their call chain, in this
order: the veth peer's receive path (net_rx_action: on veth the receiver's
softirq runs on the sending core, so everything the server sends is received
by the client's kernel TCP on the server's core), the AF_XDP copy-mode
transmit (xsk_sendmsg: skb allocation, copy, veth xmit), socket() and close(),
kernel epoll, poll() and scheduling, the kernel TCP of the server itself (a
kernel server's sendmsg, recvmsg, accept), other system calls.
"""
import collections
import subprocess
import sys

USER = [  # (dso substring, kind)
    ("libaxip-preload", "shim (libaxip-preload)"),
    ("libaxip-xdp", "axip AF_XDP backend (user space)"),
    ("libaxip.so", "axip core (user space)"),
    ("bpf_prog", "XDP program"),
]
KERNEL = [  # (anchor symbols, kind), first match in the chain wins
    (("net_rx_action", "process_backlog", "__netif_receive_skb", "veth_poll"),
     "veth: the client's kernel receive path (softirq on the server core)"),
    (("xsk_sendmsg", "__xsk_generic_xmit", "xsk_recvmsg", "xsk_poll"),
     "AF_XDP copy-mode transmit (skb, copy, veth xmit)"),
    (("__sys_socket", "__x64_sys_socket", "__x64_sys_close", "__fput", "sock_close"),
     "socket() and close()"),
    (("do_epoll_wait", "do_epoll_ctl", "ep_poll"), "kernel epoll"),
    (("do_sys_poll", "__x64_sys_poll", "__x64_sys_ppoll", "schedule", "__schedule"),
     "poll() sleeps and scheduling"),
    (("tcp_sendmsg", "tcp_recvmsg", "inet_accept", "do_accept", "__sys_accept4", "tcp_poll",
      "sock_recvmsg", "sock_sendmsg", "tcp_v4_rcv"),
     "kernel TCP of the server (its own sockets)"),
    (("do_syscall_64", "entry_SYSCALL_64"), "other system calls (entry/exit, fcntl, futex, ...)"),
]


def kind(frames):
    sym, dso = frames[0]
    if "kernel" not in dso:
        for sub, k in USER:
            if sub in dso:
                return k
        return "the program (+libc, vdso)"
    chain = {f[0] for f in frames}
    for anchors, k in KERNEL:
        if chain.intersection(anchors):
            return k
    return "other kernel (interrupts, ...)"


def main():
    data, comm = sys.argv[1], sys.argv[2]
    out = subprocess.run(["perf", "script", "-i", data, "--comms", comm, "-F", "comm,ip,sym,dso"],
                         capture_output=True, text=True, check=False).stdout
    count, frames = collections.Counter(), []
    for line in out.splitlines() + [""]:
        if line.startswith(("\t", " ")) and line.strip():
            parts = line.strip().split(None, 1)
            if len(parts) == 2:
                sym, _, dso = parts[1].rpartition(" (")
                frames.append((sym.split("+0x")[0], dso.rstrip(")")))
            continue
        if frames:
            count[kind(frames)] += 1
        frames = []
    total = sum(count.values())
    for k, n in count.most_common():
        print(f"{100.0 * n / total:5.1f}%  {k}")
    print(f"({total} samples)")


if __name__ == "__main__":
    main()
