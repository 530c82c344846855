"""Each source's evidence level → one ``common_tier`` (DESIGN.md, "Evidence levels").

Common tiers, strongest first:
  A  regulatory approval or professional guideline (CIViC A, MOA FDA-Approved/Guideline,
     CGI FDA/NCCN/ELN/CPIC guidelines, AMP Tier I Level A)
  B  clinical trial or large clinical study (CIViC B, MOA Clinical trial, CGI Late/Early trials)
  C  case report or small clinical series (CIViC C, MOA Clinical evidence, CGI Case report)
  D  preclinical (CIViC D, MOA Preclinical, CGI Pre-clinical)
  E  inferential (CIViC E, MOA Inferential)
The source's own level is always kept beside it (``source_level``). The tier grades how strong the
cited work is, not what it says: a CIViC "Does Not Support" item keeps its direction and is never
turned into the opposite claim (``direction`` below).
"""

from __future__ import annotations

import re

TIERS = ("A", "B", "C", "D", "E")

_MAP: dict[str, dict[str, str]] = {
    "civic": {"a": "A", "b": "B", "c": "C", "d": "D", "e": "E"},
    "moa": {"fda-approved": "A", "guideline": "A", "clinical trial": "B",
            "clinical evidence": "C", "preclinical": "D", "inferential": "E"},
    "cgi": {"fda guidelines": "A", "nccn guidelines": "A", "european leukemianet guidelines": "A",
            "cpic guidelines": "A", "nccn/cap guidelines": "A", "esmo guidelines": "A",
            "asco guidelines": "A", "late trials": "B", "early trials": "B",
            "clinical trials": "B", "case report": "C", "case reports": "C",
            "pre-clinical": "D", "preclinical": "D"},
    # CIViC assertions carry AMP/ASCO/CAP categories
    "amp": {"tier i - level a": "A", "tier i - level b": "B", "tier ii - level c": "C",
            "tier ii - level d": "D", "tier iii": "E", "tier iv": "E"},
}


def common_tier(source: str, level: str | None) -> str | None:
    """``common_tier("civic", "A") == "A"``; unknown levels give None (counted by the loader)."""
    if not level:
        return None
    key = re.sub(r"\s+", " ", level.strip().lower())
    table = _MAP[source]
    if key in table:
        return table[key]
    if source == "cgi" and "guideline" in key:
        return "A"
    return None


def direction(value: str | None) -> str | None:
    """``supports`` / ``does not support`` / None, whatever the source's spelling."""
    if not value:
        return None
    v = value.strip().lower().replace("_", " ")
    if v in ("supports", "support", "1", "true"):
        return "supports"
    if v in ("does not support", "does not supports", "refutes", "0", "false"):
        return "does not support"
    return None
