#!/usr/bin/python3
"""Counts Time Exceeded replies from one router, run inside the prober namespace.

Sends COUNT UDP probes with TTL to DST spread evenly over SECONDS (varied
ports, a bounded loop), then listens 0.5 s more, and prints how many ICMP
Time Exceeded messages came from SRC.
Usage: icmp_rate.py DST TTL COUNT SECONDS SRC
"""
import socket
import sys
import time


def main():
    dst, ttl, count, seconds, src = sys.argv[1], int(sys.argv[2]), int(sys.argv[3]), float(sys.argv[4]), sys.argv[5]
    if not 0 < count <= 5000 or not 0 < seconds <= 10:
        sys.exit("icmp_rate.py: COUNT must be 1..5000 and SECONDS 0..10")
    raw = socket.socket(socket.AF_INET, socket.SOCK_RAW, socket.IPPROTO_ICMP)
    raw.setblocking(False)
    udp = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
    udp.setsockopt(socket.IPPROTO_IP, socket.IP_TTL, ttl)
    got = 0

    def drain():
        nonlocal got
        while True:
            try:
                pkt, (addr, _) = raw.recvfrom(2048)
            except BlockingIOError:
                return
            ihl = (pkt[0] & 15) * 4
            if len(pkt) > ihl and pkt[ihl] == 11 and addr == src:
                got += 1

    start = time.monotonic()
    for i in range(count):
        udp.sendto(b"pathmap-testbed", (dst, 33434 + i % 200))
        drain()
        while time.monotonic() < start + (i + 1) * seconds / count:
            time.sleep(seconds / count / 4)
    end = time.monotonic() + 0.5
    while time.monotonic() < end:
        drain()
        time.sleep(0.01)
    print(got)


if __name__ == "__main__":
    main()
