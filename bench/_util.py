"""Helpers for benchmarks: timing and peak memory of a call, measured in the same process."""

from __future__ import annotations

import time
import tracemalloc
from collections.abc import Callable
from typing import Any


def measure(fn: Callable[[], Any]) -> tuple[Any, float, int]:
    """(result, seconds, peak Python heap bytes) of one call."""
    tracemalloc.start()
    t0 = time.perf_counter()
    try:
        result = fn()
    finally:
        seconds = time.perf_counter() - t0
        _, peak = tracemalloc.get_traced_memory()
        tracemalloc.stop()
    return result, seconds, peak
