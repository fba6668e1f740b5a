"""Loopback ports for the servers a script starts.

A port the kernel picks for bind(0) lies in its ephemeral range, which it also hands to outgoing
connections; between the pick and the server's own bind another process's connection may take it
("address already in use"). So ports come from just below that range, each handed out once.
"""
import os
import socket

_handed_out = set()


def _ephemeral_start():
    try:
        with open("/proc/sys/net/ipv4/ip_local_port_range") as f:
            return int(f.read().split()[0])
    except (OSError, ValueError, IndexError):
        return 32768


def _free(port):
    for kind in (socket.SOCK_STREAM, socket.SOCK_DGRAM):
        with socket.socket(socket.AF_INET, kind) as s:
            if kind == socket.SOCK_STREAM:
                s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
            try:
                s.bind(("127.0.0.1", port))
            except OSError:
                return False
    return True


def free_port():
    """A TCP and UDP port on 127.0.0.1 nothing is bound to, outside the ephemeral range."""
    upper = max(2048, _ephemeral_start())
    lower = max(1024, upper - 12000)
    span = upper - lower
    start = os.getpid() * 97 % span
    for step in range(span):
        port = lower + (start + step) % span
        if port not in _handed_out and _free(port):
            _handed_out.add(port)
            return port
    raise OSError(f"no free port in {lower}-{upper - 1}")
