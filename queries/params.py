"""Parameters shared by the analyses: hierarchy levels, thresholds, their defaults and checks.

Every threshold is a parameter with a documented default so that a committee can state the bar
it uses. Bad values raise ``QueryParameterError`` with a message naming the parameter, which the
CLI turns into a clear error and a non-zero exit.
"""

from __future__ import annotations

from dataclasses import dataclass

#: Alteration hierarchy levels, finest first (``signature`` is a parallel root level).
ALTERATION_LEVELS = ("variant", "codon", "exon", "kind", "gene", "group", "signature")
#: How cohorts' treatments are grouped: the exact regimen, the regimen's set of drug classes,
#: or the class of the member drug(s) that target the selected alteration's gene (companions
#: such as an added EGFR antibody are then pooled in and listed in the ``regimens`` column).
TREATMENT_LEVELS = ("regimen", "drug_class", "target_class")
#: OncoTree levels by name; an integer (0 = TISSUE root) is accepted too.
TUMOUR_LEVELS = ("code", "main_type", "tissue")
#: ``response`` = objective response (ORR); ``benefit`` = clinical benefit (CBR, as defined by
#: each report: see ``benefit_definition``).
ENDPOINTS = ("response", "benefit")


class QueryParameterError(ValueError):
    """A parameter value the analyses cannot use; the message says which and why."""


@dataclass(frozen=True)
class Thresholds:
    """Decision bars. Defaults follow common basket-trial practice for objective response:
    a rate of 10% is uninteresting (p0) and 30% worth pursuing (p1), as in Simon's table row
    used for DRUP-like designs; ``prob`` is how sure the model must be before calling a histology
    above p1 or below p0; ``k`` the number of main tumour types with activity a tumour-agnostic
    signal needs; ``min_n`` the evaluable patients a histology needs before it is judged;
    ``alpha``/``beta`` the error rates of the Simon designs; ``het_alpha`` the level of the
    exact heterogeneity test that lets a histology short of p1 (not only one below p0) count as
    the weaker one."""

    p0: float = 0.10
    p1: float = 0.30
    prob: float = 0.80
    k: int = 3
    min_n: int = 5
    alpha: float = 0.05
    beta: float = 0.20
    het_alpha: float = 0.05

    def __post_init__(self) -> None:
        check_thresholds(self.p0, self.p1)
        if not 0.5 <= self.prob < 1:
            raise QueryParameterError(f"prob={self.prob}: must be in [0.5, 1)")
        if self.k < 1:
            raise QueryParameterError(f"k={self.k}: need at least one tumour type")
        if self.min_n < 1:
            raise QueryParameterError(f"min_n={self.min_n}: must be >= 1")
        for name in ("alpha", "beta", "het_alpha"):
            v = getattr(self, name)
            if not 0 < v < 0.5:
                raise QueryParameterError(f"{name}={v}: must be in (0, 0.5)")


def check_thresholds(p0: float, p1: float) -> None:
    if not (0 < p0 < 1 and 0 < p1 < 1):
        raise QueryParameterError(f"p0={p0}, p1={p1}: rates must lie strictly between 0 and 1")
    if p0 >= p1:
        raise QueryParameterError(f"p0={p0} >= p1={p1}: the uninteresting rate p0 must be "
                                  "below the target rate p1")


def check_choice(name: str, value: str, choices: tuple[str, ...]) -> str:
    if value not in choices:
        raise QueryParameterError(f"unknown {name} '{value}': choose one of "
                                  f"{', '.join(choices)}")
    return value


def parse_tumour_level(value: str | int) -> str | int:
    """``code`` / ``main_type`` / ``tissue`` or an OncoTree depth (0 = root)."""
    if isinstance(value, int) or (isinstance(value, str) and value.isdigit()):
        depth = int(value)
        if not 0 <= depth <= 7:
            raise QueryParameterError(f"tumour level {depth}: OncoTree depths run 0..7")
        return depth
    return check_choice("tumour level", value, TUMOUR_LEVELS)
