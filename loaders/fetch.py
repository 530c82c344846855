"""Harvest: download a source's current release into a local cache, with checksums.

Harvest is kept apart from transform. ``fetch`` only puts files into ``<cache>/<source>/`` and
writes a small ``fetch-manifest.json`` beside them (URL, release, time, sha256 and size of every
file); the loaders then read that folder exactly as they read the shared snapshots, so transform
tests run offline. A fetch is all-or-nothing: every file is downloaded into a staging folder and
the source folder is swapped in only when all of them arrived complete (HTTP 200, and as many
bytes as Content-Length announced) and pass the checks of loaders/source_checks.py (archives and
tables whole, JSON and OBO parse, at least half the bytes and rows of the copy they replace
unless ``force``). A server error, a cut connection or a bad file leaves the cache as it was.
"""

from __future__ import annotations

import json
import os
import shutil
import tempfile
import zipfile
import zlib
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path

import requests

from kg.records import sha256_of

MANIFEST = "fetch-manifest.json"
CHUNK = 1 << 16
TIMEOUT = (15, 120)  # connect, read (seconds)

#: (file name, bytes so far, total bytes or None)
Progress = Callable[[str, int, int | None], None]


class FetchError(RuntimeError):
    """A download or copy that could not complete; the message says what and where."""


@dataclass(frozen=True)
class RemoteFile:
    #: path inside the source folder (may contain a sub-folder, e.g. referenced/genes.json)
    name: str
    #: URL template; ``{release}`` is replaced by the chosen release
    url: str
    #: a zip archive whose members are extracted into the folder (the archive is not kept)
    unzip: bool = False
    #: a file that some releases lack: HTTP 404 is recorded, not an error
    optional: bool = False


@dataclass(frozen=True)
class FetchSpec:
    source: str  # also the folder name under the cache and under --source-dir
    files: tuple[RemoteFile, ...]
    default_release: str
    homepage: str
    note: str = ""

    def urls(self, release: str) -> list[tuple[RemoteFile, str]]:
        return [(f, f.url.format(release=release)) for f in self.files]


def cache_dir() -> Path:
    """$REDISCOVER_CACHE, else ~/.cache/rediscover (one sub-folder per source)."""
    env = os.environ.get("REDISCOVER_CACHE")
    return Path(env).expanduser() if env else Path.home() / ".cache" / "rediscover"


@dataclass
class FetchedFile:
    name: str
    sha256: str
    bytes: int
    url: str


@dataclass
class FetchRecord:
    """What ``fetch-manifest.json`` holds; loaders put ``version`` into their SourceInfo."""

    source: str
    release: str
    fetched_at: str
    origin: str  # "download" or "local copy"
    files: list[FetchedFile] = field(default_factory=list)
    licence: str = ""
    #: optional files this release does not have (HTTP 404)
    missing: list[str] = field(default_factory=list)

    @property
    def version(self) -> str:
        """A release name that says when a moving target ('nightly', 'main') was taken."""
        day = self.fetched_at[:10]
        return self.release if self.release[:1].isdigit() else f"{self.release}@{day}"

    def to_json(self) -> str:
        from dataclasses import asdict

        return json.dumps(asdict(self), indent=2)


def read_fetch_record(folder: Path) -> FetchRecord | None:
    """The fetch manifest of a source folder, or None for a folder that was not fetched."""
    path = folder / MANIFEST
    if not path.exists():
        return None
    raw = json.loads(path.read_text())
    files = [FetchedFile(**f) for f in raw.pop("files", [])]
    raw = {k: v for k, v in raw.items() if k in FetchRecord.__dataclass_fields__}
    return FetchRecord(**raw, files=files)


# ---------------------------------------------------------------------------- fetching
def fetch(source: str, cache: Path | None = None, *, release: str | None = None,
          url: str | None = None, from_path: Path | None = None,
          on_progress: Progress | None = None, force: bool = False) -> FetchRecord:
    """Download (or copy from ``from_path``) one source into ``cache/<source>``.

    ``url`` overrides the official location: a URL ending in ``/`` is a base to which each file's
    name is appended (how tests point at a local server); otherwise it stands for the only file of
    a one-file source.
    """
    spec = _spec(source)
    cache = cache or cache_dir()
    release = release or ("local" if from_path is not None else spec.default_release)
    cache.mkdir(parents=True, exist_ok=True)
    staging = Path(tempfile.mkdtemp(prefix=f".staging-{source}-", dir=cache))
    try:
        missing: list[str] = []
        if from_path is not None:
            files = _copy_local(spec, Path(from_path), staging)
            origin = "local copy"
        else:
            files = _download_all(spec, release, url, staging, on_progress, missing)
            origin = "download"
        _validate(staging, files, cache / source, force)
        from loaders.registry import entry

        record = FetchRecord(source, release, datetime.now(UTC).isoformat(timespec="seconds"),
                             origin, files, entry(source).licence, missing)
        (staging / MANIFEST).write_text(record.to_json())
        _swap_in(staging, cache / source)
    finally:
        shutil.rmtree(staging, ignore_errors=True)
    return record


def _validate(staging: Path, files: list[FetchedFile], folder: Path, force: bool) -> None:
    """Every problem of every staged file at once, each naming its file; nothing is swapped in
    unless all pass (the comparison of bytes and rows with the previous copy only without
    ``force``)."""
    from loaders.source_checks import check_file, shrunk_from_previous

    problems = [(f.name, p) for f in files for p in check_file(staging / f.name)]
    if not force and folder.is_dir():
        previous = {str(p.relative_to(folder)): p for p in folder.rglob("*")
                    if p.is_file() and p.name != MANIFEST}
        problems += shrunk_from_previous({f.name: staging / f.name for f in files}, previous)
    if problems:
        listed = "; ".join(f"{name}: {problem}" for name, problem in problems)
        raise FetchError(f"{listed}; the cache is unchanged")


def _spec(source: str) -> FetchSpec:
    """The fetch spec of a source's registry entry (loaders/registry.py)."""
    from loaders.registry import fetchable

    specs = fetchable()
    try:
        return specs[source]
    except KeyError:
        raise FetchError(f"unknown source '{source}'; fetchable: "
                         f"{', '.join(sorted(specs))}") from None


def _targets(spec: FetchSpec, release: str, url: str | None) -> list[tuple[RemoteFile, str, str]]:
    """(file, local name, URL) for every file of the source."""
    pairs = [(f, f.name.format(release=release), u) for f, u in spec.urls(release)]
    if url is None:
        return pairs
    if url.endswith("/"):
        return [(f, name, url + name) for f, name, _ in pairs]
    if len(pairs) != 1:
        raise FetchError(f"source '{spec.source}' has {len(pairs)} files: give --url as a base "
                         "URL ending in '/' (each file name is appended)")
    f, name, _ = pairs[0]
    return [(f, name, url)]


class _NotThere(FetchError):
    """HTTP 404 for a file marked optional."""


def _download_all(spec: FetchSpec, release: str, url: str | None, staging: Path,
                  on_progress: Progress | None, missing: list[str]) -> list[FetchedFile]:
    out: list[FetchedFile] = []
    with requests.Session() as session:
        for remote, name, file_url in _targets(spec, release, url):
            target = staging / name
            target.parent.mkdir(parents=True, exist_ok=True)
            try:
                size = _download(session, file_url, target, name, on_progress, remote.optional)
            except _NotThere:
                target.unlink(missing_ok=True)
                missing.append(name)
                continue
            if remote.unzip:
                out += _unzip(target, staging, file_url)
            else:
                out.append(FetchedFile(name, sha256_of(target), size, file_url))
    return out


def _download(session: requests.Session, url: str, target: Path, name: str,
              on_progress: Progress | None, optional: bool = False) -> int:
    """Stream ``url`` into ``target``; raise FetchError unless complete."""
    unchanged = "the cache is unchanged"
    try:
        # identity: the byte count must be comparable with Content-Length
        resp = session.get(url, stream=True, timeout=TIMEOUT,
                           headers={"Accept-Encoding": "identity"})
    except requests.RequestException as exc:
        raise FetchError(f"could not reach {url}: {exc}; {unchanged}") from exc
    with resp:
        if resp.status_code == 404 and optional:
            raise _NotThere(url)
        if resp.status_code != 200:
            raise FetchError(f"{url} answered HTTP {resp.status_code} {resp.reason}; {unchanged}")
        length = resp.headers.get("Content-Length")
        expected = int(length) if length and length.isdigit() else None
        done = 0
        try:
            with open(target, "wb") as fh:
                for chunk in resp.iter_content(CHUNK):
                    fh.write(chunk)
                    done += len(chunk)
                    if on_progress:
                        on_progress(name, done, expected)
        except requests.RequestException as exc:
            raise FetchError(_truncated(url, done, expected, unchanged)) from exc
    if expected is not None and done != expected:
        raise FetchError(_truncated(url, done, expected, unchanged))
    return done


def _truncated(url: str, done: int, expected: int | None, unchanged: str) -> str:
    of = f" of {expected:,}" if expected is not None else ""
    return f"download of {url} was cut off after {done:,}{of} bytes; {unchanged}"


def _unzip(archive: Path, staging: Path, url: str) -> list[FetchedFile]:
    """Extract the regular files of a zip (flattened, no paths outside the folder)."""
    out = []
    try:
        with zipfile.ZipFile(archive) as zf:
            for info in zf.infolist():
                base = Path(info.filename).name
                if info.is_dir() or not base or base.startswith((".", "__MACOSX")):
                    continue
                dest = staging / base
                with zf.open(info) as src, open(dest, "wb") as dst:
                    shutil.copyfileobj(src, dst)
                out.append(FetchedFile(base, sha256_of(dest), dest.stat().st_size,
                                       f"{url}#{info.filename}"))
    except (zipfile.BadZipFile, EOFError, zlib.error) as exc:  # a cut or damaged member too
        raise FetchError(f"{url} is not a valid zip archive ({exc}); the cache is unchanged") \
            from exc
    finally:
        archive.unlink(missing_ok=True)
    if not out:
        raise FetchError(f"{url}: the zip archive holds no files; the cache is unchanged")
    return out


def _copy_local(spec: FetchSpec, src: Path, staging: Path) -> list[FetchedFile]:
    """``--from``: a folder is copied whole (sub-folders kept); a single file is copied, and
    unpacked when the source is distributed as a zip."""
    if not src.exists():
        raise FetchError(f"--from {src}: no such file or folder")
    if not (src.is_file() or src.is_dir()):  # /dev/zero would never end, /dev/null is empty
        raise FetchError(f"--from {src}: not a regular file or folder")
    out: list[FetchedFile] = []
    if src.is_dir():
        for path in sorted(p for p in src.rglob("*") if p.is_file()):
            rel = path.relative_to(src)
            if rel.name == MANIFEST or any(part.startswith(".") for part in rel.parts):
                continue
            dest = staging / rel
            dest.parent.mkdir(parents=True, exist_ok=True)
            shutil.copyfile(path, dest)
            out.append(FetchedFile(str(rel), sha256_of(dest), dest.stat().st_size,
                                   path.resolve().as_uri()))
    elif any(f.unzip for f in spec.files) and zipfile.is_zipfile(src):
        dest = staging / src.name
        shutil.copyfile(src, dest)
        out = _unzip(dest, staging, src.resolve().as_uri())
    else:
        dest = staging / src.name
        shutil.copyfile(src, dest)
        out.append(FetchedFile(src.name, sha256_of(dest), dest.stat().st_size,
                               src.resolve().as_uri()))
    if not out:
        raise FetchError(f"--from {src}: the folder holds no files")
    return out


def _swap_in(staging: Path, folder: Path) -> None:
    """Put the complete staging folder in place of ``folder``; the old copy goes only after."""
    if folder.exists():
        old = folder.parent / f".old-{folder.name}-{os.getpid()}"
        os.rename(folder, old)
        os.rename(staging, folder)
        shutil.rmtree(old, ignore_errors=True)
    else:
        os.rename(staging, folder)
