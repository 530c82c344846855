"""`kg evidence`, the shared filters, `kg profile` and terminal output, on the mini fixture plus
a committee table.

The expected rows are read by hand from tests/fixtures/mini/cohorts.csv, arms.csv and
tests/fixtures/ui/committee_cohorts.csv:

* VE-BASKET vemurafenib, BRAF V600: colorectal (COADREAD) 0/10, NSCLC 8/19, mixed basket
  (TISSUE, no counts);
* DRUP nivolumab, MSI-H, TISSUE: 12/28 (2023; supersedes 4/10 of 2019);
* committee (DRUP) vemurafenib, BRAF V600E, COADREAD: 2/8 (2024);
* arms.csv: DRUP vemurafenib BRAF V600 NSCLC, no report yet (a planned arm).
Vemurafenib's drug class is "BRAF inhibitor" (drugs.csv).
"""

from __future__ import annotations

import json

import pandas as pd
import pytest
from conftest import FIXTURES, MINI, build_from
from typer.testing import CliRunner

from queries.analyses import ANALYSES, readme_table
from queries.evidence_table import evidence_table
from queries.params import QueryParameterError
from queries.profile import NOT_ADVICE, profile
from queries.selection import filter_rows, resolve
from ui.cli import app

COMMITTEE = FIXTURES / "ui" / "committee_cohorts.csv"
COMMITTEE_RESULT = "result:DRUP:committee-vemurafenib-braf-v600e:coadread@2024"


@pytest.fixture(scope="module")
def art(tmp_path_factory):
    return build_from(MINI, tmp_path_factory.mktemp("evidence"), cohort_tables=[COMMITTEE])


def cli(art, *args: str, width: int = 100) -> str:
    result = CliRunner().invoke(app, [*args, "--root", str(art.path.parent.parent)],
                                env={"COLUMNS": str(width)})
    assert result.exit_code == 0, result.output
    return result.output


def test_alteration_matches_exact_broader_and_narrower(art):
    table = evidence_table(art)
    v600e = filter_rows(art, table, resolve(art, alteration=["BRAF:V600E"]))
    how = dict(zip(v600e["id"], v600e["alteration_match"], strict=True))
    assert how.pop(COMMITTEE_RESULT) == "exact"
    assert len(how) == 3  # the three VE-BASKET V600 cohorts would take a V600E patient
    assert all(m == "broader alteration (BRAF V600)" for m in how.values())
    exact_only = filter_rows(art, table, resolve(art, alteration=["BRAF:V600E"],
                                                 broader=False))
    assert list(exact_only["id"]) == [COMMITTEE_RESULT]
    v600 = filter_rows(art, table, resolve(art, alteration=["BRAF:V600"]))
    assert v600.set_index("id").at[COMMITTEE_RESULT, "alteration_match"] == \
        "narrower alteration (BRAF V600E)"


def test_tumour_type_includes_sub_types_and_drug_filter(art):
    table = evidence_table(art)
    bowel = filter_rows(art, table, resolve(art, tumour_type=["BOWEL"]))
    assert sorted(bowel["n_evaluable"].astype(int)) == [8, 10]  # committee CRC, VE-BASKET CRC
    nivolumab = filter_rows(art, table, resolve(art, drug=["nivolumab"]))
    assert list(nivolumab["n_evaluable"]) == [28]  # the current DRUP report only
    braf_class = filter_rows(art, table, resolve(art, drug_class=["BRAF inhibitor"]))
    assert len(braf_class) == 4


def test_unknown_names_are_listed_together(art):
    with pytest.raises(QueryParameterError) as exc:
        resolve(art, alteration=["BRAF:V601Z"], drug=["nodrug"], tumour_type=["NOPE"])
    message = str(exc.value)
    assert "alteration 'BRAF:V601Z'" in message and "drug 'nodrug'" in message
    assert "tumour type 'NOPE'" in message


def test_filters_apply_to_every_analysis(art):
    """Gene BRAF keeps only BRAF groups whatever the analysis's own columns are."""
    for name, analysis in ANALYSES.items():
        df = analysis.run(art)
        kept = filter_rows(art, df, resolve(art, gene=["BRAF"]))
        assert len(kept) <= len(df), name
        names = " ".join(str(v) for c in ("alteration_group_name", "alteration_name")
                         if c in kept.columns for v in kept[c])
        assert "MSI" not in names, name


def test_kg_evidence_json_and_table_width(art):
    out = json.loads(cli(art, "evidence", "--alteration", "BRAF:V600E", "--tumour-type",
                         "COADREAD", "--format", "json"))
    # committee V600E CRC (exact) and VE-BASKET V600 CRC (broader); NSCLC and basket left out
    assert sorted(r["n_evaluable"] for r in out["rows"]) == [8, 10]
    assert "BRAF V600E" in out["header"]["filters"]
    text = cli(art, "evidence", "--alteration", "BRAF:V600E", width=100)
    assert max(len(line) for line in text.splitlines()) <= 100
    assert "broader alteration" in text


def test_kg_query_columns_and_filters(art):
    out = cli(art, "query", "cohort_outcomes", "--gene", "BRAF", "--format", "csv",
              "--columns", "arm,n_evaluable")
    rows = [line for line in out.splitlines() if not line.startswith("#")]
    assert rows[0] == "arm,n_evaluable"
    assert len(rows) == 1 + 4  # VE-BASKET CRC, NSCLC, basket + the committee CRC
    result = CliRunner().invoke(app, ["query", "cohort_outcomes", "--columns", "nope",
                                      "--root", str(art.path.parent.parent)])
    assert result.exit_code == 2 and "unknown column" in result.output


def test_profile_nsclc_braf_v600e(art):
    p = profile(art, "NSCLC", ["BRAF:V600E"])
    counts = ["" if pd.isna(n) else str(int(n)) for n in p.cohorts["n_evaluable"]]
    matches = sorted(zip(p.cohorts["histology_match"], p.cohorts["alteration_match"], counts,
                         strict=True))
    assert matches == [
        ("mixed-histology basket", "broader alteration (BRAF V600)", ""),
        ("other histology", "broader alteration (BRAF V600)", "10"),
        ("other histology", "exact", "8"),
        ("same tumour type", "broader alteration (BRAF V600)", "19"),
    ]
    assert list(p.arms["cohort"]) == ["cohort:DRUP:vemurafenib-braf-v600:nsclc"]
    row = p.summary.iloc[0]
    assert (row["treatment"], row["cohorts_here"], row["open_or_planned_arms"]) == \
        ("BRAF inhibitor", 1, 1)
    assert p.header["note"] == NOT_ADVICE


def test_kg_profile_says_it_is_not_advice(art):
    out = cli(art, "profile", "--tumour-type", "NSCLC", "--alteration", "BRAF:V600E",
              width=200)
    assert "not a treatment recommendation" in out
    assert "Open or planned arms" in out and "vemurafenib BRAF V600 NSCLC" in out


def test_build_summary_reads_at_80_columns(tmp_path):
    result = CliRunner().invoke(app, ["build", "--root", str(tmp_path), "--data-dir", str(MINI),
                                      "--source", "curated"], env={"COLUMNS": "80"})
    assert result.exit_code == 0, result.output
    lines = result.output.splitlines()
    assert max(len(line) for line in lines) <= 80
    loaded = next(line for line in lines if "loaded:" in line)
    assert "trials" in loaded  # counts read as prose, not a column of single words


def test_readme_table_lists_every_analysis_with_defaults():
    table = readme_table()
    for name in ANALYSES:
        assert f"`{name}`" in table
    assert "`--alteration-level codon`" in table and "`--p0 0.1`" in table


def test_readme_table_is_the_registry():
    """The README's analysis table is generated (python -m queries.analyses): a default changed
    in the registry without regenerating the README fails here."""
    from pathlib import Path

    from queries.analyses import README_END, README_START

    text = (Path(__file__).resolve().parents[1] / "README.md").read_text()
    table = text.split(README_START, 1)[1].split(README_END, 1)[0].strip()
    assert table == readme_table()
