"""HGNC gene resolution: symbol, alias, previous symbol or Entrez id → one HGNC record.

Sources name genes as they were named when curated (HER2, MLL, C10orf54 …). The HGNC complete set
lists approved symbols with their aliases and previous symbols; resolving through it makes a CIViC
gene, a MOAlmanac gene and a curated gene the same ``HGNC:<n>`` node. Two column layouts are read:
the HGNC custom download (``HGNC ID``, ``Approved symbol`` …, as in ../shared/data/hgnc) and the
official ``hgnc_complete_set.txt`` (``hgnc_id``, ``symbol``, ``alias_symbol`` …).
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

import pandas as pd

from kg import schema as S

#: our field → accepted header names (custom download first, then the official complete set)
_COLUMNS = {
    "hgnc_id": ("HGNC ID", "hgnc_id"),
    "symbol": ("Approved symbol", "symbol"),
    "name": ("Approved name", "name"),
    "status": ("Status", "status"),
    "aliases": ("Alias symbols", "alias_symbol"),
    "previous": ("Previous symbols", "prev_symbol"),
    "entrez": ("NCBI Gene ID(supplied by NCBI)", "NCBI Gene ID", "entrez_id"),
}
_SPLIT = re.compile(r"[|,]")


@dataclass(frozen=True)
class GeneRecord:
    hgnc_id: str
    symbol: str
    name: str
    entrez: str | None

    @property
    def node_id(self) -> str:
        return S.gene_id(self.hgnc_id, self.symbol)


class GeneResolver:
    """Lookup tables built once from the HGNC file; ``resolve`` tries the surest key first."""

    def __init__(self, records: list[GeneRecord], aliases: dict[str, set[str]],
                 previous: dict[str, set[str]]):
        self.by_id = {r.hgnc_id: r for r in records}
        self.by_symbol = {r.symbol.upper(): r for r in records}
        self.by_entrez = {r.entrez: r for r in records if r.entrez}
        self._previous = previous
        self._aliases = aliases

    @classmethod
    def from_file(cls, path: Path) -> GeneResolver:
        with open(path, encoding="utf-8") as fh:
            header = fh.readline().rstrip("\n").split("\t")
        use: dict[str, str] = {}
        for key, names in _COLUMNS.items():
            found = next((n for n in names if n in header), None)
            if found is None and key in ("hgnc_id", "symbol"):
                raise ValueError(f"{path}: not an HGNC file (no column {' or '.join(names)})")
            if found:
                use[key] = found
        df = pd.read_csv(path, sep="\t", dtype=str, usecols=list(use.values()),
                         keep_default_na=False)
        cols = {key: df[col].str.strip('" ').tolist() for key, col in use.items()}
        n = len(df)
        empty = [""] * n
        status = cols.get("status", empty)
        records: list[GeneRecord] = []
        aliases: dict[str, set[str]] = {}
        previous: dict[str, set[str]] = {}
        for i in range(n):
            if status[i] and status[i] != "Approved":
                continue
            hid = cols["hgnc_id"][i]
            if not hid.startswith("HGNC:"):
                hid = f"HGNC:{hid}"
            records.append(GeneRecord(hid, cols["symbol"][i], cols.get("name", empty)[i],
                                      cols.get("entrez", empty)[i] or None))
            for key, table in (("aliases", aliases), ("previous", previous)):
                value = cols.get(key, empty)[i]
                if value:
                    for alias in _SPLIT.split(value):
                        if alias.strip():
                            table.setdefault(alias.strip().upper(), set()).add(hid)
        return cls(records, aliases, previous)

    def resolve(self, symbol: str | None = None, entrez: str | None = None) -> GeneRecord | None:
        """Entrez first (unambiguous), then approved symbol, previous symbol, alias.

        A previous symbol or alias shared by several approved genes resolves to nothing: a wrong
        gene is worse than an unresolved one (the caller keeps a ``gene:<symbol>`` node).
        """
        if entrez and str(entrez).strip() in self.by_entrez:
            return self.by_entrez[str(entrez).strip()]
        if not symbol:
            return None
        key = symbol.strip().upper()
        if key in self.by_symbol:
            return self.by_symbol[key]
        for table in (self._previous, self._aliases):
            ids = table.get(key)
            if ids and len(ids) == 1:
                return self.by_id[next(iter(ids))]
        return None

    def symbol(self, symbol: str) -> str:
        """The approved symbol for any name HGNC knows, else the name unchanged."""
        rec = self.resolve(symbol)
        return rec.symbol if rec else symbol.strip()


@lru_cache(maxsize=4)
def gene_resolver(path: Path) -> GeneResolver:
    """One resolver per file per process (the file has ~49k rows; parsing takes ~0.3 s)."""
    return GeneResolver.from_file(path)


def hgnc_file(folder: Path) -> Path:
    """The HGNC table in its folder (newest by name)."""
    found = sorted(folder.glob("hgnc_complete*.t*")) or sorted(folder.glob("*.tsv"))
    if not found:
        raise FileNotFoundError(f"no HGNC complete set in {folder}")
    return found[-1]
