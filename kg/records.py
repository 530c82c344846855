"""Typed records that loaders emit and the build consumes.

A loader knows nothing of stores: it yields ``Node`` and ``Edge`` records with provenance and a
``SourceInfo`` describing what it read (files, checksums, licence), plus a report of what it
loaded and skipped, so that nothing is dropped silently.
"""

from __future__ import annotations

import hashlib
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from kg.schema import Label, Rel


@dataclass(frozen=True, slots=True)
class Node:
    id: str
    label: Label
    props: dict[str, Any]
    source: str
    source_version: str


@dataclass(frozen=True, slots=True)
class Edge:
    src: str
    rel: Rel
    dst: str
    source: str
    source_version: str
    props: dict[str, Any] = field(default_factory=dict)


@dataclass(frozen=True)
class SourceFile:
    """A file a loader read. ``source``/``release``/``licence`` are set when the file belongs
    to another source than the loader's (HGNC read by CIViC); otherwise the loader's apply."""

    path: str
    sha256: str
    rows: int | None = None
    source: str | None = None
    release: str | None = None
    licence: str | None = None


@dataclass
class SourceInfo:
    """Provenance of one loader run: refused by the build when name/version/licence are empty."""

    name: str
    version: str
    licence: str
    citation: str
    files: list[SourceFile] = field(default_factory=list)
    private: bool = False


@dataclass
class LoadResult:
    source: SourceInfo
    nodes: list[Node] = field(default_factory=list)
    edges: list[Edge] = field(default_factory=list)
    #: reason -> count of input rows not turned into records (or turned into weaker ones)
    skipped: Counter = field(default_factory=Counter)
    #: what was loaded, e.g. {"evidence rows": 3650}
    loaded: Counter = field(default_factory=Counter)
    notes: list[str] = field(default_factory=list)


def sha256_of(path: Path) -> str:
    h = hashlib.sha256()
    with open(path, "rb") as fh:
        for chunk in iter(lambda: fh.read(1 << 20), b""):
            h.update(chunk)
    return h.hexdigest()


def content_id(*parts: object, length: int = 16) -> str:
    """Stable id from content: rebuilds give the same ids for the same statements."""
    text = "\x1f".join("" if p is None else str(p) for p in parts)
    return hashlib.sha256(text.encode()).hexdigest()[:length]
