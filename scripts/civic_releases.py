"""CIViC releases side by side: rows, OncoTree mapping rates and evidence per common tier.

    python scripts/civic_releases.py [SOURCE_DIR]     # default: the shared snapshots

Prints a Markdown table (README "How the sources are joined" and bench/results/sources-*.md).
"""

from __future__ import annotations

import sys
from collections import Counter
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from kg.schema import Label, Rel  # noqa: E402
from loaders.civic import CivicLoader, find_release  # noqa: E402
from loaders.normalise.tiers import TIERS  # noqa: E402
from loaders.registry import shared_data_dir  # noqa: E402

RELEASES = ("01-Aug-2021", "01-Apr-2024")


def summary(source_dir: Path, release: str) -> dict[str, object]:
    rel = find_release(source_dir / "civic", release)
    res = CivicLoader(source_dir, release=release).load()
    evidence = [n for n in res.nodes if n.label == Label.EVIDENCE and n.id.startswith("civic.eid")]
    precision = Counter(n.props["mapping_precision"] for n in evidence)
    exact = precision["exact"]
    mapped = sum(v for k, v in precision.items() if k != "unmapped")
    tiers = Counter(n.props["common_tier"] for n in evidence)
    with_alt = {e.src for e in res.edges if e.rel == Rel.FOR_ALTERATION}
    return {
        "release": rel.version, "layout": rel.layout,
        "evidence rows": res.loaded["evidence rows"],
        "assertion rows": res.loaded["assertion rows"],
        "mapped to OncoTree": f"{mapped} ({mapped / len(evidence):.1%})",
        "of which exact": f"{exact} ({exact / len(evidence):.1%})",
        "Disease only (no OncoTree)":
            res.skipped["evidence: disease not mapped to OncoTree (Disease link only)"],
        "no DOID": res.skipped["evidence: no DOID (no disease or tumour-type link)"],
        "with an alteration": sum(1 for n in evidence if n.id in with_alt),
        "variant not normalised":
            res.skipped["evidence: variant name not normalised (kept under its gene)"],
        **{f"tier {t}": tiers[t] for t in TIERS},
        "tier none": tiers[None],
    }


def main() -> None:
    source_dir = Path(sys.argv[1]) if len(sys.argv) > 1 else shared_data_dir()
    rows = [summary(source_dir, r) for r in RELEASES]
    print("| | " + " | ".join(str(r["release"]) for r in rows) + " |")
    print("|---|" + "---:|" * len(rows))
    for key in rows[0]:
        if key != "release":
            print(f"| {key} | " + " | ".join(str(r[key]) for r in rows) + " |")


if __name__ == "__main__":
    main()
