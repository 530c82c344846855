"""Is a source file whole? Checks shared by `kg fetch` (before a file enters the cache) and
`kg build` (on the files a loader read, and on its whole folder when the loader failed).

A cut download, an empty file or a wrong file must never replace a good copy nor load as a
smaller source without a word: a truncated JSON ended a build in a JSONDecodeError naming no file,
and a truncated CIViC table loaded a third of CIViC. Every check names the file:

* zip: the archive opens and every member's CRC matches (``ZipFile.testzip``);
* JSON: it parses, and is a non-empty object or list;
* OBO: the first line is an OBO ``format-version:`` header and there is a ``[Term]`` stanza;
* TSV: UTF-8, a header of at least two tab-separated columns, at least one data row, and a last
  row with as many fields as the header (a file cut mid-row has fewer);
* a file the loaders know (``EXPECTED``): the columns (TSV) or record keys (JSON) they read, so a
  wrong file of the right format is refused by name;
* any file: not empty, and (for `kg fetch`) not less than half the size of the copy it
  replaces, unless forced.
* a folder that `kg fetch` wrote: each file still has the size and sha256 its manifest records.
"""

from __future__ import annotations

import json
import re
import zipfile
from pathlib import Path

from kg.errors import Issue

#: a new file smaller than this share of the file it replaces is refused unless forced (a
#: release never halves; a third of CIViC, the failure seen, is refused with a margin)
MIN_SIZE_RATIO = 1 / 2
CHECKED_SUFFIXES = (".zip", ".json", ".obo", ".tsv")
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


def _expected(path: Path) -> frozenset[str]:
    return next((cols for pattern, cols in EXPECTED.items() if path.match(pattern)),
                frozenset())


def _missing(found: set[str], path: Path, what: str) -> list[str]:
    lacking = sorted(_expected(path) - found)
    return [f"not the expected file: no {what} {', '.join(lacking)}"] if lacking else []


def check_file(path: Path) -> list[str]:
    """Problems with one file (empty list: fine). Unknown suffixes are only checked for size."""
    if not path.is_file():
        return ["not a regular file"]
    if path.stat().st_size == 0:
        return ["the file is empty"]
    suffix = path.suffix.lower()
    try:
        if suffix == ".zip":
            return _zip(path)
        if suffix == ".json":
            return _json(path)
        if suffix == ".obo":
            return _obo(path)
        if suffix == ".tsv":
            return _tsv(path)
    except UnicodeDecodeError as exc:
        return [f"not UTF-8 text (byte {exc.start})"]
    except OSError as exc:
        return [f"cannot be read ({exc.strerror or exc})"]
    return []


def _zip(path: Path) -> list[str]:
    try:
        with zipfile.ZipFile(path) as zf:
            bad = zf.testzip()
            if bad is not None:
                return [f"zip member {bad} is damaged (CRC mismatch)"]
            if not [i for i in zf.infolist() if not i.is_dir()]:
                return ["the zip archive holds no files"]
    except (zipfile.BadZipFile, EOFError) as exc:
        return [f"not a complete zip archive ({exc})"]
    return []


def _json(path: Path) -> list[str]:
    try:
        with open(path, encoding="utf-8") as fh:
            data = json.load(fh)
    except json.JSONDecodeError as exc:
        return [f"not valid JSON: {exc.msg} at line {exc.lineno}, column {exc.colno} "
                "(truncated?)"]
    if not isinstance(data, dict | list) or not data:
        return ["the JSON holds no records (an empty object or list)"]
    first = data[0] if isinstance(data, list) else data
    return _missing(set(first) if isinstance(first, dict) else set(), path, "record key")


def _obo(path: Path) -> list[str]:
    with open(path, encoding="utf-8") as fh:
        first = fh.readline()
        if not first.startswith("format-version:"):
            return ["not an OBO file (no 'format-version:' header on line 1)"]
        if not any(line.startswith("[Term]") for line in fh):
            return ["the OBO file has no [Term] stanza"]
    return []


def _tsv(path: Path) -> list[str]:
    with open(path, encoding="utf-8", newline="") as fh:
        header = fh.readline().rstrip("\r\n").split("\t")
        last, rows = None, 0
        for line in fh:
            if line.strip():
                last, rows = line, rows + 1
    if len(header) < 2:
        return ["not a tab-separated table (the header has one column)"]
    if last is None:
        return ["the table has a header but no rows"]
    fields = len(last.rstrip("\r\n").split("\t"))
    if fields != len(header):
        return [f"the last row has {fields} fields, the header {len(header)}: the file is "
                "cut off"]
    return _missing(set(header), path, "column")


def release_free(name: str) -> str:
    """The file's kind without its release prefix, to pair a new file with the one it replaces."""
    parts = Path(name).parts
    return str(Path(*parts[:-1], _RELEASE.sub("", parts[-1])))


def smaller_than_before(new: dict[str, int], old: dict[str, int]) -> list[tuple[str, str]]:
    """(file, problem) for each new file under half the size of the file it replaces
    (files paired by name without the release prefix)."""
    old_by_kind = {release_free(n): size for n, size in old.items()}
    out = []
    for name, size in new.items():
        before = old_by_kind.get(release_free(name))
        if before and size < before * MIN_SIZE_RATIO:
            out.append((name, f"{size:,} bytes, less than half the {before:,} bytes of "
                              "the copy it would replace (use --force if that is right)"))
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
