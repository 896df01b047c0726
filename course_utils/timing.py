"""Timing code the way a careful experiment would: warm up first, repeat, keep the best."""

from __future__ import annotations

import time
from collections.abc import Callable


def best_time(function: Callable[[], object], repeat: int = 3, warmup: int = 1) -> float:
    """Seconds of the fastest of ``repeat`` calls, after ``warmup`` untimed calls.

    The minimum is the least noisy estimate of what the code costs: slower runs measure the
    machine's other work, not the code.
    """
    if repeat < 1:
        raise ValueError("repeat must be at least 1.")
    for _ in range(warmup):
        function()
    timings = []
    for _ in range(repeat):
        started = time.perf_counter()
        function()
        timings.append(time.perf_counter() - started)
    return min(timings)
