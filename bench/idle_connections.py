#!/usr/bin/python3
"""Idle keep-alive connections: opens N connections to 127.0.0.1:PORT, sends one GET on each and
reads its answer (so that each is a served HTTP/1.1 connection), then holds them all idle and
reads the server's RSS from /proc/PID/status. Prints the RSS before, with all open, and per
connection, then a `result ...` line; exits 1 unless every connection was answered 200.

    idle_connections.py PORT PID [N] [PATH]     (default 1000 connections, /v1/users/42)
"""
import socket
import sys


def rss_kib(pid):
    with open(f"/proc/{pid}/status") as status:
        for line in status:
            if line.startswith("VmRSS:"):
                return int(line.split()[1])
    return 0


def read_answer(sock):
    """Reads one answer with a Content-Length body; returns its status code."""
    data = b""
    while b"\r\n\r\n" not in data:
        chunk = sock.recv(65536)
        if not chunk:
            return 0
        data += chunk
    head, _, body = data.partition(b"\r\n\r\n")
    length = 0
    for line in head.split(b"\r\n")[1:]:
        name, _, value = line.partition(b":")
        if name.strip().lower() == b"content-length":
            length = int(value)
    while len(body) < length:
        chunk = sock.recv(65536)
        if not chunk:
            return 0
        body += chunk
    return int(head.split(b" ")[1])


def main():
    port, pid = int(sys.argv[1]), int(sys.argv[2])
    count = int(sys.argv[3]) if len(sys.argv) > 3 else 1000
    path = sys.argv[4] if len(sys.argv) > 4 else "/v1/users/42"
    before = rss_kib(pid)
    request = f"GET {path} HTTP/1.1\r\nHost: bench\r\n\r\n".encode()
    sockets, answered = [], 0
    for _ in range(count):
        sock = socket.create_connection(("127.0.0.1", port), timeout=10)
        sock.sendall(request)
        answered += read_answer(sock) == 200
        sockets.append(sock)
    held = rss_kib(pid)
    per_connection = (held - before) / count
    print(f"{count} keep-alive connections answered 200: {answered}")
    print(f"server RSS {before / 1024:.1f} MiB before, {held / 1024:.1f} MiB with all held idle: "
          f"{per_connection:.1f} KiB per idle connection")
    print(f"result connections={count} answered={answered} rss_before_kib={before} "
          f"rss_held_kib={held} per_connection_kib={per_connection:.1f}")
    for sock in sockets:
        sock.close()
    return 0 if answered == count else 1


if __name__ == "__main__":
    sys.exit(main())
