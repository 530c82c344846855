"""Benchmarks: ratios measured in one run (machines are noisy)."""

from __future__ import annotations

import time
from collections.abc import Callable
from typing import TypeVar

T = TypeVar("T")


def timed(fn: Callable[[], T]) -> tuple[float, T]:
    """Seconds ``fn()`` took, and what it returned."""
    start = time.perf_counter()
    out = fn()
    return time.perf_counter() - start, out
