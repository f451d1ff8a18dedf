#!/usr/bin/python3
"""What the running kernel says to AF_XDP's XDP_MAX_TX_SKB_BUDGET (Linux
6.17+) on a socket with a TX ring: prints "raised" or "refused <errno>".
scripts/vm/guest-testbed.sh checks the sender's own report against it, so
the fallback is tested against the kernel, not assumed. Sends nothing."""
import errno
import socket
import struct

AF_XDP, SOL_XDP, XDP_TX_RING, XDP_MAX_TX_SKB_BUDGET = 44, 283, 3, 9  # linux/socket.h, linux/if_xdp.h

s = socket.socket(AF_XDP, socket.SOCK_RAW, 0)
s.setsockopt(SOL_XDP, XDP_TX_RING, struct.pack("I", 2048))
try:
    s.setsockopt(SOL_XDP, XDP_MAX_TX_SKB_BUDGET, struct.pack("I", 2048))
    print("raised")
except OSError as e:
    print("refused", errno.errorcode.get(e.errno, e.errno))
