"""Every CSV the project writes goes through here, so that a spreadsheet never runs a cell.

A text cell that starts with ``=``, ``+``, ``-``, ``@``, a tab or a carriage return is read as a
formula by Excel, LibreOffice and Google Sheets (``=cmd|' /C calc'!A0``, ``+HYPERLINK(…)``,
``@SUM(…)``). OWASP's rule (CSV Injection): prefix such a cell with a single quote, which the
spreadsheet shows as text and does not evaluate. Numbers are numbers, not text, and are left as
they are (``-0.5`` stays a number); a text cell ``-0.5`` gets the quote like any other.
"""

from __future__ import annotations

import csv
import io
from collections.abc import Iterable
from pathlib import Path
from typing import Any, TextIO

import pandas as pd

FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")


def neutralise(value: Any) -> Any:
    """The value a spreadsheet shows as text: a quote before a formula-like string."""
    if isinstance(value, str) and value.startswith(FORMULA_STARTS):
        return "'" + value
    return value


def neutralise_frame(df: pd.DataFrame, skip: Iterable[str] = ()) -> pd.DataFrame:
    """A copy of ``df`` whose text columns are neutralised (columns in ``skip`` left alone)."""
    skip = set(skip)
    out = df.copy()
    for col in out.columns:
        if col in skip or pd.api.types.is_numeric_dtype(out[col].dtype) \
                or pd.api.types.is_bool_dtype(out[col].dtype):
            continue
        out[col] = out[col].map(neutralise, na_action="ignore")
    return out


def frame_to_csv(df: pd.DataFrame, target: Path | TextIO | None = None,
                 skip: Iterable[str] = (), **options: Any) -> str | None:
    """``DataFrame.to_csv`` with formula cells neutralised (no index unless asked)."""
    options.setdefault("index", False)
    return neutralise_frame(df, skip).to_csv(target, **options)


def rows_to_csv(columns: list[str], rows: Iterable[Iterable[Any]], target: TextIO) -> None:
    """``csv.writer`` rows with formula cells neutralised (headers too)."""
    writer = csv.writer(target)
    writer.writerow([neutralise(c) for c in columns])
    for row in rows:
        writer.writerow([neutralise(v) for v in row])


def csv_bytes(df: pd.DataFrame) -> bytes:
    """A download button's payload."""
    buf = io.StringIO()
    frame_to_csv(df, buf)
    return buf.getvalue().encode()
