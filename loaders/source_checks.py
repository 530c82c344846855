"""Is a source file whole, and is it plausible beside the copy it replaces? Checks shared by
`kg fetch` (before a file enters the cache) and `kg build` (on the files a loader read, and on
its whole folder when the loader failed).

A cut download, an empty file or a wrong file must never replace a good copy nor load as a
smaller source without a word: a truncated JSON ended a build in a JSONDecodeError naming no file,
and a truncated CIViC table loaded a third of CIViC. Every check names the file:

* zip: the archive opens, every member's CRC matches (``ZipFile.testzip``), and each TSV, JSON
  or OBO member passes the check of its kind;
* JSON: it parses, and is a non-empty object or list;
* OBO: the first line is an OBO ``format-version:`` header and there is a ``[Term]`` stanza;
* TSV: UTF-8, a header of at least two tab-separated columns, at least one data row, and a last
  row with as many fields as the header (a file cut mid-row has fewer);
* a file the loaders know (``EXPECTED``): the columns (TSV) or record keys (JSON) they read, so a
  wrong file of the right format is refused by name;
* any file: not empty;
* against the copy it replaces (`kg fetch` only, unless forced; the build has no previous copy):
  at least ``MIN_SHARE`` of its bytes and of its rows (``row_counts``);
* a folder that `kg fetch` wrote: each file still has the size and sha256 its manifest records.
"""

from __future__ import annotations

import io
import json
import re
import zipfile
from pathlib import Path
from typing import IO

from kg.errors import Issue

#: a new file with fewer bytes or rows than this share of the file it replaces is refused
#: unless forced (a release never halves; a third of CIViC, the failure seen, is refused with a
#: margin)
MIN_SHARE = 1 / 2
CHECKED_SUFFIXES = (".zip", ".json", ".obo", ".tsv")
#: kinds whose rows are counted (a zip's members of these kinds too), and what a row is
ROW_UNITS = {".tsv": "rows", ".json": "records", ".obo": "terms"}
_TEXT_KINDS = tuple(ROW_UNITS)
#: a release prefix in a file name ("nightly-", "01-Feb-2025-"), dropped to pair old and new files
_RELEASE = re.compile(r"^(nightly|\d{2}-[A-Za-z]{3}-\d{4})-")


#: file-name pattern → the TSV columns or JSON record keys the loaders read from it
EXPECTED: dict[str, frozenset[str]] = {
    "*ClinicalEvidenceSummaries.tsv": frozenset({"evidence_id", "doid", "evidence_level",
                                                 "evidence_direction", "evidence_type"}),
    "*AssertionSummaries.tsv": frozenset({"assertion_id", "doid"}),
    "*VariantSummaries.tsv": frozenset({"variant_id"}),
    "*GeneSummaries.tsv": frozenset({"gene_id"}),
    "hgnc_complete*.tsv": frozenset({"HGNC ID", "Approved symbol"}),
    "cgi_biomarkers*.tsv": frozenset({"Gene", "Alteration", "Drug", "Association",
                                      "Evidence level"}),
    "oncotree*_flat.tsv": frozenset({"code", "name", "main_type", "tissue", "level", "parent"}),
    "doid_xrefs.tsv": frozenset({"doid", "name", "parents", "ncit"}),
    "therapy_crosswalk.tsv": frozenset({"name", "ncit", "rxnorm"}),
    "gene_crosswalk.tsv": frozenset({"symbol", "hgnc_id"}),
    "doid_full*.json": frozenset({"id", "name"}),
    "molecular-oncology-almanac.json": frozenset({"feature_type", "disease"}),
}

#: (problems, rows) of one file or zip member; rows is None when it could not be counted
Inspection = tuple[list[str], int | None]


def _expected(name: str) -> frozenset[str]:
    return next((cols for pattern, cols in EXPECTED.items() if Path(name).match(pattern)),
                frozenset())


def _missing(found: set[str], name: str, what: str) -> list[str]:
    lacking = sorted(_expected(name) - found)
    return [f"not the expected file: no {what} {', '.join(lacking)}"] if lacking else []


def check_file(path: Path) -> list[str]:
    """Problems with one file (empty list: fine). Unknown suffixes are only checked for size."""
    return _inspect(path)[0]


def row_counts(path: Path) -> dict[str, int]:
    """Rows of a whole file, by what it holds: TSV data rows, JSON records (``_json``), OBO
    ``[Term]`` stanzas; for a zip, those of each member of these kinds, by member name. Keyed
    by ``""`` for a plain file; empty for other kinds or a file that fails its checks."""
    problems, counts = _inspect(path)
    return {} if problems else counts


def _inspect(path: Path) -> tuple[list[str], dict[str, int]]:
    if not path.is_file():
        return ["not a regular file"], {}
    if path.stat().st_size == 0:
        return ["the file is empty"], {}
    suffix = path.suffix.lower()
    try:
        if suffix == ".zip":
            return _zip(path)
        if suffix in _TEXT_KINDS:
            with open(path, encoding="utf-8", newline="") as fh:
                problems, rows = _text(fh, path.name)
            return problems, ({} if rows is None else {"": rows})
    except UnicodeDecodeError as exc:
        return [f"not UTF-8 text (byte {exc.start})"], {}
    except OSError as exc:
        return [f"cannot be read ({exc.strerror or exc})"], {}
    return [], {}


def _text(fh: IO[str], name: str) -> Inspection:
    """The check of a TSV, JSON or OBO text by the suffix of ``name``."""
    suffix = Path(name).suffix.lower()
    return _tsv(fh, name) if suffix == ".tsv" else _json(fh, name) if suffix == ".json" \
        else _obo(fh)


def _zip(path: Path) -> tuple[list[str], dict[str, int]]:
    problems: list[str] = []
    counts: dict[str, int] = {}
    try:
        with zipfile.ZipFile(path) as zf:
            bad = zf.testzip()
            if bad is not None:
                return [f"zip member {bad} is damaged (CRC mismatch)"], {}
            members = [i for i in zf.infolist() if not i.is_dir()]
            if not members:
                return ["the zip archive holds no files"], {}
            for info in members:
                if Path(info.filename).suffix.lower() not in _TEXT_KINDS:
                    continue
                with io.TextIOWrapper(zf.open(info), encoding="utf-8", newline="") as fh:
                    try:
                        found, rows = _text(fh, info.filename)
                    except UnicodeDecodeError as exc:
                        found, rows = [f"not UTF-8 text (byte {exc.start})"], None
                problems += [f"zip member {info.filename}: {p}" for p in found]
                if rows is not None:
                    counts[info.filename] = rows
    except (zipfile.BadZipFile, EOFError) as exc:
        return [f"not a complete zip archive ({exc})"], {}
    return problems, counts


def _json(fh: IO[str], name: str) -> Inspection:
    """Records: a list's entries; an object's entries, each nested ``children`` object's too
    (OncoTree's tree, which its loader walks)."""
    try:
        data = json.load(fh)
    except json.JSONDecodeError as exc:
        return [f"not valid JSON: {exc.msg} at line {exc.lineno}, column {exc.colno} "
                "(truncated?)"], None
    if not isinstance(data, dict | list) or not data:
        return ["the JSON holds no records (an empty object or list)"], None
    first = data[0] if isinstance(data, list) else data
    problems = _missing(set(first) if isinstance(first, dict) else set(), name, "record key")
    if isinstance(data, list):
        return problems, len(data)
    records, todo = 0, list(data.values())
    while todo:
        node = todo.pop()
        records += 1
        children = node.get("children") if isinstance(node, dict) else None
        if isinstance(children, dict):
            todo.extend(children.values())
    return problems, records


def _obo(fh: IO[str]) -> Inspection:
    if not fh.readline().startswith("format-version:"):
        return ["not an OBO file (no 'format-version:' header on line 1)"], None
    terms = sum(1 for line in fh if line.startswith("[Term]"))
    return ([] if terms else ["the OBO file has no [Term] stanza"]), terms


def _tsv(fh: IO[str], name: str) -> Inspection:
    header = fh.readline().rstrip("\r\n").split("\t")
    last, rows = None, 0
    for line in fh:
        if line.strip():
            last, rows = line, rows + 1
    if len(header) < 2:
        return ["not a tab-separated table (the header has one column)"], None
    if last is None:
        return ["the table has a header but no rows"], 0
    fields = len(last.rstrip("\r\n").split("\t"))
    if fields != len(header):
        return [f"the last row has {fields} fields, the header {len(header)}: the file is "
                "cut off"], None
    return _missing(set(header), name, "column"), rows


def release_free(name: str) -> str:
    """The file's kind without its release prefix, to pair a new file with the one it replaces."""
    parts = Path(name).parts
    return str(Path(*parts[:-1], _RELEASE.sub("", parts[-1]))) if parts else name


def shrunk_from_previous(new: dict[str, Path], old: dict[str, Path]) -> list[tuple[str, str]]:
    """(file, problem) for each new file with fewer than ``MIN_SHARE`` of the bytes, or of the
    rows (per zip member), of the file it replaces; files are paired by name without the release
    prefix. Rows are compared only when the new file passes its own checks (``check_file``
    names what is wrong with it otherwise)."""
    old_by_kind = {release_free(n): p for n, p in old.items()}
    out = []
    for name, path in new.items():
        before = old_by_kind.get(release_free(name))
        if before is None or not before.is_file():
            continue
        now, then = [], []
        size, size_before = path.stat().st_size, before.stat().st_size
        if size < size_before * MIN_SHARE:
            now.append(f"{size:,} bytes")
            then.append(f"{size_before:,} bytes")
        problems, counts = _inspect(path)
        rows = {release_free(m): n for m, n in counts.items()}
        for member, rows_before in ({} if problems else row_counts(before)).items():
            n = rows.get(release_free(member), 0)
            if n < rows_before * MIN_SHARE:
                unit = ROW_UNITS[Path(member or name).suffix.lower()]
                where = f" in {member}" if member else ""
                now.append(f"{n:,} {unit}{where}")
                then.append(f"{rows_before:,} {unit}{where}")
        if now:
            out.append((name, f"{' and '.join(now)}, less than {MIN_SHARE:.0%} of the "
                              f"{' and '.join(then)} of the copy it would replace (use --force "
                              "if that is right)"))
    return out


def check_read_files(paths: list[Path]) -> list[Issue]:
    """The checks of ``check_file`` on files a loader read, plus the size and sha256 their
    folder's fetch manifest records (when `kg fetch` wrote the folder)."""
    from kg.records import sha256_of
    from loaders.fetch import MANIFEST, read_fetch_record

    issues: list[Issue] = []
    records: dict[Path, dict] = {}
    for path in dict.fromkeys(paths):
        if path.suffix.lower() in CHECKED_SUFFIXES:
            issues += [Issue(str(path), None, None, p) for p in check_file(path)]
        folder = next((d for d in path.parents if (d / MANIFEST).is_file()), None)
        if folder is None or not path.is_file():
            continue
        if folder not in records:
            try:
                rec = read_fetch_record(folder)
            except (ValueError, TypeError) as exc:
                issues.append(Issue(str(folder / MANIFEST), None, None, f"unreadable ({exc})"))
                rec = None
            records[folder] = {f.name: f for f in rec.files} if rec else {}
        fetched = records[folder].get(str(path.relative_to(folder)))
        if fetched and (path.stat().st_size != fetched.bytes
                        or sha256_of(path) != fetched.sha256):
            issues.append(Issue(str(path), None, None, "changed since it was fetched (size or "
                                "sha256 differs from the fetch manifest): fetch it again"))
    return issues


def check_folder(folder: Path) -> list[Issue]:
    """Every checked file of a source folder, plus the sizes and checksums its fetch manifest
    records (when `kg fetch` wrote it)."""
    from kg.records import sha256_of
    from loaders.fetch import MANIFEST, read_fetch_record

    issues: list[Issue] = []
    if not folder.is_dir():
        return issues
    for path in sorted(folder.rglob("*")):
        if path.name == MANIFEST or path.suffix.lower() not in CHECKED_SUFFIXES:
            continue
        issues += [Issue(str(path), None, None, p) for p in check_file(path)]
    try:
        record = read_fetch_record(folder)
    except (ValueError, TypeError) as exc:
        return [*issues, Issue(str(folder / MANIFEST), None, None, f"unreadable ({exc})")]
    for f in record.files if record else []:
        path = folder / f.name
        if not path.is_file():
            issues.append(Issue(str(path), None, None, "listed in the fetch manifest but "
                                "missing"))
        elif path.stat().st_size != f.bytes or sha256_of(path) != f.sha256:
            issues.append(Issue(str(path), None, None, "changed since it was fetched (size or "
                                "sha256 differs from the fetch manifest): fetch it again"))
    return issues
