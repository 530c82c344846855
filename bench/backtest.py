"""Backtest of the candidate ranking against the naive baseline (queries.backtest).

Run: ``python -m bench.backtest --root BUILD --from 2012 --to 2022 [--k 10]`` (or ``kg backtest``,
which prints the same table) on a published
build (``kg build --root BUILD``: curated tables plus the knowledgebases, so that evidence for
and against counts). The table goes to stdout and to ``bench/results/backtest-<date>.md``.
"""

from __future__ import annotations

import argparse
import datetime as dt
import time
from pathlib import Path

from kg.artefact import Artefact
from queries.backtest import backtest

RESULTS = Path(__file__).parent / "results"
COLUMNS = ["year", "method", "candidates", "approved_left_out", "later_tested", "later_undecided",
           "later_successes", "k",
           "successes_top_k", "precision_at_k", "recall_at_k", "later_failures",
           "failures_top_decile", "failures_top_decile_share"]


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--root", type=Path, required=True, help="a kg build root")
    ap.add_argument("--from", dest="start", type=int, default=2012)
    ap.add_argument("--to", dest="end", type=int, default=2022)
    ap.add_argument("--k", type=int, default=10)
    ap.add_argument("--out", type=Path, default=RESULTS, help="folder for the Markdown table")
    args = ap.parse_args()
    art = Artefact.open(args.root)
    start = time.perf_counter()
    years = range(args.start, args.end + 1)
    full = backtest(art, years, k=args.k)
    table = full[COLUMNS]
    strict = backtest(art, years, k=args.k, undecided_as_failure=True)[COLUMNS]
    took = time.perf_counter() - start
    sources = ", ".join(s["name"] for s in art.manifest.get("sources", []))
    text = (f"# Candidate ranking backtest {dt.date.today()}\n\n"
            f"Build: `{art.path.name}` ({sources}). "
            f"Command: `python -m bench.backtest --from {args.start} --to {args.end} "
            f"--k {args.k}`; {took:.0f} s. Method: queries/backtest.py docstring; `model` is "
            f"queries.candidates.ranked_candidates, `naive` the nearest tested histology's "
            f"observed rate. Left out: {full.attrs['header']['left_out']}; "
            f"{full.attrs['header']['caveat']}.\n\n" + _markdown(table) + "\n\n"
            "## Sensitivity: undecided later cohorts scored as failures\n\n"
            f"`kg backtest --from {args.start} --to {args.end} --k {args.k} "
            "--undecided-as-failure`\n\n" + _markdown(strict[strict["year"] == "overall"])
            + "\n")
    print(text)
    args.out.mkdir(parents=True, exist_ok=True)
    (args.out / f"backtest-{dt.date.today()}.md").write_text(text)


def _markdown(table) -> str:
    def cell(v) -> str:
        if isinstance(v, float):
            return "" if v != v else f"{v:.3f}"
        return str(v)

    lines = ["| " + " | ".join(table.columns) + " |", "|" + "---|" * len(table.columns)]
    lines += ["| " + " | ".join(cell(v) for v in row) + " |"
              for row in table.itertuples(index=False)]
    return "\n".join(lines)


if __name__ == "__main__":
    main()
