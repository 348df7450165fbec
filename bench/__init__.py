"""Benchmarks: `make bench` runs every bench_*.py module here and prints its figures.

Each module defines `run(report, gpu=False)`; `report(name, value, unit, target=None)` prints
one line. Use `median_time(fn, runs)` for timings: medians over several runs, after a warm-up.
"""
from __future__ import annotations

import statistics
import time


def median_time(fn, runs: int = 5, warmup: int = 1) -> float:
    for _ in range(warmup):
        fn()
    times = []
    for _ in range(runs):
        t0 = time.perf_counter()
        fn()
        times.append(time.perf_counter() - t0)
    return statistics.median(times)
