"""`kg fetch` against a real HTTP server on 127.0.0.1 serving the shared snapshots.

Routes: /data/<path> serves a file; /truncated/<path> announces the full Content-Length and
closes the connection half-way; /error/<path> answers HTTP 500; /nolength/<path> sends the body
without Content-Length (closed connection marks the end). No internet access is needed.
"""

from __future__ import annotations

import json
import threading
import zipfile
from functools import partial
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import pytest
from typer.testing import CliRunner

from kg.records import sha256_of
from loaders.fetch import MANIFEST, FetchError, fetch, read_fetch_record
from ui.cli import app


class SnapshotHandler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"

    def __init__(self, *args, root: Path, **kwargs):
        self.root = root
        super().__init__(*args, **kwargs)

    def log_message(self, *args) -> None:  # keep pytest output clean
        pass

    def do_GET(self) -> None:  # noqa: N802 (http.server naming)
        mode, _, rel = self.path.lstrip("/").partition("/")
        path = self.root / rel
        if mode == "error":
            return self._send(500, b"internal error", "Internal Server Error")
        if not path.is_file() or ".." in Path(rel).parts:
            return self._send(404, b"not found", "Not Found")
        body = path.read_bytes()
        if mode == "data":
            return self._send(200, body)
        if mode == "truncated":
            self.send_response(200)
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body[: len(body) // 2])
            self.wfile.flush()
            self.close_connection = True
            return None
        if mode == "nolength":
            self.send_response(200)
            self.send_header("Connection", "close")
            self.end_headers()
            self.wfile.write(body)
            self.close_connection = True
            return None
        return self._send(404, b"unknown route", "Not Found")

    def _send(self, code: int, body: bytes, reason: str | None = None) -> None:
        self.send_response(code, reason)
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)


@pytest.fixture(scope="module")
def served(shared_data, tmp_path_factory):
    """Serve a folder holding the shared snapshots plus a zip made from the CGI TSV."""
    root = tmp_path_factory.mktemp("served")
    (root / "shared").symlink_to(shared_data, target_is_directory=True)
    cgi = root / "cgi-zip"
    cgi.mkdir()
    with zipfile.ZipFile(cgi / "cgi_biomarkers_latest.zip", "w", zipfile.ZIP_DEFLATED) as zf:
        zf.write(shared_data / "cgi" / "cgi_biomarkers_per_variant_2017-12.tsv",
                 "cgi_biomarkers_per_variant.tsv")
        zf.write(shared_data / "cgi" / "SOURCE.md", "__MACOSX/._junk")
    (cgi / "broken.zip").write_bytes(b"this is not a zip archive")
    server = ThreadingHTTPServer(("127.0.0.1", 0), partial(SnapshotHandler, root=root))
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_address[1]}", root
    server.shutdown()
    server.server_close()


def _tree(folder: Path) -> dict[str, str]:
    return {str(p.relative_to(folder)): sha256_of(p) for p in sorted(folder.rglob("*"))
            if p.is_file()}


def test_download_hgnc_records_checksum(served, shared_data, tmp_path):
    base, _ = served
    src = shared_data / "hgnc" / "hgnc_complete_2024-07.tsv"
    seen: list[tuple[int, int | None]] = []
    rec = fetch("hgnc", tmp_path, url=f"{base}/data/shared/hgnc/hgnc_complete_2024-07.tsv",
                on_progress=lambda _n, done, total: seen.append((done, total)))
    cached = tmp_path / "hgnc" / "hgnc_complete_set.tsv"
    assert cached.read_bytes() == src.read_bytes()
    assert rec.files[0].sha256 == sha256_of(src)
    assert rec.files[0].bytes == src.stat().st_size
    assert seen[-1] == (src.stat().st_size, src.stat().st_size)  # progress reached the end
    on_disk = json.loads((tmp_path / "hgnc" / MANIFEST).read_text())
    assert on_disk["files"][0]["sha256"] == sha256_of(src)
    assert read_fetch_record(tmp_path / "hgnc").version.startswith("current@")
    assert [p.name for p in tmp_path.iterdir()] == ["hgnc"]  # no staging leftovers


def test_multi_file_source_with_base_url(served, shared_data, tmp_path):
    """MOAlmanac: the main JSON and the 16 referenced/*.json files, each checksummed."""
    base, _ = served
    rec = fetch("moalmanac", tmp_path, url=f"{base}/data/shared/moalmanac/", release="v.test")
    assert len(rec.files) == 17
    folder = tmp_path / "moalmanac"
    for f in rec.files:
        assert sha256_of(folder / f.name) == sha256_of(shared_data / "moalmanac" / f.name)
    assert rec.version == "v.test@" + rec.fetched_at[:10]


def test_optional_files_missing_from_a_release(served, shared_data, tmp_path):
    """CIViC monthly 01-Aug-2021 (v1) has Gene but no Feature/MolecularProfile summaries."""
    base, _ = served
    rec = fetch("civic", tmp_path, url=f"{base}/data/shared/civic/", release="01-Aug-2021")
    names = sorted(f.name for f in rec.files)
    assert names == sorted(p.name for p in (shared_data / "civic").glob("01-Aug-2021-*.tsv"))
    assert sorted(rec.missing) == ["01-Aug-2021-FeatureSummaries.tsv",
                                   "01-Aug-2021-MolecularProfileSummaries.tsv"]


def test_truncated_download_leaves_cache_unchanged(served, tmp_path):
    base, _ = served
    good = f"{base}/data/shared/hgnc/hgnc_complete_2024-07.tsv"
    fetch("hgnc", tmp_path, url=good)
    before = _tree(tmp_path / "hgnc")
    with pytest.raises(FetchError, match=r"cut off after [\d,]+ of [\d,]+ bytes.*unchanged"):
        fetch("hgnc", tmp_path, url=good.replace("/data/", "/truncated/"))
    assert _tree(tmp_path / "hgnc") == before
    assert [p.name for p in tmp_path.iterdir()] == ["hgnc"]


def test_server_error_on_first_fetch_creates_nothing(served, tmp_path):
    base, _ = served
    with pytest.raises(FetchError, match="HTTP 500 Internal Server Error.*unchanged"):
        fetch("hgnc", tmp_path, url=f"{base}/error/hgnc/hgnc_complete_2024-07.tsv")
    assert list(tmp_path.iterdir()) == []


def test_one_failing_file_aborts_the_whole_source(served, shared_data, tmp_path):
    """A release is all-or-nothing: the earlier good files of the same fetch are not kept."""
    base, _ = served
    fetch("moalmanac", tmp_path, from_path=shared_data / "moalmanac")
    before = _tree(tmp_path / "moalmanac")
    with pytest.raises(FetchError, match="HTTP 404"):
        fetch("moalmanac", tmp_path, url=f"{base}/data/shared/cgi/")  # required file absent
    assert _tree(tmp_path / "moalmanac") == before


def test_download_without_content_length(served, shared_data, tmp_path):
    base, _ = served
    src = shared_data / "hgnc" / "hgnc_complete_2024-07.tsv"
    rec = fetch("hgnc", tmp_path, url=f"{base}/nolength/shared/hgnc/{src.name}")
    assert rec.files[0].sha256 == sha256_of(src)


def test_zip_is_unpacked(served, shared_data, tmp_path):
    base, _ = served
    rec = fetch("cgi", tmp_path, url=f"{base}/data/cgi-zip/")
    assert [f.name for f in rec.files] == ["cgi_biomarkers_per_variant.tsv"]
    got = tmp_path / "cgi" / "cgi_biomarkers_per_variant.tsv"
    original = shared_data / "cgi" / "cgi_biomarkers_per_variant_2017-12.tsv"
    assert sha256_of(got) == sha256_of(original)
    assert not (tmp_path / "cgi" / "cgi_biomarkers_latest.zip").exists()
    with pytest.raises(FetchError, match="not a valid zip"):
        fetch("cgi", tmp_path, url=f"{base}/data/cgi-zip/broken.zip")
    assert sha256_of(got) == rec.files[0].sha256  # the good copy survived


def test_from_folder_and_file(shared_data, tmp_path):
    rec = fetch("cgi", tmp_path, from_path=shared_data / "cgi")
    assert {f.name for f in rec.files} == {"SOURCE.md", "cgi_biomarkers_20170208.tsv",
                                           "cgi_biomarkers_per_variant_2017-12.tsv"}
    assert rec.origin == "local copy" and rec.release == "local"
    one = shared_data / "oncotree" / "oncotree_2025_10_03.json"
    rec = fetch("oncotree", tmp_path, from_path=one, release="oncotree_2025_10_03")
    assert rec.files[0].sha256 == sha256_of(one)
    assert rec.version == "oncotree_2025_10_03@" + rec.fetched_at[:10]
    with pytest.raises(FetchError, match="no such file"):
        fetch("oncotree", tmp_path, from_path=tmp_path / "nope.json")


def test_cli_fetch_ok_and_errors(served, shared_data, tmp_path):
    base, _ = served
    runner = CliRunner()
    url = f"{base}/data/shared/hgnc/hgnc_complete_2024-07.tsv"
    ok = runner.invoke(app, ["fetch", "hgnc", "--cache", str(tmp_path), "--url", url])
    assert ok.exit_code == 0, ok.output
    assert sha256_of(shared_data / "hgnc" / "hgnc_complete_2024-07.tsv")[:16] in ok.output
    bad = runner.invoke(app, ["fetch", "hgnc", "--cache", str(tmp_path), "--url",
                              url.replace("/data/", "/error/")])
    assert bad.exit_code == 1
    assert "HTTP 500" in bad.output and "cache is unchanged" in _flat(bad.output)
    unknown = runner.invoke(app, ["fetch", "nosuch", "--cache", str(tmp_path)])
    assert unknown.exit_code == 2 and "Unknown source" in unknown.output
    multi = runner.invoke(app, ["fetch", "moalmanac", "--cache", str(tmp_path), "--url", url])
    assert multi.exit_code == 1 and "base URL ending in '/'" in _flat(multi.output)


def _flat(text: str) -> str:
    """Rich wraps long lines to the terminal width: compare with single spaces."""
    return " ".join(text.split())


def test_fetched_cache_feeds_the_build(served, shared_data, tmp_path):
    """Harvest then transform: fetch HGNC, OncoTree and CGI from the local server, build from
    the cache; the build manifest carries the fetched release and the same checksums."""
    base, _ = served
    cache = tmp_path / "cache"
    fetch("hgnc", cache, url=f"{base}/data/shared/hgnc/hgnc_complete_2024-07.tsv")
    fetch("oncotree", cache, release="oncotree_2025_10_03",
          url=f"{base}/data/shared/oncotree/oncotree_2025_10_03.json")
    rec = fetch("cgi", cache, url=f"{base}/data/cgi-zip/", release="2017-12")
    runner = CliRunner()
    mini = Path(__file__).parent / "fixtures" / "mini"
    res = runner.invoke(app, ["build", "--root", str(tmp_path / "build"), "--source-dir",
                              str(cache), "--data-dir", str(mini), "--source", "cgi"])
    assert res.exit_code == 0, res.output
    manifest = json.loads((tmp_path / "build" / "current" / "manifest.json").read_text())
    entry = next(s for s in manifest["sources"] if s["name"] == "cgi")
    assert entry["version"] == rec.version
    assert entry["files"][0]["sha256"] == rec.files[0].sha256
    assert entry["loaded"]["evidence statements"] == 638


def test_fetched_folders_are_recognised_by_every_loader(served, tmp_path):
    """File names chosen by `kg fetch` match what each registry entry expects."""
    from loaders.registry import BuildOptions, entry

    base, _ = served
    s = f"{base}/data/shared"
    fetch("hgnc", tmp_path, url=f"{s}/hgnc/hgnc_complete_2024-07.tsv")
    fetch("oncotree", tmp_path, url=f"{s}/oncotree/oncotree_2025_10_03.json",
          release="oncotree_2025_10_03")
    fetch("disease_ontology", tmp_path, url=f"{s}/disease_ontology/DO_NCIthesaurus_subset.obo")
    fetch("civic", tmp_path, url=f"{s}/civic/", release="01-Aug-2021")
    fetch("moalmanac", tmp_path, url=f"{s}/moalmanac/")
    fetch("cgi", tmp_path, url=f"{base}/data/cgi-zip/")
    for name in ("hgnc", "oncotree", "disease_ontology", "civic", "moalmanac", "cgi"):
        assert entry(name).available(BuildOptions(source_dir=tmp_path)), name


def test_a_download_with_a_third_of_the_rows_is_refused(served, shared_data, tmp_path):
    """The row check holds for downloads too: CIViC 01-Aug-2021 (evidence table: 3,650 rows)
    downloaded, then a release whose evidence table is its first 1,216 rows padded to the same
    bytes (tests/test_fetch_validation.py) is refused, naming the file; the cache keeps the
    good copy."""
    from test_fetch_validation import civic_third_padded

    base, root = served
    fetch("civic", tmp_path, url=f"{base}/data/shared/civic/", release="01-Aug-2021")
    before = _tree(tmp_path / "civic")
    thin = root / "thin-civic"
    thin.mkdir()
    for path in (shared_data / "civic").glob("01-Aug-2021-*.tsv"):
        (thin / path.name).symlink_to(path)
    evidence = "01-Aug-2021-ClinicalEvidenceSummaries.tsv"
    (thin / evidence).unlink()
    civic_third_padded(shared_data / "civic" / evidence, thin / evidence)
    with pytest.raises(FetchError) as info:
        fetch("civic", tmp_path, url=f"{base}/data/thin-civic/", release="01-Aug-2021")
    assert (f"{evidence}: 1,216 rows, less than 50% of the 3,650 rows of the copy it would "
            "replace (use --force if that is right); the cache is unchanged") in str(info.value)
    assert _tree(tmp_path / "civic") == before
