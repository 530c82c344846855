"""`kg fetch` takes only whole files, and `kg build` refuses a source folder whose files are not.

Each bad input below is refused with exit 1 and a message naming the file, and the cache keeps
the good copy it had (its files and manifest byte for byte). The good copies are small tables
written here (test values): a CIViC evidence table of 300 rows, an OncoTree JSON tree, a CGI zip.
"""

from __future__ import annotations

import io
import json
import os
import zipfile
from pathlib import Path

import pytest
from typer.testing import CliRunner

from kg.records import sha256_of
from loaders.fetch import fetch
from ui.cli import app

CIVIC_HEADER = ["molecular_profile", "disease", "doid", "therapies", "evidence_type",
                "evidence_direction", "evidence_level", "evidence_id"]


def civic_table(rows: int) -> str:
    lines = ["\t".join(CIVIC_HEADER)]
    lines += ["\t".join([f"BRAF V600E {i}", "Melanoma", "1909", "Vemurafenib", "Predictive",
                         "Supports", "B", str(i)]) for i in range(rows)]
    return "\n".join(lines) + "\n"


def oncotree_json() -> str:
    return json.dumps({"TISSUE": {"code": "TISSUE", "name": "Tissue", "children": {
        "BOWEL": {"code": "BOWEL", "name": "Bowel", "children": {}}}}})


def cgi_zip() -> bytes:
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w", zipfile.ZIP_DEFLATED) as zf:
        rows = ["Biomarker\tGene\tAlteration\tDrug\tAssociation\tEvidence level"] + [
            f"BRAF V600E\tBRAF\tBRAF:V600E\tdrug {i}\tResponsive\tLate trials"
            for i in range(200)]
        zf.writestr("cgi_biomarkers_per_variant.tsv", "\n".join(rows) + "\n")
    return buf.getvalue()


GOOD = {"civic": ("01-Feb-2025-ClinicalEvidenceSummaries.tsv", civic_table(300).encode()),
        "oncotree": ("oncotree_2025_10_03.json", oncotree_json().encode()),
        "cgi": ("cgi_biomarkers_latest.zip", cgi_zip())}


def snapshot(folder: Path) -> dict[str, str]:
    return {str(p.relative_to(folder)): sha256_of(p) for p in sorted(folder.rglob("*"))
            if p.is_file()}


@pytest.fixture
def cache(tmp_path) -> Path:
    """A cache holding a good copy of each source."""
    cache = tmp_path / "cache"
    for source, (name, data) in GOOD.items():
        src = tmp_path / "good" / source / name
        src.parent.mkdir(parents=True)
        src.write_bytes(data)
        fetch(source, cache, from_path=src)
    return cache


def bad_inputs(tmp: Path) -> list[tuple[str, str, Path, str]]:
    """(case, source, --from path, expected words in the message)."""
    def write(name: str, data: bytes) -> Path:
        path = tmp / name
        path.write_bytes(data)
        return path

    full_zip = cgi_zip()
    civic = civic_table(300).encode()
    return [
        ("truncated zip", "cgi", write("cgi_biomarkers_latest.zip", full_zip[:len(full_zip) // 2]),
         "not a complete zip archive"),
        ("truncated JSON", "oncotree",
         write("oncotree_2025_10_03.json", oncotree_json().encode()[:40]), "not valid JSON"),
        ("empty file", "civic", write("01-Mar-2025-ClinicalEvidenceSummaries.tsv", b""),
         "the file is empty"),
        ("random bytes", "civic",
         write("02-Mar-2025-ClinicalEvidenceSummaries.tsv", bytes(range(256)) * 40),
         "not UTF-8"),
        ("table cut mid-row", "civic",
         write("03-Mar-2025-ClinicalEvidenceSummaries.tsv", civic[:len(civic) * 3 // 4 + 7]),
         "the file is cut off"),
        ("/dev/null", "civic", Path("/dev/null"), "not a regular file"),
        ("/dev/zero", "civic", Path("/dev/zero"), "not a regular file"),
        ("tiny CIViC (50 of 300 rows)", "civic",
         write("01-Apr-2025-ClinicalEvidenceSummaries.tsv", civic_table(50).encode()),
         "less than 50%"),
        ("header only", "civic",
         write("04-Mar-2025-ClinicalEvidenceSummaries.tsv", civic_table(0).encode()),
         "no rows"),
        # a whole table of another kind (the HGNC columns) under CIViC's evidence file name
        ("another source's table", "civic",
         write("05-Mar-2025-ClinicalEvidenceSummaries.tsv",
               ("HGNC ID\tApproved symbol\n" + "HGNC:1097\tBRAF\n" * 300).encode()),
         "no column doid, evidence_direction, evidence_id, evidence_level, evidence_type"),
    ]


def test_every_bad_input_is_refused_and_the_good_copy_kept(cache, tmp_path):
    (tmp_path / "bad").mkdir()
    for case, source, path, words in bad_inputs(tmp_path / "bad"):
        before = snapshot(cache / source)
        res = CliRunner().invoke(app, ["fetch", source, "--cache", str(cache), "--from",
                                       str(path)])
        assert res.exit_code == 1, (case, res.output)
        message = " ".join(res.output.split())
        assert words in message, (case, message)
        if path.is_file():
            assert path.name in message, (case, message)  # the error names the file
        assert "Traceback" not in res.output
        assert snapshot(cache / source) == before, case


def test_force_takes_a_small_but_whole_file(cache, tmp_path):
    small = tmp_path / "01-Apr-2025-ClinicalEvidenceSummaries.tsv"
    small.write_text(civic_table(50))
    res = CliRunner().invoke(app, ["fetch", "civic", "--cache", str(cache), "--from", str(small),
                                   "--force"])
    assert res.exit_code == 0, res.output
    assert (cache / "civic" / small.name).read_text() == civic_table(50)


def test_build_refuses_a_source_folder_with_a_bad_file(tmp_path):
    folder = tmp_path / "sources" / "oncotree"
    folder.mkdir(parents=True)
    (folder / "oncotree_2025_10_03.json").write_text(oncotree_json()[:40])
    root = tmp_path / "build"
    res = CliRunner().invoke(app, ["build", "--root", str(root), "--source-dir",
                                   str(tmp_path / "sources"), "--source", "oncotree"])
    assert res.exit_code == 1
    message = " ".join(res.output.split())
    assert "oncotree_2025_10_03.json" in message and "not valid JSON" in message
    assert "Traceback" not in res.output and not (root / "current").exists()


def test_build_refuses_a_fetched_file_changed_after_fetching(cache):
    path = cache / "civic" / "01-Feb-2025-ClinicalEvidenceSummaries.tsv"
    os.chmod(path, 0o644)
    path.write_text(civic_table(299))  # still a whole table, but not what was fetched
    from kg.errors import ValidationFailed
    from loaders.registry import BuildOptions, check_source_folders, entry

    with pytest.raises(ValidationFailed) as info:
        check_source_folders(entry("civic"), BuildOptions(source_dir=cache))
    assert "changed since it was fetched" in str(info.value)
    assert path.name in str(info.value)


def test_a_third_of_real_civic_is_refused(tmp_path, shared_data):
    """The failure seen: CIViC's 2021 evidence table (3,650 rows, 4,040,518 bytes) replaced by its
    first 1,200 rows (1,363,197 bytes, a third) loaded with no warning."""
    real = shared_data / "civic" / "01-Aug-2021-ClinicalEvidenceSummaries.tsv"
    cache = tmp_path / "cache"
    fetch("civic", cache, from_path=real)
    before = snapshot(cache / "civic")
    third = tmp_path / "01-Sep-2021-ClinicalEvidenceSummaries.tsv"
    lines = real.read_bytes().split(b"\n")
    third.write_bytes(b"\n".join(lines[:1201]) + b"\n")
    res = CliRunner().invoke(app, ["fetch", "civic", "--cache", str(cache), "--from", str(third)])
    assert res.exit_code == 1 and "less than 50%" in " ".join(res.output.split())
    assert snapshot(cache / "civic") == before


def test_files_a_loader_read_are_checked_after_loading(cache, tmp_path):
    """A table cut at a row boundary loads without an error; the build checks what the loader
    read: a cut row, and a fetched file that no longer matches its fetch manifest."""
    from loaders.source_checks import check_read_files

    cut = tmp_path / "cut.tsv"
    table = civic_table(10).encode()
    cut.write_bytes(table[:-20])
    fetched = cache / "civic" / "01-Feb-2025-ClinicalEvidenceSummaries.tsv"
    os.chmod(fetched, 0o644)
    fetched.write_text(civic_table(299))
    issues = [str(i) for i in check_read_files([cut, fetched])]
    assert len(issues) == 2
    assert "cut.tsv" in issues[0] and "cut off" in issues[0]
    assert fetched.name in issues[1] and "changed since it was fetched" in issues[1]


def fetch_from(cache: Path, source: str, path: Path, *force: str) -> tuple[int, str]:
    res = CliRunner().invoke(app, ["fetch", source, "--cache", str(cache), "--from", str(path),
                                   *force])
    assert "Traceback" not in res.output
    return res.exit_code, " ".join(res.output.split())


def civic_third_padded(real: Path, out: Path) -> Path:
    """The real table's header and first 1,216 of its 3,650 rows (a third), each evidence
    statement padded with spaces so the file has exactly the real file's bytes."""
    lines = real.read_text(encoding="utf-8").split("\n")
    header, rows = lines[0].split("\t"), [line.split("\t") for line in lines[1:1217]]
    col = header.index("evidence_statement")
    missing = real.stat().st_size - len("\n".join(lines[:1217]).encode() + b"\n")
    for i, row in enumerate(rows):
        row[col] += " " * (missing // len(rows) + (missing % len(rows) if i == 0 else 0))
    out.write_text("\n".join(["\t".join(header), *("\t".join(r) for r in rows)]) + "\n",
                   encoding="utf-8")
    assert out.stat().st_size == real.stat().st_size
    return out


def test_a_third_of_the_rows_at_the_same_size_is_refused(tmp_path, shared_data):
    """Bytes alone miss it: CIViC's 2021 evidence table (3,650 data rows: `wc -l` counts 3,651
    lines with the header, and every line has the header's 41 fields) replaced by a third of
    its rows padded to the same 4,040,518 bytes."""
    real = shared_data / "civic" / "01-Aug-2021-ClinicalEvidenceSummaries.tsv"
    cache = tmp_path / "cache"
    fetch("civic", cache, from_path=real)
    before = snapshot(cache / "civic")
    third = civic_third_padded(real, tmp_path / "01-Sep-2021-ClinicalEvidenceSummaries.tsv")
    code, message = fetch_from(cache, "civic", third)
    assert code == 1
    assert (f"{third.name}: 1,216 rows, less than 50% of the 3,650 rows of the copy it would "
            "replace (use --force if that is right); the cache is unchanged") in message
    assert snapshot(cache / "civic") == before


def test_force_takes_fewer_rows(tmp_path, shared_data):
    real = shared_data / "civic" / "01-Aug-2021-ClinicalEvidenceSummaries.tsv"
    cache = tmp_path / "cache"
    fetch("civic", cache, from_path=real)
    third = civic_third_padded(real, tmp_path / "01-Sep-2021-ClinicalEvidenceSummaries.tsv")
    code, message = fetch_from(cache, "civic", third, "--force")
    assert code == 0, message
    assert sha256_of(cache / "civic" / third.name) == sha256_of(third)
    assert not (cache / "civic" / real.name).exists()


def test_an_ontology_with_a_third_of_its_terms_is_refused(tmp_path, shared_data):
    """DO's cancer slim holds 730 [Term] stanzas (`grep -c '^\\[Term\\]'`); the new copy keeps
    its header and first 243 (a third), with a `remark:` header line padding it to the same
    408,934 bytes."""
    real = shared_data / "disease_ontology" / "DO_cancer_slim.obo"
    cache = tmp_path / "cache"
    fetch("disease_ontology", cache, from_path=real)
    before = snapshot(cache / "disease_ontology")
    text = real.read_text(encoding="utf-8")
    stanzas = text.split("\n[Term]\n")
    kept = "\n[Term]\n".join(stanzas[:244])
    head, rest = kept.split("\n", 1)
    pad = real.stat().st_size - len(f"{head}\nremark: \n{rest}\n".encode())
    third = tmp_path / "new" / real.name
    third.parent.mkdir()
    third.write_text(f"{head}\nremark: {'x' * pad}\n{rest}\n", encoding="utf-8")
    assert third.stat().st_size == real.stat().st_size
    code, message = fetch_from(cache, "disease_ontology", third)
    assert code == 1
    assert (f"{third.name}: 243 terms, less than 50% of the 730 terms of the copy it would "
            "replace (use --force if that is right)") in message
    assert snapshot(cache / "disease_ontology") == before


def test_zip_members_are_counted_by_kind(tmp_path, shared_data):
    """CGI's per-variant table holds 1,442 data rows (`wc -l`: 1,443 lines with the header); a
    zip of it beside a zip of its first 480 rows: the member is named with both counts."""
    real = shared_data / "cgi" / "cgi_biomarkers_per_variant_2017-12.tsv"
    lines = real.read_text(encoding="utf-8").split("\n")

    def zipped(name: str, text: str) -> Path:
        path = tmp_path / name / "cgi_biomarkers_latest.zip"
        path.parent.mkdir()
        with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as zf:
            zf.writestr("cgi_biomarkers_per_variant.tsv", text)
        return path

    from loaders.source_checks import shrunk_from_previous

    old = zipped("old", "\n".join(lines))
    new = zipped("new", "\n".join(lines[:481]) + "\n")
    assert shrunk_from_previous({"cgi_biomarkers_latest.zip": new},
                                {"cgi_biomarkers_latest.zip": old}) == [(
        "cgi_biomarkers_latest.zip",
        f"{new.stat().st_size:,} bytes and 480 rows in cgi_biomarkers_per_variant.tsv, less "
        f"than 50% of the {old.stat().st_size:,} bytes and 1,442 rows in "
        "cgi_biomarkers_per_variant.tsv of the copy it would replace (use --force if that is "
        "right)")]
