"""Validated reading of CSV/TSV tables: every problem reported with file, row and field.

A ``TableSpec`` lists columns with a type; ``read_table`` returns the rows as dicts of typed values
and appends an ``Issue`` for each missing column, bad number, value outside a vocabulary or
duplicated key, so that a loader can report all problems at once before writing anything.
"""

from __future__ import annotations

import csv
import io
import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from kg.errors import Issue

_INT = re.compile(r"^\s*\d+\s*$")
#: hand-written tables are small; a larger file is not one (and is not read into memory)
MAX_TABLE_BYTES = 64 * 1024 * 1024


@dataclass(frozen=True)
class Column:
    name: str
    kind: str = "str"  # str | int | float | year | bool
    required: bool = False  # value must be non-empty
    choices: tuple[str, ...] = ()
    pattern: str | None = None
    optional_column: bool = False  # the column itself may be absent


@dataclass(frozen=True)
class TableSpec:
    name: str
    columns: tuple[Column, ...]
    key: str | None = None
    extra: dict[str, Any] = field(default_factory=dict)

    @property
    def column_names(self) -> list[str]:
        return [c.name for c in self.columns]


@dataclass
class Row:
    """A validated row: ``line`` is the 1-based line in the file (header is line 1)."""

    line: int
    values: dict[str, Any]

    def __getitem__(self, key: str) -> Any:
        return self.values.get(key)


def display_path(path: Path) -> str:
    try:
        return str(path.resolve().relative_to(Path.cwd()))
    except ValueError:
        return str(path)


def read_table(path: Path, spec: TableSpec, issues: list[Issue], delimiter: str = ",") -> list[Row]:
    shown = display_path(path)
    text = _text(path, spec, shown, issues)
    if text is None:
        return []
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=delimiter)
    return _rows(_records(reader, shown, issues), spec, shown, issues)


def _records(reader, shown: str, issues: list[Issue]):
    """(line, cells) per record; a record the csv module cannot read (a cell over its 128 KB
    field limit, a stray quote) becomes an issue on its line and reading goes on."""
    while True:
        try:
            raw = next(reader)
        except StopIteration:
            return
        except csv.Error as exc:
            issues.append(Issue(shown, reader.line_num, None, f"unreadable CSV record: {exc}"))
            continue
        yield reader.line_num, raw


def _text(path: Path, spec: TableSpec, shown: str, issues: list[Issue]) -> str | None:
    """The table's text, or None with an issue: missing, a folder or device, too large, or not
    UTF-8 (the row of the first bad byte is named)."""
    if not path.exists():
        issues.append(Issue(shown, None, None, f"file not found (expected the {spec.name} table)"))
        return None
    if path.is_dir():
        issues.append(Issue(shown, None, None, f"is a folder, not the {spec.name} table"))
        return None
    if not path.is_file():  # /dev/zero would never end
        issues.append(Issue(shown, None, None, "not a regular file"))
        return None
    if path.stat().st_size > MAX_TABLE_BYTES:
        issues.append(Issue(shown, None, None, f"{path.stat().st_size:,} bytes: larger than "
                            f"the {MAX_TABLE_BYTES:,} a hand-written table can be"))
        return None
    data = path.read_bytes()
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        line = data[:exc.start].count(b"\n") + 1
        issues.append(Issue(shown, line, None, f"not UTF-8 text (byte {exc.start}: "
                            f"{data[exc.start:exc.start + 1]!r}): save the table as UTF-8"))
        return None


def _rows(reader, spec: TableSpec, shown: str, issues: list[Issue]) -> list[Row]:
    try:
        header = [h.strip() for h in next(reader)[1]]
    except StopIteration:
        issues.append(Issue(shown, 1, None, "empty file: a header line is required"))
        return []
    missing = [c.name for c in spec.columns if c.name not in header and not c.optional_column]
    for name in missing:
        issues.append(Issue(shown, 1, name, "required column is missing"))
    if missing:
        return []
    index = {h: i for i, h in enumerate(header)}
    rows: list[Row] = []
    keys: dict[str, int] = {}
    for line, raw in reader:
        if not any(cell.strip() for cell in raw):
            continue
        if len(raw) > len(header):
            issues.append(Issue(shown, line, None,
                                f"{len(raw)} fields but the header has {len(header)}"))
            continue
        values: dict[str, Any] = {}
        for col in spec.columns:
            pos = index.get(col.name)
            text = raw[pos].strip() if pos is not None and pos < len(raw) else ""
            values[col.name] = _parse(text, col, shown, line, issues)
        if spec.key:
            k = values.get(spec.key)
            if k in keys:
                issues.append(Issue(shown, line, spec.key,
                                    f"duplicate id '{k}' (first on row {keys[k]})"))
                continue
            if k:
                keys[k] = line
        rows.append(Row(line, values))
    return rows


def _parse(text: str, col: Column, file: str, line: int, issues: list[Issue]) -> Any:
    if text == "":
        if col.required:
            issues.append(Issue(file, line, col.name, "value is required"))
        return None
    if col.kind in ("int", "year"):
        if not _INT.match(text):
            issues.append(Issue(file, line, col.name, f"'{text}' is not a non-negative integer"))
            return None
        value = int(text)
        if col.kind == "year" and not 1900 <= value <= 2100:
            issues.append(Issue(file, line, col.name, f"year {value} is out of range"))
            return None
        return value
    if col.kind == "float":
        try:
            return float(text)
        except ValueError:
            issues.append(Issue(file, line, col.name, f"'{text}' is not a number"))
            return None
    if col.kind == "bool":
        low = text.lower()
        if low not in ("true", "false", "yes", "no", "1", "0"):
            issues.append(Issue(file, line, col.name, f"'{text}' is not true/false"))
            return None
        return low in ("true", "yes", "1")
    if col.choices and text not in col.choices:
        issues.append(Issue(file, line, col.name,
                            f"'{text}' is not one of {', '.join(col.choices)}"))
        return None
    if col.pattern and not re.fullmatch(col.pattern, text):
        issues.append(Issue(file, line, col.name, f"'{text}' does not match {col.pattern}"))
        return None
    return text


def split_list(value: str | None) -> list[str]:
    return [p.strip() for p in (value or "").split(";") if p.strip()]
