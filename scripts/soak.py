#!/usr/bin/env python3
"""Soak: hostile clients and a failing cache disk against an origin, an edge and the redirector,
each in its own process on loopback, beside a mixed load of well-behaved clients whose every
answer is checked. Prints, per server, resident memory, descriptors and CPU before, at peak and
after, and the errors the well-behaved clients saw. Every loop is bounded in count and time.

    scripts/soak [--seconds 60] [--bin .build/release/dashcdn]
"""
import argparse
import json
import os
import random
import shutil
import signal
import socket
import struct
import subprocess
import sys
import tempfile
import threading
import time
import urllib.request

from loopback_ports import free_port

SEGMENTS = 12
SEGMENT_BYTES = 1 << 20
BIG_BYTES = 9_000_000



def proc_figures(pid):
    """Resident MB, open descriptors, CPU seconds of a process."""
    try:
        with open(f"/proc/{pid}/status") as f:
            rss = next(int(l.split()[1]) for l in f if l.startswith("VmRSS:")) / 1024
        fds = len(os.listdir(f"/proc/{pid}/fd"))
        with open(f"/proc/{pid}/stat") as f:
            fields = f.read().rsplit(")", 1)[1].split()
        cpu = (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")
        return rss, fds, cpu
    except (OSError, StopIteration):
        return 0.0, 0, 0.0


class Watch(threading.Thread):
    """Samples every server's figures every 100 ms, keeping the peaks."""

    def __init__(self, servers):
        super().__init__(daemon=True)
        self.servers = servers
        self.peak = {name: [0.0, 0] for name in servers}
        self.running = True

    def run(self):
        while self.running:
            for name, process in self.servers.items():
                rss, fds, _ = proc_figures(process.pid)
                self.peak[name][0] = max(self.peak[name][0], rss)
                self.peak[name][1] = max(self.peak[name][1], fds)
            time.sleep(0.1)


def dns_query(name, qtype=1, qid=None):
    qid = random.randrange(65536) if qid is None else qid
    body = struct.pack(">HHHHHH", qid, 0, 1, 0, 0, 0)
    for label in name.split("."):
        body += bytes([len(label)]) + label.encode()
    return body + b"\x00" + struct.pack(">HH", qtype, 1)


def connect(port, source=None, rcvbuf=None):
    s = socket.socket()
    if rcvbuf:
        s.setsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF, rcvbuf)
    if source:
        s.bind((source, 0))
    s.settimeout(5)
    s.connect(("127.0.0.1", port))
    return s


# --- hostile clients -------------------------------------------------------------------------

def pipeliner(port, unit, seconds, count=300_000):
    """Sends `unit` over and over, never reading, until the server stops taking bytes."""
    try:
        s = connect(port, rcvbuf=4096)
        s.settimeout(2)
        block = unit * 256
        sent, deadline = 0, time.time() + seconds
        while sent < count and time.time() < deadline:
            try:
                s.sendall(block)
                sent += 256
            except (socket.timeout, OSError):
                break
        time.sleep(1)
        s.close()
        return sent
    except OSError:
        return 0


def open_many(port, count, source):
    """Up to `count` connections from `source`, as many as the server accepts."""
    sockets = []
    for _ in range(count):
        try:
            sockets.append(connect(port, source=source))
        except OSError:
            break
    return sockets


def slowloris(port, count, seconds, source, unit):
    """`count` connections dripping one byte of `unit` a second; returns how many the server cut."""
    sockets = open_many(port, count, source)
    cut, deadline, i = 0, time.time() + seconds, 0
    while time.time() < deadline and sockets:
        alive = []
        for s in sockets:
            try:
                s.send(unit[i % len(unit):i % len(unit) + 1])
                alive.append(s)
            except OSError:
                cut += 1
                s.close()
        sockets, i = alive, i + 1
        time.sleep(1)
    for s in sockets:
        s.close()
    return cut


def flood_connections(port, count, source):
    """Opens `count` idle connections from one address; returns how many the server kept."""
    sockets = open_many(port, count, source)
    time.sleep(0.5)
    kept = 0
    for s in sockets:
        s.setblocking(False)
        try:
            s.recv(1)  # end of stream, or the 503 an edge sends before closing
        except BlockingIOError:
            kept += 1  # open and silent: held
        except OSError:
            pass
        s.close()
    return kept


# --- well-behaved clients --------------------------------------------------------------------

class Tally:
    def __init__(self):
        self.lock = threading.Lock()
        self.ok = 0
        self.errors = {}

    def good(self):
        with self.lock:
            self.ok += 1

    def bad(self, what):
        with self.lock:
            self.errors[what] = self.errors.get(what, 0) + 1


def viewer(tally, edge, sizes, stop, seed):
    """Fetches segments through the edge, checking every length."""
    rng = random.Random(seed)
    while not stop.is_set():
        name = rng.choice(list(sizes))
        try:
            with urllib.request.urlopen(f"http://127.0.0.1:{edge}/media/soak/v/{name}", timeout=20) as response:
                body = response.read()
            if len(body) == sizes[name]:
                tally.good()
            else:
                tally.bad(f"edge short body {name}: {len(body)} of {sizes[name]}")
        except Exception as error:  # noqa: BLE001 - every failure is counted by kind
            tally.bad(f"edge {type(error).__name__}: {str(error)[:80]}")


def resolver(tally, dns, stop):
    """UDP queries at a steady pace, checking each answer's ID and rcode."""
    s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
    s.settimeout(2)
    while not stop.is_set():
        qid = random.randrange(65536)
        try:
            s.sendto(dns_query("video.cdn.example.test", qid=qid), ("127.0.0.1", dns))
            reply = s.recv(4096)
            ok = struct.unpack(">H", reply[:2])[0] == qid and reply[3] & 0xF == 0
            tally.good() if ok else tally.bad("dns wrong answer")
        except OSError as error:
            tally.bad(f"dns {type(error).__name__}")
        time.sleep(0.005)


def redirected(tally, http, stop):
    """302s from the redirector, pointing at the edge."""
    while not stop.is_set():
        try:
            s = connect(http)
            s.sendall(b"GET /media/soak/v/1.m4s HTTP/1.1\r\nHost: t\r\nConnection: close\r\n\r\n")
            answer = b""
            while chunk := s.recv(4096):
                answer += chunk
            s.close()
            tally.good() if answer.startswith(b"HTTP/1.1 302") else tally.bad(f"302 expected: {answer[:40]!r}")
        except OSError as error:
            tally.bad(f"redirector {type(error).__name__}")
        time.sleep(0.02)


# --- the run ---------------------------------------------------------------------------------

def make_root(root):
    media = os.path.join(root, "Media/soak/v")
    os.makedirs(media)
    os.makedirs(os.path.join(root, "Manifests"))
    with open(os.path.join(root, "Manifests/soak.mpd"), "w") as f:
        f.write("<?xml version=\"1.0\"?>\n<MPD>\n" + "<!-- representation -->\n" * 80 + "</MPD>\n")
    sizes = {}
    for index in range(1, SEGMENTS + 1):
        sizes[f"{index}.m4s"] = SEGMENT_BYTES + index
    sizes["big.m4s"] = BIG_BYTES
    for name, size in sizes.items():
        with open(os.path.join(media, name), "wb") as f:
            f.write(os.urandom(size))
    return sizes


def mount_small_cache(path):
    os.makedirs(path, exist_ok=True)
    result = subprocess.run(["mount", "-t", "tmpfs", "-o", "size=8m", "tmpfs", path], capture_output=True)
    return result.returncode == 0


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--seconds", type=float, default=60, help="length of the mixed load (the attacks run within it)")
    parser.add_argument("--bin", default=".build/release/dashcdn")
    args = parser.parse_args()
    work = tempfile.mkdtemp(prefix="soak.")
    sizes = make_root(work)
    disk = os.path.join(work, "disk")
    small_disk = mount_small_cache(disk)
    cache = os.path.join(disk, "cache")
    ports = {name: free_port() for name in ("origin", "edge", "dns", "http")}
    config = os.path.join(work, "cdn.yaml")
    with open(config, "w") as f:
        f.write(f"""domain: cdn.example.test
routing_name: video
ttl: 5
origin: {{listen: 127.0.0.1:{ports['origin']}, root: {work}}}
redirector:
  dns: 127.0.0.1:{ports['dns']}
  http: 127.0.0.1:{ports['http']}
  decision_log: off
  rate_limit: {{responses_per_second: 0}}
edges:
  - {{name: edge-a, listen: 127.0.0.1:{ports['edge']}, location: {{lat: 40.7, lon: -74.0}}, cache_dir: {cache}}}
coverage:
  - {{name: east, networks: [127.0.0.0/8], location: {{lat: 42.3, lon: -71.0}}}}
default_location: {{lat: 39.1, lon: -94.6}}
limits: {{access_log: off}}
""")
    log = open(os.path.join(work, "servers.log"), "w")
    servers = {
        "origin": subprocess.Popen([args.bin, "origin", "--root", work, "--port", str(ports["origin"]), "--access-log", "off"],
                                   stdout=log, stderr=log),
        "edge": subprocess.Popen([args.bin, "edge", "--config", config, "--name", "edge-a"], stdout=log, stderr=log),
        "redirector": subprocess.Popen([args.bin, "redirector", "--config", config], stdout=log, stderr=log),
    }
    try:
        for port in ports.values():
            deadline = time.time() + 30
            while True:
                try:
                    connect(port).close()
                    break
                except OSError:
                    if time.time() > deadline:
                        sys.exit(f"soak: a server did not start; see {log.name}")
                    time.sleep(0.1)
        # The servers start side by side: the redirector's first health check may find the edge
        # not listening yet (refused: down until the next check). Load starts once it routes.
        deadline = time.time() + 10
        while time.time() < deadline:
            try:
                s = connect(ports["http"])
                s.sendall(b"GET /ready HTTP/1.1\r\nHost: t\r\nConnection: close\r\n\r\n")
                routed = s.recv(12).startswith(b"HTTP/1.1 302")
                s.close()
                if routed:
                    break
            except OSError:
                pass
            time.sleep(0.1)
        print(f"soak: origin :{ports['origin']}, edge :{ports['edge']} (cache {'on an 8 MiB tmpfs' if small_disk else 'on disk'}), "
              f"redirector DNS :{ports['dns']} HTTP :{ports['http']}; {args.seconds:.0f} s of mixed load", flush=True)
        before = {name: proc_figures(p.pid) for name, p in servers.items()}
        watch = Watch(servers)
        watch.start()
        tally, stop = Tally(), threading.Event()
        workers = [threading.Thread(target=viewer, args=(tally, ports["edge"], sizes, stop, seed)) for seed in range(6)]
        workers += [threading.Thread(target=resolver, args=(tally, ports["dns"], stop)),
                    threading.Thread(target=redirected, args=(tally, ports["http"], stop))]
        for worker in workers:
            worker.start()
        start = time.time()
        attacks = run_attacks(ports, work, cache, args.seconds)
        while time.time() - start < args.seconds:
            time.sleep(0.5)
        stop.set()
        for worker in workers:
            worker.join(30)
        time.sleep(2)
        watch.running = False
        watch.join()
        after = {name: proc_figures(p.pid) for name, p in servers.items()}
        report(servers, before, watch.peak, after, tally, attacks)
        crashed = [name for name, p in servers.items() if p.poll() is not None]
        if crashed:
            print(f"soak: FAILED: {', '.join(crashed)} exited")
            return 1
        return 1 if tally.errors else 0
    finally:
        for process in servers.values():
            if process.poll() is None:
                process.send_signal(signal.SIGTERM)
        for process in servers.values():
            try:
                process.wait(10)
            except subprocess.TimeoutExpired:
                process.kill()
        if small_disk:
            subprocess.run(["umount", "-l", disk])
        shutil.rmtree(work, ignore_errors=True)


def run_attacks(ports, work, cache, seconds):
    """Every attack at once, then the disk-side ones; returns what each achieved."""
    http = lambda path: f"GET {path} HTTP/1.1\r\nHost: t\r\n\r\n".encode()  # noqa: E731
    tcp_query = lambda: struct.pack(">H", len(q := dns_query("video.cdn.example.test"))) + q  # noqa: E731
    results = {}
    budget = max(10, seconds / 3)

    def record(name, function, *arguments):
        results[name] = function(*arguments)

    threads = [
        threading.Thread(target=record, args=("pipeliner origin", pipeliner, ports["origin"], http("/manifests/soak.mpd"), budget)),
        threading.Thread(target=record, args=("pipeliner edge", pipeliner, ports["edge"], http("/media/soak/v/1.m4s"), budget)),
        threading.Thread(target=record, args=("pipeliner redirector", pipeliner, ports["http"], http("/media/soak/v/1.m4s"), budget)),
        threading.Thread(target=record, args=("pipeliner dns-tcp", pipeliner, ports["dns"], tcp_query(), budget)),
        threading.Thread(target=record, args=("slowloris redirector", slowloris, ports["http"], 200, 16, "127.0.0.66",
                                              http("/media/soak/v/1.m4s"))),
        threading.Thread(target=record, args=("slowloris dns-tcp", slowloris, ports["dns"], 30, 16, "127.0.0.67", tcp_query())),
        threading.Thread(target=record, args=("connections kept of 2000, redirector", flood_connections, ports["http"], 2000,
                                              "127.0.0.68")),
        threading.Thread(target=record, args=("connections kept of 2000, edge", flood_connections, ports["edge"], 2000, "127.0.0.69")),
    ]
    for thread in threads:
        thread.start()
    # A FIFO where a segment should be: the origin must answer at once.
    fifo = os.path.join(work, "Media/soak/v/fifo.m4s")
    os.mkfifo(fifo)
    t = time.time()
    try:
        urllib.request.urlopen(f"http://127.0.0.1:{ports['origin']}/media/soak/v/fifo.m4s", timeout=5)
    except Exception as error:  # noqa: BLE001
        results["fifo answer"] = f"{getattr(error, 'code', type(error).__name__)} in {time.time() - t:.2f} s"
    # The cache folder removed under the running edge.
    shutil.rmtree(cache, ignore_errors=True)
    results["cache folder removed"] = "yes"
    for thread in threads:
        thread.join(budget + 30)
    try:
        with urllib.request.urlopen(f"http://127.0.0.1:{ports['edge']}/healthz", timeout=5) as response:
            health = json.load(response)
        results["edge /healthz cache"] = f"{health.get('cache')}, {health.get('cache_write_failures')} write failures"
    except Exception as error:  # noqa: BLE001
        results["edge /healthz cache"] = f"unanswered ({error})"
    return results


def report(servers, before, peak, after, tally, attacks):
    print()
    print(f"{'server':<12} {'RSS MB start':>12} {'peak':>8} {'end':>8} {'fds start':>10} {'peak':>6} {'end':>6} {'CPU s':>7}")
    for name in servers:
        print(f"{name:<12} {before[name][0]:>12.1f} {peak[name][0]:>8.1f} {after[name][0]:>8.1f} "
              f"{before[name][1]:>10} {peak[name][1]:>6} {after[name][1]:>6} {after[name][2] - before[name][2]:>7.1f}")
    print()
    for name, value in attacks.items():
        print(f"  {name:<40} {value}")
    print()
    print(f"well-behaved requests: {tally.ok} answered correctly, {sum(tally.errors.values())} errors")
    for what, count in sorted(tally.errors.items(), key=lambda item: -item[1])[:10]:
        print(f"  {count:>6}  {what}")


if __name__ == "__main__":
    sys.exit(main())
