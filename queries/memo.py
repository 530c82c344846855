"""Results shared between analyses of one built graph, keyed on the artefact and parameters.

Why: several analyses (tumour_agnostic, histology_dependence, gaps, candidate_cohorts) and the
UI pages that show them start from the same per-histology model and the same hierarchy roll-ups.
A published build never changes (a rebuild is a new folder), so (artefact path, built_at,
function, parameters) identifies a result. Frames are handed out as (copy-on-write) copies so
a caller that adds a column cannot change what the next caller sees. ``clear()`` empties every
cache (the benchmarks use it to time cold runs).
"""

from __future__ import annotations

import functools
from collections import OrderedDict
from collections.abc import Callable
from typing import Any, TypeVar

import pandas as pd

from kg.artefact import Artefact

F = TypeVar("F", bound=Callable[..., Any])
MAX_ENTRIES = 64
_CACHES: list[OrderedDict] = []
_CLEARERS: list[Callable[[], None]] = []


def artefact_key(art: Artefact) -> tuple[str, str]:
    return str(art.path), str(art.manifest.get("built_at", ""))


def _copy(value: Any) -> Any:
    if isinstance(value, pd.DataFrame | pd.Series):
        # shallow: under copy-on-write (always on from pandas 3) a change to the copy copies
        # the data it touches, so the cached frame stays as it was
        out = value.copy(deep=False)
        out.attrs = dict(value.attrs)
        return out
    if isinstance(value, set | dict | list):
        return value.copy()
    return value


def per_artefact(fn: F) -> F:
    """Memoise ``fn(art, *args, **kwargs)`` on the artefact's identity and the arguments
    (which must be hashable). The least recently used of ``MAX_ENTRIES`` results is dropped."""
    cache: OrderedDict = OrderedDict()
    _CACHES.append(cache)

    @functools.wraps(fn)
    def wrapper(art: Artefact, *args: Any, **kwargs: Any) -> Any:
        key = (artefact_key(art), args, tuple(sorted(kwargs.items())))
        if key in cache:
            cache.move_to_end(key)
            return _copy(cache[key])
        value = fn(art, *args, **kwargs)
        cache[key] = value
        if len(cache) > MAX_ENTRIES:
            cache.popitem(last=False)
        return _copy(value)

    return wrapper  # type: ignore[return-value]


def also_clear(clear_fn: Callable[[], None]) -> None:
    """Have ``clear()`` also call ``clear_fn`` (caches keyed on values, such as model fits)."""
    _CLEARERS.append(clear_fn)


def clear() -> None:
    """Forget every memoised result (cold timings, tests that rebuild in place)."""
    for cache in _CACHES:
        cache.clear()
    for clear_fn in _CLEARERS:
        clear_fn()
