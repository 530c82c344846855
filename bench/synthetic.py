"""A larger graph for benchmarks: the curated tables with every cohort replicated under new ids.

``replicate_tables(src, dst, factor)`` writes a data/-format folder whose cohorts.csv and arms.csv
hold ``factor`` copies of every cohort (copy 1 keeps the original ids; copy i appends ``-r<i>``
to the arm slug, so strata, parents and superseded reports stay consistent). Reference tables are
copied unchanged. The folder goes through the normal validated loader, so the benchmark measures
the real build and real queries at ``factor`` times the cohorts and reports.

Run: ``python -m bench.synthetic DST [--factor 10]``.
"""

from __future__ import annotations

import argparse
import csv
import shutil
from pathlib import Path

from loaders.curated import DATA_DIR

REFERENCE = ("trials.csv", "genes.csv", "drugs.csv", "alterations.csv", "tumour_types.csv")


def _copy_id(cohort_id: str, i: int) -> str:
    """``TRIAL:arm[:stratum]`` → ``TRIAL:arm-r<i>[:stratum]`` (copy 1 unchanged)."""
    if i == 1 or not cohort_id:
        return cohort_id
    parts = cohort_id.split(":")
    parts[1] = f"{parts[1]}-r{i}"
    return ":".join(parts)


def _copy_result(result_id: str, i: int) -> str:
    cohort, _, tail = result_id.rpartition("@")
    return f"{_copy_id(cohort, i)}@{tail}"


def replicate_tables(src: Path = DATA_DIR, dst: Path | None = None, factor: int = 10) -> Path:
    if dst is None:
        raise ValueError("give a destination folder")
    dst.mkdir(parents=True, exist_ok=True)
    for name in REFERENCE:
        shutil.copy(src / name, dst / name)
    with (src / "cohorts.csv").open(newline="") as fh:
        reader = csv.DictReader(fh)
        fields, rows = reader.fieldnames or [], list(reader)
    out = []
    for i in range(1, factor + 1):
        for r in rows:
            c = dict(r)
            c["result_id"] = _copy_result(r["result_id"], i)
            c["cohort_id"] = _copy_id(r["cohort_id"], i)
            c["parent_cohort_id"] = _copy_id(r["parent_cohort_id"], i)
            c["supersedes"] = ";".join(_copy_result(s.strip(), i)
                                       for s in r["supersedes"].split(";") if s.strip())
            out.append(c)
    _write(dst / "cohorts.csv", fields, out)
    with (src / "arms.csv").open(newline="") as fh:
        reader = csv.DictReader(fh)
        arm_fields, arms = reader.fieldnames or [], list(reader)
    _write(dst / "arms.csv", arm_fields,
           [dict(a, cohort_id=_copy_id(a["cohort_id"], i))
            for i in range(1, factor + 1) for a in arms])
    return dst


def _write(path: Path, fields: list[str], rows: list[dict]) -> None:
    with path.open("w", newline="") as fh:
        w = csv.DictWriter(fh, fieldnames=fields)
        w.writeheader()
        w.writerows(rows)


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("dst", type=Path)
    ap.add_argument("--factor", type=int, default=10)
    ap.add_argument("--src", type=Path, default=DATA_DIR)
    args = ap.parse_args()
    print(replicate_tables(args.src, args.dst, args.factor))


if __name__ == "__main__":
    main()
