"""TCP listener for a sink namespace: completes handshakes on one port.

Bound to 0.0.0.0 so, with the sink's AnyIP routes, every address of every
target prefix answers SYN with SYN-ACK on this port (closed ports get the
kernel's RST). Accepted connections are closed at once. Writes READY_FILE
once listening so `up` knows the sink is ready.
Usage: tcp_listener.py PORT READY_FILE
"""
import signal
import socket
import sys


def main():
    port, ready = int(sys.argv[1]), sys.argv[2]
    signal.signal(signal.SIGTERM, lambda *_: sys.exit(0))
    s = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    s.bind(("0.0.0.0", port))
    s.listen(4096)
    with open(ready, "w") as f:
        f.write("listening\n")
    while True:
        try:
            conn, _ = s.accept()
            conn.close()
        except OSError:
            continue


if __name__ == "__main__":
    main()
