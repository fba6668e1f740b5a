#!/usr/bin/env python3
"""The research reference's simulator, in plain Python as the published one is written
(Pensieve's fixed_env: 80 ms per request, bandwidth x 0.95, a 60 s buffer drained in 500 ms
steps, first segment at level 1), with BBA(5, 10) and robust MPC. scripts/bench-sim times it
beside `dashcdn simulate` and checks that both give the same QoE_lin.

usage: reference_sim.py VIDEO.json TRACES_DIR RULE [MAX_TRACES]
prints: sessions, seconds, mean QoE_lin
"""
import itertools
import json
import os
import sys
import time


def load_trace(path):
    times, mbps = [], []
    with open(path) as handle:
        for line in handle:
            fields = line.split()
            if fields:
                times.append(float(fields[0]))
                mbps.append(float(fields[1]))
    return times, mbps


class Link:
    def __init__(self, times, mbps):
        self.times, self.mbps, self.pointer, self.last = times, mbps, 1, times[0]

    def _step(self):
        self.pointer += 1
        if self.pointer >= len(self.mbps):
            self.pointer, self.last = 1, 0.0

    def transmit(self, size):
        elapsed, sent = 0.0, 0.0
        while True:
            rate = self.mbps[self.pointer] * 1e6 / 8
            duration = self.times[self.pointer] - self.last
            payload = rate * duration * 0.95
            if sent + payload > size:
                fraction = (size - sent) / rate / 0.95
                self.last += fraction
                return elapsed + fraction
            sent += payload
            elapsed += duration
            self.last = self.times[self.pointer]
            self._step()

    def idle(self, seconds):
        while True:
            duration = self.times[self.pointer] - self.last
            if duration > seconds:
                self.last += seconds
                return
            seconds -= duration
            self.last = self.times[self.pointer]
            self._step()


def bba(state):
    buffer, top = state["buffer"], state["levels"] - 1
    if buffer < 5:
        return 0
    if buffer >= 15:
        return top
    return int(top * (buffer - 5) / 10)


COMBOS = list(itertools.product(range(6), repeat=5))


def robust_mpc(state):
    history, errors, bitrates, sizes = state["history"], state["errors"], state["bitrates"], state["sizes"]
    if state.get("forecast"):
        errors.append(abs(state["forecast"] - history[-1]) / history[-1])
    else:
        errors.append(0.0)
    recent = history[-5:]
    harmonic = len(recent) / sum(1 / x for x in recent)
    state["forecast"] = harmonic
    predicted = harmonic / (1 + max(errors[-5:]))
    first = state["segment"]
    horizon = min(5, len(sizes) - first)
    best, choice = -1e18, 0
    for full in COMBOS:
        combo = full[:horizon]
        buffer, rebuffer, bitrate_sum, smooth, last = state["buffer"], 0.0, 0, 0, state["last"]
        for position, level in enumerate(combo):
            download = sizes[first + position][level] / predicted
            if buffer < download:
                rebuffer += download - buffer
                buffer = 0.0
            else:
                buffer -= download
            buffer += 4
            bitrate_sum += bitrates[level]
            smooth += abs(bitrates[level] - bitrates[last])
            last = level
        reward = bitrate_sum / 1000 - 4.3 * rebuffer - smooth / 1000
        if reward >= best:
            best, choice = reward, combo[0]
    return choice


def session(video, times, mbps, rule):
    bitrates = video["bitrates_kbps"]
    sizes = [[bits / 8 for bits in row] for row in video["segment_sizes_bits"]]
    duration = video["segment_duration_ms"] / 1000
    link = Link(times, mbps)
    state = {"buffer": 0.0, "levels": len(bitrates), "history": [], "errors": [],
             "bitrates": bitrates, "sizes": sizes}
    level, last, qoe = 1, 1, 0.0
    for segment in range(len(sizes)):
        size = sizes[segment][level]
        delay = link.transmit(size) + 0.08
        stall = max(delay - state["buffer"], 0.0)
        buffer = max(state["buffer"] - delay, 0.0) + duration
        if buffer > 60:
            sleep = -(-(buffer - 60) // 0.5) * 0.5
            buffer -= sleep
            link.idle(sleep)
        if segment > 0:
            qoe += bitrates[level] / 1000 - 4.3 * stall - abs(bitrates[level] - bitrates[last]) / 1000
        last = level
        state.update(buffer=buffer, last=level, segment=segment + 1)
        state["history"].append(size / delay)
        if segment + 1 < len(sizes):
            level = rule(state)
    return qoe


def main():
    video_path, traces_dir, rule_name = sys.argv[1:4]
    limit = int(sys.argv[4]) if len(sys.argv) > 4 else None
    video = json.load(open(video_path))
    names = sorted(os.listdir(traces_dir))[:limit]
    rule = {"bba": bba, "robustmpc": robust_mpc}[rule_name]
    traces = [load_trace(os.path.join(traces_dir, name)) for name in names]
    start = time.perf_counter()
    scores = [session(video, times, mbps, rule) for times, mbps in traces]
    elapsed = time.perf_counter() - start
    print(len(scores), f"{elapsed:.3f}", f"{sum(scores) / len(scores):.4f}")


if __name__ == "__main__":
    main()
